"""办事指南 editing: a province's administrators adapt the guide of each matter."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.applications.guides import EDITABLE as GUIDE_FIELDS
from pharmreg.applications.guides import GuideBook, parse_guide_form
from pharmreg.applications.service.reading import guide_edits, save_guide_edits
from pharmreg.audit import record_tenant_audit
from pharmreg.authority import Matter
from pharmreg.chrome import office_chrome
from pharmreg.identity import require_officer
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest


class GuideAdminController(Controller):
    """办事指南维护: a province's administrators write their own text over the national guide."""

    path = "/p/{slug:str}/office/admin/guides"
    include_in_schema = False
    guards = [require_officer("manage_processes", province_only=True)]

    async def _page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        guides: GuideBook,
        matter: str,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        tenant, officer, session = office.tenant, office.officer, office.session
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
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        return await self._page(request, office, guides, matter)

    @post("/{matter:str}")
    async def save(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        guides: NamedDependency[GuideBook],
        matter: FromPath[str],
    ) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()

        async def write(values: FormValues) -> None:
            edited, errors = parse_guide_form(values)
            if errors:
                raise FormErrors(errors | {"": "未保存：" + "；".join(errors.values())})
            await save_guide_edits(session, matter, edited, by=officer.username)
            await record_tenant_audit(
                session,
                action="guide_changed",
                actor=actor,
                target=Matter(matter).label,
                summary=f"{officer.name} 修改了{Matter(matter).label}的办事指南",
            )

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return await self._page(request, office, guides, matter, values=values, errors=errors, status=400)

        done = f"/p/{tenant.slug}/office/admin/guides/{matter}?saved=1"
        return await post_form(request, session, write=write, again=again, done=done)
