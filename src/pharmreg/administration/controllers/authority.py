"""The delegation matrix (审批权限下放): grant and take back from each cell, explain decisions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.administration.service import delegate, revocation_impact, scope_of, take_back
from pharmreg.audit import Actor
from pharmreg.authority import (
    AuthorityPolicy,
    DelegationForm,
    Matter,
    PolicyCache,
    RevocationForm,
    Units,
    authority_matrix,
    explain,
    list_delegations,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    PostPermissions,
    list_officers,
    load_officer_account,
    require_officer,
    security_rules,
)
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.office import officer_realm
from pharmreg.tenancy import TenantDirectory, TenantInfo


def _context(tenant: TenantInfo, officer: OfficerAccount, db: Database, **extra: Any) -> dict[str, Any]:
    return {
        "realm": officer_realm(tenant, db),
        "tenant": tenant,
        "officer": officer,
        "section": "authority",
        "matters": list(Matter),
        "today": china_today(),
        **extra,
    }


async def _below(session: AsyncSession, officer: OfficerAccount, unit_id: int) -> bool:
    """A unit the officer's unit may delegate to: administered by them, and not their own."""
    return unit_id != officer.unit_id and (await scope_of(session, officer)).covers(unit_id)


class AuthorityController(Controller):
    path = "/p/{slug:str}/office/admin/authority"
    include_in_schema = False
    guards = [require_officer("manage_authority")]  # noqa: RUF012 - Litestar reads this class attribute

    @get("/")
    async def matrix(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
    ) -> Template:
        # A city bureau re-delegates to its own counties: its rows are those counties.
        rows = await authority_matrix(
            tenant_session,
            policy,
            divisions,
            parent_unit_id=None if officer.at_province else officer.unit_id,
        )
        delegations = await list_delegations(
            tenant_session, divisions, include_ended=request.query_params.get("ended") == "1"
        )
        if not officer.at_province:  # what the unit received and what it passed on
            delegations = [
                d for d in delegations if officer.unit_id in (d.grantor_unit_id, d.delegate_unit_id)
            ]
        return render(
            request,
            "administration/authority.html",
            _context(
                tenant,
                officer,
                db,
                rows=rows,
                delegations=delegations,
                show_ended=request.query_params.get("ended") == "1",
            ),
        )

    @get("/units/{unit_id:int}")
    async def children(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
        unit_id: FromPath[int],
    ) -> Template:
        if not (await scope_of(tenant_session, officer)).covers(unit_id):
            raise NotFoundException()
        rows = await authority_matrix(tenant_session, policy, divisions, parent_unit_id=unit_id)
        return Template(
            "administration/_matrix_rows.html", context=_context(tenant, officer, db, rows=rows, nested=True)
        )

    @get("/cell")
    async def cell(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
    ) -> Template:
        """A cell of the matrix: who holds the matter there, with the grant or take-back form."""
        unit_id = request.query_params.get("unit", "")
        matter_value = request.query_params.get("matter", "")
        if (
            not unit_id.isdigit()
            or not await _below(tenant_session, officer, int(unit_id))
            or matter_value not in {m.value for m in Matter}
        ):
            raise NotFoundException()
        units = await Units.load(tenant_session)
        unit = units.by_id[int(unit_id)]
        return await self._cell(
            request, tenant, officer, tenant_session, policy, divisions, db, unit.id, Matter(matter_value)
        )

    async def _cell(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        policy: AuthorityPolicy,
        divisions: DivisionIndex,
        db: Database,
        unit_id: int,
        matter: Matter,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        message: str | None = None,
        status: int = 200,
    ) -> Template:
        units = await Units.load(session)
        unit = units.by_id[unit_id]
        rows = await authority_matrix(session, policy, divisions, parent_unit_id=unit.parent_id)
        row = next((r for r in rows if r.unit_id == unit_id), None)
        if row is None:
            rows = await authority_matrix(session, policy, divisions, parent_unit_id=None)
            row = next(r for r in rows if r.unit_id == unit_id)
        cell = next(c for c in row.cells if c.matter == matter.value)
        impact = (
            await revocation_impact(session, cell.delegation_id, divisions) if cell.delegation_id else None
        )
        return render(
            request,
            "administration/authority_cell.html",
            _context(
                tenant,
                officer,
                db,
                unit=unit,
                row=row,
                cell=cell,
                matter=matter,
                impact=impact,
                errors=errors or {},
                values=values or {},
                message=message,
                territory=divisions.counties_of(unit.division_code) if unit.level == 2 else [],
            ),
            fragment="administration/_authority_cell.html",
            status_code=status,
        )

    @post("/delegations")
    async def grant(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        policies: NamedDependency[PolicyCache],
    ) -> Template:
        form = await request.form()
        values: dict[str, Any] = {k: str(v) for k, v in form.items()}
        unit_id = int(values["delegate_unit_id"]) if values.get("delegate_unit_id", "").isdigit() else 0
        matters = [str(m) for m in form.getall("matters", [])]
        matter = (
            Matter(matters[0])
            if matters and matters[0] in {m.value for m in Matter}
            else Matter.FIRST_REGISTRATION
        )
        data = DelegationForm(
            delegate_unit_id=unit_id,
            matters=tuple(matters),
            reason=values.get("reason", ""),
            valid_from=values.get("valid_from", ""),
            valid_to=values.get("valid_to", ""),
            territory=tuple(str(t) for t in form.getall("territory", [])),
            may_redelegate=values.get("may_redelegate") == "on",
        )
        if not await _below(tenant_session, officer, unit_id):
            raise NotFoundException()  # a unit of another province answers like none at all
        try:
            async with transaction(tenant_session):
                change = await delegate(
                    tenant_session,
                    data,
                    tenant=tenant,
                    officer=officer,
                    divisions=divisions,
                    policy=policy,
                    model_text=policies.model_text,
                    actor=actor,
                )
        except FormErrors as exc:
            return await self._cell(
                request,
                tenant,
                officer,
                tenant_session,
                policy,
                divisions,
                db,
                unit_id,
                matter,
                errors=exc.errors,
                values=values,
                status=400,
            )
        await policies.announce(tenant.slug)
        fresh = await policies.policy(tenant.slug, lambda: db.tenant(tenant.schema, tenant.placement))
        moved = f"，{change.tasks_moved} 项待办任务已转至受托单位" if change.tasks_moved else ""
        return await self._cell(
            request,
            tenant,
            officer,
            tenant_session,
            fresh,
            divisions,
            db,
            unit_id,
            matter,
            message=f"已下放 {len(change.delegations)} 项事项的审批权限{moved}",
        )

    @post("/delegations/{delegation_id:int}/revoke")
    async def revoke(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        policies: NamedDependency[PolicyCache],
        delegation_id: FromPath[int],
    ) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items()}
        impact = await revocation_impact(tenant_session, delegation_id, divisions)
        if impact is None or not (
            officer.at_province or impact.delegations[0].grantor_unit_id == officer.unit_id
        ):
            raise NotFoundException()  # a city takes back only what it passed on
        root = impact.delegations[0]
        if form.get("confirmed") != "yes":
            return await self._cell(
                request,
                tenant,
                officer,
                tenant_session,
                policy,
                divisions,
                db,
                int(form.get("unit_id") or root.delegate_unit_id),
                Matter(root.matter),
                errors={"confirmed": "请确认已查看收回的影响"},
                status=400,
            )
        try:
            async with transaction(tenant_session):
                change = await take_back(
                    tenant_session,
                    delegation_id,
                    RevocationForm(reason=form.get("reason", ""), effective=form.get("effective", "")),
                    tenant=tenant,
                    officer=officer,
                    divisions=divisions,
                    model_text=policies.model_text,
                    actor=actor,
                )
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            return await self._cell(
                request,
                tenant,
                officer,
                tenant_session,
                policy,
                divisions,
                db,
                int(form.get("unit_id") or root.delegate_unit_id),
                Matter(root.matter),
                errors=exc.errors,
                values=form,
                status=400,
            )
        await policies.announce(tenant.slug)
        fresh = await policies.policy(tenant.slug, lambda: db.tenant(tenant.schema, tenant.placement))
        when = f"定于 {form['effective']} " if form.get("effective") else "已"
        moved = f"，{change.tasks_moved} 项待办任务已退回" if change.tasks_moved else ""
        return await self._cell(
            request,
            tenant,
            officer,
            tenant_session,
            fresh,
            divisions,
            db,
            int(form.get("unit_id") or root.delegate_unit_id),
            Matter(root.matter),
            message=f"{when}收回 {len(change.delegations)} 项授权{moved}",
        )

    @get("/explain")
    async def explain_page(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
        permissions: NamedDependency[PostPermissions],
        directory: NamedDependency[TenantDirectory],
    ) -> Template:
        params = request.query_params
        officers = await list_officers(
            tenant_session, unit_ids=(await scope_of(tenant_session, officer)).unit_ids
        )
        result = None
        errors: dict[str, str] = {}
        if params.get("officer"):
            person = next((o for o in officers if str(o.id) == params.get("officer")), None)
            place = divisions.get(params.get("division", ""))
            matter_value = params.get("matter", "")
            if person is None:
                errors["officer"] = "请从列表中选择一位工作人员"
            owner = directory.route(place.code) if place is not None else None
            if place is None or owner is None or owner.slug != tenant.slug:
                errors["division"] = "请填写本省一个区县或地市的行政区划代码"
            if matter_value not in {m.value for m in Matter}:
                errors["matter"] = "请选择事项"
            if not errors and person is not None and place is not None:
                account = await load_officer_account(
                    tenant_session, tenant.slug, person.id, await security_rules(tenant_session), permissions
                )
                assert account is not None
                result = await explain(
                    tenant_session,
                    policy,
                    divisions,
                    officer=account,
                    matter=Matter(matter_value),
                    division_code=place.code,
                )
        return render(
            request,
            "administration/explain.html",
            _context(
                tenant, officer, db, officers=officers, params=dict(params), result=result, errors=errors
            ),
            fragment="administration/_explanation.html",
        )
