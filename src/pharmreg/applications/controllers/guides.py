"""办事指南 editing: a province's administrators adapt the guide of each matter."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.guides import EDITABLE as GUIDE_FIELDS
from pharmreg.applications.guides import GuideBook, parse_guide_form
from pharmreg.applications.service.reading import guide_edits, save_guide_edits
from pharmreg.audit import record_tenant_audit
from pharmreg.authority import Matter
from pharmreg.chrome import office_chrome
from pharmreg.identity import OfficerAccount, require_officer
from pharmreg.kit.db import transaction
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest
from pharmreg.tenancy import TenantInfo


class GuideAdminController(Controller):
    """办事指南维护: a province's administrators write their own text over the national guide."""

    path = "/p/{slug:str}/office/admin/guides"
    include_in_schema = False
    guards = [require_officer("manage_processes", province_only=True)]

    async def _page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        guides: GuideBook,
        session: AsyncSession,
        matter: str,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        edited = await guide_edits(session, matter) or {}
        default = guides.guide(matter, tenant.slug)
        assert default is not None

        def text(guide_value: Any) -> str:
            if isinstance(guide_value, str):
                return guide_value
            return "\n".join(
                "｜".join(item) if isinstance(item, (list, tuple)) else str(item) for item in guide_value
            )

        defaults = {name: text(getattr(default, name)) for name in GUIDE_FIELDS}
        shown = values or {name: text(edited[name]) for name in GUIDE_FIELDS if name in edited}
        return render(
            request,
            "applications/guide_edit.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "matter": Matter(matter),
                "matters": list(Matter),
                "fields": GUIDE_FIELDS,
                "values": shown,
                "defaults": defaults,
                "edited": sorted(edited),
                "errors": errors or {},
                "saved": request.query_params.get("saved") == "1",
            },
            status_code=status,
        )

    @get("/{matter:str}")
    async def edit(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        guides: NamedDependency[GuideBook],
        matter: FromPath[str],
    ) -> Template:
        tenant, officer, tenant_session = office.tenant, office.officer, office.session
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        return await self._page(request, tenant, officer, guides, tenant_session, matter)

    @post("/{matter:str}")
    async def save(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        guides: NamedDependency[GuideBook],
        matter: FromPath[str],
    ) -> Template | Response[Any]:
        tenant, officer, tenant_session, actor = office.tenant, office.officer, office.session, office.actor
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        values = {k: str(v) for k, v in (await request.form()).items()}
        edited, errors = parse_guide_form(values)
        if errors:
            errors[""] = "未保存：" + "；".join(errors.values())
            return await self._page(
                request,
                tenant,
                officer,
                guides,
                tenant_session,
                matter,
                values=values,
                errors=errors,
                status=400,
            )
        async with transaction(tenant_session):
            await save_guide_edits(tenant_session, matter, edited, by=officer.username)
            await record_tenant_audit(
                tenant_session,
                action="guide_changed",
                actor=actor,
                target=Matter(matter).label,
                summary=f"{officer.name} 修改了{Matter(matter).label}的办事指南",
            )
        return Redirect(path=f"/p/{tenant.slug}/office/admin/guides/{matter}?saved=1", status_code=303)
