"""注册规则: a province's registration rules."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.chrome import officer_realm
from pharmreg.identity import OfficerAccount, require_officer
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.rendering import render
from pharmreg.practice import UnitType
from pharmreg.register.schemas import DEFAULT_UNIT_SCOPES, PracticeScope
from pharmreg.register.service import (
    SETTING_LIMITS,
    check_settings,
    registration_settings,
    update_registration_settings,
)
from pharmreg.tenancy import TenantInfo


class RegistrationRulesController(Controller):
    path = "/p/{slug:str}/office/admin/registration"
    include_in_schema = False
    guards = [require_officer("manage_processes", province_only=True)]

    async def _page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        db: Database,
        session: AsyncSession,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        current = await registration_settings(session)
        return render(
            request,
            "administration/registration.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "section": "registration",
                "current": current,
                "values": values or current,
                "limits": SETTING_LIMITS,
                "unit_types": list(UnitType),
                "scopes": list(PracticeScope),
                "defaults": DEFAULT_UNIT_SCOPES,
                "errors": errors or {},
                "saved": request.query_params.get("saved") == "1",
                "this_year": china_today().year,
            },
            status_code=status,
        )

    @get("/")
    async def show(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        tenant_session: NamedDependency[AsyncSession],
    ) -> Template:
        return await self._page(request, tenant, officer, db, tenant_session)

    @post("/")
    async def save(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        tenant_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        scopes = {t.value: [str(s) for s in form.getall(f"scopes_{t.value}", [])] for t in UnitType}
        clean, errors = check_settings(values, scopes)
        ce_years: dict[int, tuple[int, int] | None] = {}
        year_text = values.get("ce_year", "").strip()
        if year_text:
            public, professional = values.get("ce_year_public", ""), values.get("ce_year_professional", "")
            if not year_text.isdecimal() or not 2000 <= int(year_text) <= 2100:
                errors["ce_year"] = "请填写有效年度"
            elif values.get("ce_year_clear") == "1":
                ce_years[int(year_text)] = None
            elif not (
                public.isdecimal()
                and professional.isdecimal()
                and int(public) <= 60
                and int(professional) <= 60
            ):
                errors["ce_year"] = "该年度的公需、专业学分应为 0–60 的整数"
            else:
                ce_years[int(year_text)] = (int(public), int(professional))
        if errors:
            shown = dict(values) | {
                "unit_type_scopes": scopes,
                "reissue_enabled": values.get("reissue_enabled") == "1",
            }
            errors[""] = "未保存：" + "；".join(errors.values())
            return await self._page(
                request, tenant, officer, db, tenant_session, errors=errors, values=shown, status=400
            )
        async with transaction(tenant_session):
            await update_registration_settings(tenant_session, clean, ce_years=ce_years, by=officer.username)
            await record_tenant_audit(
                tenant_session,
                action="settings_changed",
                actor=actor,
                target="registration",
                summary=f"{officer.name} 修改了注册规则",
                details={
                    "settings": clean,
                    "ce_years": {str(y): list(v) if v else None for y, v in ce_years.items()},
                },
            )
        return Redirect(path=f"/p/{tenant.slug}/office/admin/registration/?saved=1", status_code=303)
