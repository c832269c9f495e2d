"""注册规则: a province's registration rules."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.audit import record_tenant_audit
from pharmreg.chrome import office_page
from pharmreg.identity import require_officer
from pharmreg.kit.clock import china_today
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.practice import UnitType
from pharmreg.register.schemas import DEFAULT_UNIT_SCOPES, PracticeScope
from pharmreg.register.service import (
    SETTING_LIMITS,
    check_settings,
    registration_settings,
    update_registration_settings,
)
from pharmreg.requests import OfficerRequest


class RegistrationRulesController(Controller):
    path = "/p/{slug:str}/office/admin/registration"
    include_in_schema = False
    guards = [require_officer("manage_processes", province_only=True)]

    async def _page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        current = await registration_settings(office.session)
        return render(
            request,
            "administration/registration.html",
            office_page(
                office.tenant,
                office.officer,
                office.db,
                section="registration",
                current=current,
                values=values or current,
                limits=SETTING_LIMITS,
                unit_types=list(UnitType),
                scopes=list(PracticeScope),
                defaults=DEFAULT_UNIT_SCOPES,
                errors=errors or {},
                saved=request.query_params.get("saved") == "1",
                this_year=china_today().year,
            ),
            status_code=status,
        )

    @get("/")
    async def show(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        return await self._page(request, office)

    @post("/")
    async def save(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor
        form = await request.form()
        scopes = {t.value: [str(s) for s in form.getall(f"scopes_{t.value}", [])] for t in UnitType}

        async def write(values: FormValues) -> None:
            clean, errors = check_settings(values, scopes)
            ce_years = _ce_years(values, errors)
            if errors:
                raise FormErrors(errors | {"": "未保存：" + "；".join(errors.values())})
            await update_registration_settings(session, clean, ce_years=ce_years, by=officer.username)
            await record_tenant_audit(
                session,
                action="settings_changed",
                actor=actor,
                target="registration",
                summary=f"{officer.name} 修改了注册规则",
                details={
                    "settings": clean,
                    "ce_years": {str(y): list(v) if v else None for y, v in ce_years.items()},
                },
            )

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            shown = dict(values) | {
                "unit_type_scopes": scopes,
                "reissue_enabled": values.get("reissue_enabled") == "1",
            }
            return await self._page(request, office, errors=errors, values=shown, status=400)

        done = f"/p/{tenant.slug}/office/admin/registration/?saved=1"
        return await post_form(request, session, write=write, again=again, done=done)


def _ce_years(values: FormValues, errors: dict[str, str]) -> dict[int, tuple[int, int] | None]:
    """The CE credits of the year the form names (None: back to the rule's), or an error in `errors`."""
    ce_years: dict[int, tuple[int, int] | None] = {}
    year_text = values.get("ce_year", "").strip()
    if year_text:
        public, professional = values.get("ce_year_public", ""), values.get("ce_year_professional", "")
        if not year_text.isdecimal() or not 2000 <= int(year_text) <= 2100:
            errors["ce_year"] = "请填写有效年度"
        elif values.get("ce_year_clear") == "1":
            ce_years[int(year_text)] = None
        elif not (
            public.isdecimal() and professional.isdecimal() and int(public) <= 60 and int(professional) <= 60
        ):
            errors["ce_year"] = "该年度的公需、专业学分应为 0–60 的整数"
        else:
            ce_years[int(year_text)] = (int(public), int(professional))
    return ce_years
