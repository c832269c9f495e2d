"""An officer's own account page and their work delegations (工作委托)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.authority.matters import Matter
from pharmreg.authority.schemas import WorkDelegationForm
from pharmreg.authority.service.work import (
    create_work_delegation,
    end_work_delegation,
    has_work_to_delegate,
    work_delegation_colleagues,
    work_delegations_of,
)
from pharmreg.chrome import officer_realm
from pharmreg.identity import OfficerAccount, require_officer
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantInfo


class OfficeAccountController(Controller):
    """An officer's own account page and their work delegations."""

    path = "/p/{slug:str}/office/account"
    include_in_schema = False

    @get("/", guards=[require_officer()])
    async def account(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return await self._account_page(request, tenant, officer, tenant_session, db, errors={}, values={})

    async def _account_page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        *,
        errors: dict[str, str],
        values: dict[str, Any],
        status: int = 200,
    ) -> Template:
        colleagues = await work_delegation_colleagues(session, officer)
        return render(
            request,
            "office/account.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "colleagues": colleagues,
                "may_delegate": has_work_to_delegate(officer),
                "delegations": await work_delegations_of(session, officer.id),
                "matters": list(Matter),
                "errors": errors,
                "values": values,
                "changed": request.query_params.get("changed") == "1",
            },
            status_code=status,
        )

    @post("/work-delegation", guards=[require_officer()])
    async def delegate_work(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        try:
            data = WorkDelegationForm(
                to_officer_id=uuid.UUID(values.get("to_officer_id") or str(uuid.UUID(int=0))),
                valid_from=values.get("valid_from", ""),
                valid_to=values.get("valid_to", ""),
                reason=values.get("reason", ""),
                matters=tuple(str(m) for m in form.getall("matters", [])),
            )
            async with transaction(tenant_session):
                await create_work_delegation(tenant_session, data, officer=officer, actor=actor)
        except (FormErrors, ValueError, msgspec.ValidationError) as exc:
            errors = exc.errors if isinstance(exc, FormErrors) else {"to_officer_id": "请选择受托同事"}
            return await self._account_page(
                request, tenant, officer, tenant_session, db, errors=errors, values=values, status=400
            )
        return Redirect(path=f"/p/{tenant.slug}/office/account/", status_code=303)

    @post("/work-delegation/{delegation_id:int}/end", guards=[require_officer()])
    async def end_delegation(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        delegation_id: FromPath[int],
    ) -> Template | Response[Any]:
        try:
            async with transaction(tenant_session):
                await end_work_delegation(tenant_session, delegation_id, officer=officer, actor=actor)
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:  # ended meanwhile (a second click, an old page)
            return await self._account_page(
                request, tenant, officer, tenant_session, db, errors=exc.errors, values={}, status=409
            )
        return Redirect(path=f"/p/{tenant.slug}/office/account/", status_code=303)
