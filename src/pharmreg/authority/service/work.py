"""Work delegation (工作委托): a colleague of the same unit handles an officer's tasks for a while."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.authority import repository
from pharmreg.authority.matters import Matter
from pharmreg.authority.models import WorkDelegation
from pharmreg.authority.schemas import WorkDelegationForm, WorkDelegationRead
from pharmreg.authority.service.delegation import HANDLING_POSITIONS, day_start
from pharmreg.identity import OfficerAccount, OfficerRead, list_officers, officer_names
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.forms import FormErrors, Problems


async def work_delegation_colleagues(session: AsyncSession, officer: OfficerAccount) -> list[OfficerRead]:
    """Who may take over this officer's tasks: active colleagues of the unit holding one of the
    same handling posts. Empty for an officer who handles no cases (nothing to hand over)."""
    own_posts = {p.value for p in HANDLING_POSITIONS if officer.holds(p.value)}
    return [
        o
        for o in await list_officers(session, unit_id=officer.unit_id)
        if o.id != officer.id and o.active and own_posts & set(o.positions)
    ]


def has_work_to_delegate(officer: OfficerAccount) -> bool:
    """Only officers holding a post that handles cases (受理, 审核, 审批, 制证) have tasks to hand over."""
    return any(officer.holds(p.value) for p in HANDLING_POSITIONS)


async def create_work_delegation(
    session: AsyncSession, form: WorkDelegationForm, *, officer: OfficerAccount, actor: Actor
) -> WorkDelegation:
    """Hand one's tasks (all, or some matters) to a colleague of the same unit for a period."""
    problems = Problems()
    colleagues = {o.id: o for o in await list_officers(session, unit_id=officer.unit_id)}
    colleague = colleagues.get(form.to_officer_id)
    own_posts = {p.value for p in HANDLING_POSITIONS if officer.holds(p.value)}
    if colleague is None or colleague.id == officer.id or not colleague.active:
        problems.add("to_officer_id", "请选择本单位的一位在岗同事")
    elif not own_posts & set(colleague.positions):
        problems.add("to_officer_id", f"{colleague.name} 没有与您相同的办理岗位，不能受托")
    if not own_posts:
        problems.add("", "您没有受理、审核、审批或制证岗位，没有可委托的工作")
    for value in form.matters:
        if value not in {m.value for m in Matter}:
            problems.add("matters", f"事项不存在：{value}")
    start = end = None
    try:
        start = date.fromisoformat(form.valid_from)
        end = date.fromisoformat(form.valid_to)
    except ValueError:
        problems.add("valid_to", "请填写委托的起止日期（年-月-日）")
    if start is not None and end is not None:
        if start < china_today():
            problems.add("valid_from", "开始日期不能早于今天")
        if end < start:
            problems.add("valid_to", "结束日期不能早于开始日期")
        elif (end - start).days > 366:
            problems.add("valid_to", "委托期限最长一年")
    reason = form.reason.strip()
    if not 2 <= len(reason) <= 300:
        problems.add("reason", "请填写委托事由（2 至 300 字）")
    problems.raise_if_any()
    assert start is not None and end is not None and colleague is not None
    valid_from = max(day_start(start), utcnow()) if start == china_today() else day_start(start)
    valid_to = day_start(end + timedelta(days=1))
    if await repository.overlapping_work_delegation(session, officer.id, valid_from, valid_to):
        raise FormErrors({"valid_from": "这段时间内您已有工作委托，请先结束原委托"})
    delegation = WorkDelegation(
        from_officer_id=officer.id,
        to_officer_id=colleague.id,
        matters=list(form.matters) or None,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason,
    )
    session.add(delegation)
    await session.flush()
    scope = "、".join(Matter(m).label for m in form.matters) if form.matters else "全部事项"
    await record_tenant_audit(
        session,
        action="work_delegation_created",
        actor=actor,
        target=colleague.name,
        summary=f"{officer.name} 委托 {colleague.name} 代为办理{scope}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）",
        details={"work_delegation_id": delegation.id, "reason": reason},
    )
    return delegation


async def end_work_delegation(
    session: AsyncSession, delegation_id: int, *, officer: OfficerAccount, actor: Actor
) -> None:
    """End one's own work delegation early (it also ends by itself at the end of its period)."""
    delegation = await repository.work_delegation_by_id(session, delegation_id)
    if delegation is None or delegation.from_officer_id != officer.id:
        raise LookupError(delegation_id)
    now = utcnow()
    if delegation.ended_at is not None or delegation.valid_to <= now:
        raise FormErrors({"": "该委托已经结束"})
    await repository.end_work_delegation(session, delegation_id, now)
    await record_tenant_audit(
        session,
        action="work_delegation_ended",
        actor=actor,
        summary=f"{officer.name} 提前结束了工作委托",
        details={"work_delegation_id": delegation_id},
    )


async def delegators_for(
    session: AsyncSession, officer_id: uuid.UUID, moment: datetime | None = None
) -> dict[uuid.UUID, frozenset[str] | None]:
    """Officers on whose behalf `officer_id` may act now -> matters (None: every matter)."""
    active = await repository.active_work_delegations(session, moment or utcnow(), to_officer_id=officer_id)
    return {d.from_officer_id: frozenset(d.matters) if d.matters else None for d in active}


async def work_delegations_of(session: AsyncSession, officer_id: uuid.UUID) -> list[WorkDelegationRead]:
    now = utcnow()
    rows = await repository.work_delegations_of(session, officer_id)
    names = await officer_names(session, [i for d in rows for i in (d.from_officer_id, d.to_officer_id)])
    return [
        WorkDelegationRead(
            id=d.id,
            from_officer_id=d.from_officer_id,
            from_name=names.get(d.from_officer_id, "—"),
            to_officer_id=d.to_officer_id,
            to_name=names.get(d.to_officer_id, "—"),
            matters=d.matters,
            valid_from=d.valid_from,
            valid_to=d.valid_to,
            reason=d.reason,
            state="ended"
            if d.ended_at or d.valid_to <= now
            else ("scheduled" if d.valid_from > now else "active"),
        )
        for d in rows
    ]
