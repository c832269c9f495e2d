"""An officer's own account page and their work delegations (工作委托)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.authority.matters import Matter
from pharmreg.authority.schemas import WorkDelegationForm
from pharmreg.authority.service.work import (
    create_work_delegation,
    end_work_delegation,
    has_work_to_delegate,
    work_delegation_colleagues,
    work_delegations_of,
)
from pharmreg.chrome import office_page
from pharmreg.identity import require_officer
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest


class OfficeAccountController(Controller):
    """An officer's own account page and their work delegations."""

    path = "/p/{slug:str}/office/account"
    include_in_schema = False

    @get("/", guards=[require_officer()])
    async def account(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        return await self._account_page(request, office, errors={}, values={})

    async def _account_page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        *,
        errors: dict[str, str],
        values: dict[str, Any],
        status: int = 200,
    ) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        colleagues = await work_delegation_colleagues(session, officer)
        return render(
            request,
            "office/account.html",
            office_page(
                tenant,
                officer,
                db,
                colleagues=colleagues,
                may_delegate=has_work_to_delegate(officer),
                delegations=await work_delegations_of(session, officer.id),
                matters=list(Matter),
                errors=errors,
                values=values,
                changed=request.query_params.get("changed") == "1",
            ),
            status_code=status,
        )

    @post("/work-delegation", guards=[require_officer()])
    async def delegate_work(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest]
    ) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor
        matters = tuple(str(m) for m in (await request.form()).getall("matters", []))

        async def write(values: FormValues) -> None:
            try:
                data = WorkDelegationForm(
                    to_officer_id=uuid.UUID(values.get("to_officer_id") or str(uuid.UUID(int=0))),
                    valid_from=values.get("valid_from", ""),
                    valid_to=values.get("valid_to", ""),
                    reason=values.get("reason", ""),
                    matters=matters,
                )
            except (ValueError, msgspec.ValidationError):
                raise FormErrors({"to_officer_id": "请选择受托同事"}) from None
            await create_work_delegation(session, data, officer=officer, actor=actor)

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return await self._account_page(request, office, errors=errors, values=values, status=400)

        return await post_form(
            request, session, write=write, again=again, done=f"/p/{tenant.slug}/office/account/"
        )

    @post("/work-delegation/{delegation_id:int}/end", guards=[require_officer()])
    async def end_delegation(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], delegation_id: FromPath[int]
    ) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor

        async def write(_values: FormValues) -> None:
            await end_work_delegation(session, delegation_id, officer=officer, actor=actor)

        async def again(_values: FormValues, errors: dict[str, str]) -> Template:
            # Ended meanwhile (a second click, an old page).
            return await self._account_page(request, office, errors=errors, values={}, status=409)

        return await post_form(
            request, session, write=write, again=again, done=f"/p/{tenant.slug}/office/account/"
        )
