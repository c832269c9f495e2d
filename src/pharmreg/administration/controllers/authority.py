"""The delegation matrix (审批权限下放): grant and take back from each cell, explain decisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
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
from pharmreg.chrome import officer_realm
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    PostPermissions,
    list_officers,
    load_officer_account,
    require_officer,
    security_rules,
)
from pharmreg.kit.boundaries import parse_id
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest
from pharmreg.tenancy import TenantDirectory, TenantInfo


@dataclass(frozen=True, slots=True)
class MatrixRequest:
    """What every page of the matrix works with, gathered once per request."""

    request: HTMXRequest
    tenant: TenantInfo
    officer: OfficerAccount
    session: AsyncSession
    policy: AuthorityPolicy
    divisions: DivisionIndex
    db: Database
    directory: TenantDirectory

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "realm": officer_realm(self.tenant, self.db),
            "tenant": self.tenant,
            "officer": self.officer,
            "section": "authority",
            "matters": list(Matter),
            "today": china_today(),
            **extra,
        }

    async def below(self, unit_id: int) -> bool:
        """A unit the officer's unit may delegate to: administered by them, and not their own."""
        return unit_id != self.officer.unit_id and (await scope_of(self.session, self.officer)).covers(
            unit_id
        )

    async def fresh_policy(self, policies: PolicyCache) -> AuthorityPolicy:
        """After a change: tell every process, and read the new rules for this response."""
        tenant, db = self.tenant, self.db
        await policies.announce(tenant.slug)
        return await policies.policy(tenant.slug, lambda: db.tenant(tenant.schema, tenant.placement))


def _desk(
    request: HTMXRequest, office: NamedDependency[OfficerRequest], policy: NamedDependency[AuthorityPolicy]
) -> MatrixRequest:
    return MatrixRequest(
        request,
        office.tenant,
        office.officer,
        office.session,
        policy,
        office.divisions,
        office.db,
        office.directory,
    )


async def _cell(
    desk: MatrixRequest,
    unit_id: int,
    matter: Matter,
    *,
    policy: AuthorityPolicy | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    revoke_values: dict[str, Any] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Template:
    """A cell of the matrix: who holds the matter there, with the grant or take-back form.

    After a refused grant or take-back, the form shows again with everything that was typed
    (`values` for the grant, `revoke_values` for the take-back).
    """
    session, divisions, policy = desk.session, desk.divisions, policy or desk.policy
    unit = (await Units.load(session)).by_id[unit_id]
    rows = await authority_matrix(session, policy, divisions, parent_unit_id=unit.parent_id)
    row = next((r for r in rows if r.unit_id == unit_id), None)
    if row is None:
        rows = await authority_matrix(session, policy, divisions, parent_unit_id=None)
        row = next(r for r in rows if r.unit_id == unit_id)
    cell = next(c for c in row.cells if c.matter == matter.value)
    impact = await revocation_impact(session, cell.delegation_id, divisions) if cell.delegation_id else None
    officer = desk.officer
    # What this officer's unit may do here: pass on what it holds itself; take back what it
    # granted (the province bureau may take back any delegation of its province).
    can_grant = cell.holder_unit_id == officer.unit_id or bool(values and errors)  # or a refused grant
    can_take_back = impact is not None and (
        officer.at_province or impact.delegations[0].grantor_unit_id == officer.unit_id
    )
    return render(
        desk.request,
        "administration/authority_cell.html",
        desk.context(
            unit=unit,
            row=row,
            cell=cell,
            matter=matter,
            impact=impact,
            can_grant=can_grant,
            can_take_back=can_take_back,
            errors=errors or {},
            values=values or {},
            revoke_values=revoke_values or {},
            message=message,
            territory=divisions.counties_of(unit.division_code) if unit.level == 2 else [],
        ),
        fragment="administration/_authority_cell.html",
        status_code=status,
    )


class AuthorityController(Controller):
    path = "/p/{slug:str}/office/admin/authority"
    include_in_schema = False
    guards = [require_officer("manage_authority")]
    dependencies = {"desk": Provide(_desk, sync_to_thread=False)}

    @get("/")
    async def matrix(self, desk: NamedDependency[MatrixRequest]) -> Template:
        officer, show_ended = desk.officer, desk.request.query_params.get("ended") == "1"
        # A city bureau re-delegates to its own counties: its rows are those counties.
        rows = await authority_matrix(
            desk.session,
            desk.policy,
            desk.divisions,
            parent_unit_id=None if officer.at_province else officer.unit_id,
        )
        delegations = await list_delegations(desk.session, desk.divisions, include_ended=show_ended)
        if not officer.at_province:  # what the unit received and what it passed on
            delegations = [
                d for d in delegations if officer.unit_id in (d.grantor_unit_id, d.delegate_unit_id)
            ]
        return render(
            desk.request,
            "administration/authority.html",
            desk.context(rows=rows, delegations=delegations, show_ended=show_ended),
        )

    @get("/units/{unit_id:int}")
    async def children(
        self, request: HTMXRequest, desk: NamedDependency[MatrixRequest], unit_id: FromPath[int]
    ) -> Template:
        if not (await scope_of(desk.session, desk.officer)).covers(unit_id):
            raise NotFoundException()
        rows = await authority_matrix(desk.session, desk.policy, desk.divisions, parent_unit_id=unit_id)
        return render(request, "administration/_matrix_rows.html", desk.context(rows=rows, nested=True))

    @get("/cell")
    async def cell(self, desk: NamedDependency[MatrixRequest]) -> Template:
        unit_id = parse_id(desk.request.query_params.get("unit", ""))
        matter_value = desk.request.query_params.get("matter", "")
        if unit_id is None or not await desk.below(unit_id) or matter_value not in {m.value for m in Matter}:
            raise NotFoundException()
        return await _cell(desk, unit_id, Matter(matter_value))

    @post("/delegations")
    async def grant(
        self,
        desk: NamedDependency[MatrixRequest],
        actor: NamedDependency[Actor],
        policies: NamedDependency[PolicyCache],
    ) -> Template:
        form = await desk.request.form()
        values: dict[str, Any] = {k: str(v) for k, v in form.items()}
        unit_id = parse_id(values.get("delegate_unit_id")) or 0
        matters = [str(m) for m in form.getall("matters", [])]
        # Boxes that repeat are kept whole, so a refused form shows every one that was ticked.
        values["matters"] = matters
        values["territory"] = [str(t) for t in form.getall("territory", [])]
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
        if not await desk.below(unit_id):
            raise NotFoundException()  # a unit of another province answers like none at all
        try:
            async with transaction(desk.session):
                change = await delegate(
                    desk.session,
                    data,
                    tenant=desk.tenant,
                    officer=desk.officer,
                    divisions=desk.divisions,
                    policy=desk.policy,
                    model_text=policies.model_text,
                    actor=actor,
                )
        except FormErrors as exc:
            return await _cell(desk, unit_id, matter, errors=exc.errors, values=values, status=400)
        moved = f"，{change.tasks_moved} 项待办任务已转至受托单位" if change.tasks_moved else ""
        return await _cell(
            desk,
            unit_id,
            matter,
            policy=await desk.fresh_policy(policies),
            message=f"已下放 {len(change.delegations)} 项事项的审批权限{moved}",
        )

    @post("/delegations/{delegation_id:int}/revoke")
    async def revoke(
        self,
        desk: NamedDependency[MatrixRequest],
        actor: NamedDependency[Actor],
        policies: NamedDependency[PolicyCache],
        delegation_id: FromPath[int],
    ) -> Template:
        form = {k: str(v) for k, v in (await desk.request.form()).items()}
        officer = desk.officer
        impact = await revocation_impact(desk.session, delegation_id, desk.divisions)
        if impact is None or not (
            officer.at_province or impact.delegations[0].grantor_unit_id == officer.unit_id
        ):
            raise NotFoundException()  # a city takes back only what it passed on
        root = impact.delegations[0]
        unit_id, matter = parse_id(form.get("unit_id")) or root.delegate_unit_id, Matter(root.matter)
        if not await desk.below(unit_id):
            unit_id = root.delegate_unit_id
        if form.get("confirmed") != "yes":
            return await _cell(
                desk,
                unit_id,
                matter,
                errors={"confirmed": "请确认已查看收回的影响"},
                revoke_values=form,
                status=400,
            )
        try:
            async with transaction(desk.session):
                change = await take_back(
                    desk.session,
                    delegation_id,
                    RevocationForm(reason=form.get("reason", ""), effective=form.get("effective", "")),
                    tenant=desk.tenant,
                    officer=officer,
                    divisions=desk.divisions,
                    model_text=policies.model_text,
                    actor=actor,
                )
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            return await _cell(desk, unit_id, matter, errors=exc.errors, revoke_values=form, status=400)
        when = f"定于 {form['effective']} " if form.get("effective") else "已"
        moved = f"，{change.tasks_moved} 项待办任务已退回" if change.tasks_moved else ""
        return await _cell(
            desk,
            unit_id,
            matter,
            policy=await desk.fresh_policy(policies),
            message=f"{when}收回 {len(change.delegations)} 项授权{moved}",
        )

    @get("/explain")
    async def explain_page(
        self,
        desk: NamedDependency[MatrixRequest],
        permissions: NamedDependency[PostPermissions],
    ) -> Template:
        params, session, tenant = desk.request.query_params, desk.session, desk.tenant
        directory = desk.directory
        officers = await list_officers(session, unit_ids=(await scope_of(session, desk.officer)).unit_ids)
        result = None
        errors: dict[str, str] = {}
        if params.get("officer"):
            person = next((o for o in officers if str(o.id) == params.get("officer")), None)
            place = desk.divisions.get(params.get("division", ""))
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
                    session, tenant.slug, person.id, await security_rules(session), permissions
                )
                assert account is not None
                result = await explain(
                    session,
                    desk.policy,
                    desk.divisions,
                    officer=account,
                    matter=Matter(matter_value),
                    division_code=place.code,
                )
        return render(
            desk.request,
            "administration/explain.html",
            desk.context(officers=officers, params=dict(params), result=result, errors=errors),
            fragment="administration/_explanation.html",
        )
