"""Administration use cases that span contexts: authority changes move the tasks with them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import ACTIONS, Actor, AuditQuery
from pharmreg.authority import (
    AuthorityPolicy,
    DelegationForm,
    DelegationRead,
    RevocationForm,
    Units,
    day_start,
    delegation_family,
    delegation_read,
    grant_delegation,
    load_policy,
    revoke_delegation,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    Position,
    UnitRead,
    list_units,
    set_officer_active,
    withdraw_position,
)
from pharmreg.kit.clock import utcnow
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow import TaskRead, release_held_tasks, reroute_open_tasks, tasks_depending_on


@dataclass(frozen=True, slots=True)
class AdministeredUnits:
    """The units an administrator administers: all for the province bureau, otherwise their own
    unit and the units directly under it (a city's counties)."""

    units: list[UnitRead]
    whole_tenant: bool

    @property
    def unit_ids(self) -> set[int] | None:
        """For queries: None when nothing needs filtering."""
        return None if self.whole_tenant else {u.id for u in self.units}

    def covers(self, unit_id: int) -> bool:
        return any(u.id == unit_id for u in self.units)


async def scope_of(session: AsyncSession, officer: OfficerAccount) -> AdministeredUnits:
    units = [u for u in await list_units(session) if officer.administers(u.id, u.parent_id)]
    return AdministeredUnits(units, officer.at_province)


@dataclass(frozen=True, slots=True)
class AuthorityChange:
    delegations: list[DelegationRead]
    tasks_moved: int


async def delegate(
    session: AsyncSession,
    form: DelegationForm,
    *,
    tenant: TenantInfo,
    officer: OfficerAccount,
    divisions: DivisionIndex,
    policy: AuthorityPolicy,
    model_text: str,
    actor: Actor,
) -> AuthorityChange:
    """Grant, then move the open tasks of the delegated places into the delegate's pool."""
    created = await grant_delegation(
        session, form, tenant=tenant, grantor=officer, divisions=divisions, policy=policy, actor=actor
    )
    units = await Units.load(session)
    moved = await reroute_open_tasks(
        session,
        policy=await load_policy(session, model_text),
        units=units,
        matters=sorted({d.matter for d in created}),
        note="审批权限下放，任务转至受托单位办理",
    )
    now = utcnow()
    return AuthorityChange([delegation_read(d, units, divisions, now) for d in created], moved)


@dataclass(frozen=True, slots=True)
class Impact:
    delegations: list[DelegationRead]
    tasks: list[TaskRead]

    @property
    def cases(self) -> int:
        return len({t.case_ref for t in self.tasks})


async def revocation_impact(
    session: AsyncSession, delegation_id: int, divisions: DivisionIndex
) -> Impact | None:
    """What taking a delegation back touches: it, its re-delegations, and their open tasks."""
    family = await delegation_family(session, delegation_id)
    if not family:
        return None
    now = utcnow()
    units = await Units.load(session)
    root = family[0]
    tasks = await tasks_depending_on(
        session,
        unit_ids=sorted({d.delegate_unit_id for d in family}),
        matter=root.matter,
        territory=list(root.territory),
        divisions=divisions,
    )
    return Impact([delegation_read(d, units, divisions, now) for d in family], tasks)


async def take_back(
    session: AsyncSession,
    delegation_id: int,
    form: RevocationForm,
    *,
    tenant: TenantInfo,
    officer: OfficerAccount,
    divisions: DivisionIndex,
    model_text: str,
    actor: Actor,
) -> AuthorityChange:
    """Revoke (now or at a date); taken back now, the open tasks return to the new holder's pool."""
    family = await revoke_delegation(
        session, delegation_id, form, tenant=tenant, revoker=officer, actor=actor
    )
    units = await Units.load(session)
    moved = await reroute_open_tasks(
        session,
        policy=await load_policy(session, model_text),
        units=units,
        matters=sorted({d.matter for d in family}),
        note="审批权限收回，任务退回省级待办池",
    )
    now = utcnow()
    return AuthorityChange([delegation_read(d, units, divisions, now) for d in family], moved)


async def deactivate_officer(session: AsyncSession, officer_id: uuid.UUID, *, actor: Actor) -> int:
    """Deactivate an officer; the cases they had claimed go back to their pools. Returns how many."""
    await set_officer_active(session, officer_id, False, actor=actor)
    return await release_held_tasks(session, officer_id, note="办理人账号已停用，任务退回待办池")


async def withdraw_post(session: AsyncSession, officer_id: uuid.UUID, position: str, *, actor: Actor) -> int:
    """Take a post back; the cases the officer had claimed at that post go back to their pools."""
    await withdraw_position(session, officer_id, position, actor=actor)
    return await release_held_tasks(
        session, officer_id, positions=[Position(position).value], note="办理人的岗位已收回，任务退回待办池"
    )


def audit_query(params: Mapping[str, Any], *, national: bool = False) -> tuple[AuditQuery, dict[str, str]]:
    """Search filters from query parameters; malformed ones are reported, not guessed."""
    errors: dict[str, str] = {}
    since = until = None
    try:
        if params.get("since"):
            since = day_start(date.fromisoformat(str(params["since"])))
        if params.get("until"):
            until = day_start(date.fromisoformat(str(params["until"])) + timedelta(days=1))
    except ValueError:
        errors["since"] = "日期格式应为 年-月-日"
    action = str(params.get("action") or "") or None
    if action is not None and action not in ACTIONS:
        errors["action"] = "没有这种操作类型"
    text = str(params.get("q") or "").strip()[:50] or None
    tenant_slug = str(params.get("tenant") or "") or None if national else None
    return AuditQuery(
        text=text, action=action, since=since, until=until, tenant_slug=tenant_slug, limit=200
    ), errors
