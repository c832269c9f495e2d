"""Approval authority: delegating it, taking it back, projecting rules, explaining decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import SYSTEM, Actor, record_tenant_audit
from pharmreg.authority import repository
from pharmreg.authority.matters import Matter
from pharmreg.authority.models import Delegation
from pharmreg.authority.policy import AuthorityPolicy
from pharmreg.authority.projection import Grant, Rule, next_change, project
from pharmreg.authority.schemas import (
    DelegationForm,
    DelegationRead,
    Explanation,
    ExplanationStep,
    MatrixCell,
    MatrixRow,
    RevocationForm,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import OfficerAccount, Position, UnitRead, list_units
from pharmreg.kit.clock import CHINA_TIME, china_today, utcnow
from pharmreg.kit.codes import division_covers
from pharmreg.kit.forms import FormErrors, Problems
from pharmreg.tenancy import TenantInfo

# Within this, two moments are "the same": a grant made effective at once, a take-back made now.
_INSTANT = timedelta(seconds=1)
# Posts that handle the steps of an application; any of them lets an officer act on a case.
HANDLING_POSITIONS = (Position.ACCEPTANCE, Position.REVIEW, Position.DECISION, Position.CERTIFICATE)


@dataclass(frozen=True, slots=True)
class Units:
    """The tenant's bureau units, by id and by division code."""

    by_id: dict[int, UnitRead]
    by_code: dict[str, UnitRead]

    @classmethod
    async def load(cls, session: AsyncSession) -> Units:
        units = await list_units(session)
        return cls({u.id: u for u in units}, {u.division_code: u for u in units})

    def name(self, unit_id: int | None) -> str:
        unit = self.by_id.get(unit_id) if unit_id is not None else None
        return unit.name if unit else "—"


def day_start(day: date) -> datetime:
    """00:00 China time of `day`: delegations start and end at day boundaries."""
    return datetime.combine(day, time(0), tzinfo=CHINA_TIME)


def _grant(delegation: Delegation, units: Units) -> Grant:
    return Grant(
        id=delegation.id,
        grantor_code=units.by_id[delegation.grantor_unit_id].division_code,
        delegate_code=units.by_id[delegation.delegate_unit_id].division_code,
        matter=delegation.matter,
        territory=tuple(delegation.territory),
        valid_from=delegation.valid_from,
        valid_to=delegation.valid_to,
    )


async def reproject(session: AsyncSession, tenant: TenantInfo, *, moment: datetime | None = None) -> int:
    """Rebuild the tenant's rules from its delegations, in the caller's transaction.

    Returns the new version; every process reloads when it sees the version move.
    """
    moment = moment or utcnow()
    state = await repository.lock_state(session)
    units = await Units.load(session)
    since = state.projected_at
    delegations = await repository.delegations(
        session, include_ended_before=min(since, moment) if since else moment
    )
    if since is not None:
        await _audit_transitions(session, delegations, units, since=since, moment=moment)
    grants = [_grant(d, units) for d in delegations]
    rules = project(
        province_unit=tenant.division_code, territory=tenant.territory, grants=grants, moment=moment
    )
    await repository.replace_rules(
        session,
        [
            {
                "unit_code": r.unit,
                "domain": r.domain,
                "matter": r.matter,
                "effect": r.effect,
                "source": r.source,
            }
            for r in rules
        ],
    )
    state.version += 1
    state.projected_at = moment
    state.next_change_at = next_change(grants, moment)
    return state.version


async def ensure_projected(session: AsyncSession, tenant: TenantInfo) -> bool:
    """Project the base rules of a tenant that never had any; True if it was needed."""
    if await repository.current_version(session) > 0:
        return False
    await reproject(session, tenant)
    return True


async def load_policy(session: AsyncSession, model_text: str) -> AuthorityPolicy:
    """The tenant's current rules as an enforcer (the rows are read in the caller's snapshot)."""
    version = await repository.current_version(session)
    rules = [
        Rule(r.unit_code, r.domain, r.matter, r.effect, r.source) for r in await repository.rules(session)
    ]
    return AuthorityPolicy(rules, version, model_text)


async def apply_scheduled_changes(
    session: AsyncSession, tenant: TenantInfo, *, moment: datetime | None = None
) -> bool:
    """Reproject if a delegation started or ended since the last projection; True if it did.

    Run every minute by the worker, so dated grants and scheduled take-backs take effect on
    their day (each leaves an audit entry, written by the reprojection).
    """
    moment = moment or utcnow()
    state = await repository.lock_state(session)
    if state.next_change_at is None or state.next_change_at > moment:
        return False
    await reproject(session, tenant, moment=moment)
    return True


async def _audit_transitions(
    session: AsyncSession,
    delegations: Sequence[Delegation],
    units: Units,
    *,
    since: datetime,
    moment: datetime,
) -> None:
    """Audit the delegations that started or ended by the calendar between two projections.

    Whatever projects next (the minute job, or a grant or take-back made meanwhile) writes
    them, so none is missed. Grants effective at once and take-backs made at once were
    audited when they were made; one taken back before it started never ran at all.
    """
    for delegation in delegations:
        if delegation.valid_to is not None and delegation.valid_to - delegation.valid_from < _INSTANT:
            continue  # withdrawn before it started
        what = f"{units.name(delegation.delegate_unit_id)}的{Matter(delegation.matter).label}审批权限"
        scheduled_start = delegation.valid_from - delegation.created_at >= _INSTANT
        if scheduled_start and since < delegation.valid_from <= moment:
            await record_tenant_audit(
                session,
                action="delegation_started",
                actor=SYSTEM,
                target=units.name(delegation.delegate_unit_id),
                summary=f"{what}按期生效",
                details={"delegation_id": delegation.id},
            )
        ends = delegation.valid_to
        taken_back_at_once = (
            delegation.revoked_at is not None and ends is not None and ends - delegation.revoked_at < _INSTANT
        )
        if ends is not None and since < ends <= moment and not taken_back_at_once:
            await record_tenant_audit(
                session,
                action="delegation_expired",
                actor=SYSTEM,
                target=units.name(delegation.delegate_unit_id),
                summary=f"{what}{'按定时收回' if delegation.revoked_at is not None else '到期'}终止",
                details={"delegation_id": delegation.id},
            )


# --------------------------------------------------------------------------- granting


def _parse_day(value: str, field: str, problems: Problems, *, default: date | None) -> date | None:
    if not value.strip():
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.add(field, "日期格式应为 年-月-日，如 2026-12-01")
        return None


async def grant_delegation(
    session: AsyncSession,
    form: DelegationForm,
    *,
    tenant: TenantInfo,
    grantor: OfficerAccount,
    divisions: DivisionIndex,
    policy: AuthorityPolicy,
    actor: Actor,
) -> list[Delegation]:
    """Hand matters from the grantor's unit to a lower unit, one record per matter.

    Refuses, with every reason at once: unknown or misplaced units, territory outside the
    delegate's division, periods that end before they start or start in the past, matters
    the grantor does not hold there, re-delegation where it was not allowed, and overlaps
    with existing or scheduled delegations.
    """
    await repository.lock_state(session)  # one change to the tenant's authority at a time
    problems = Problems()
    units = await Units.load(session)
    grantor_unit = units.by_id[grantor.unit_id]
    delegate = units.by_id.get(form.delegate_unit_id)
    if delegate is None:
        problems.add("delegate_unit_id", "所选单位不属于本省，不能下放")
    elif delegate.id == grantor_unit.id:
        problems.add("delegate_unit_id", "不能把权限下放给本单位")
    elif delegate.level <= grantor_unit.level or not (
        # Every unit of the tenant lies within the province bureau's territory (the Corps'
        # code 660000 does not cover its cities by prefix, so do not compare codes there).
        grantor_unit.level == 1 or division_covers(grantor_unit.division_code, delegate.division_code)
    ):
        problems.add("delegate_unit_id", "只能下放给本单位辖区内的下级单位")
    matters: list[Matter] = []
    for value in form.matters:
        try:
            matters.append(Matter(value))
        except ValueError:
            problems.add("matters", f"事项不存在：{value}")
    if not form.matters:
        problems.add("matters", "请至少选择一个事项")
    today = china_today()
    start_day = _parse_day(form.valid_from, "valid_from", problems, default=today)
    end_day = _parse_day(form.valid_to, "valid_to", problems, default=None)
    if start_day is not None and start_day < today:
        problems.add("valid_from", "生效日期不能早于今天")
    if start_day is not None and end_day is not None and end_day < start_day:
        problems.add("valid_to", "截止日期不能早于生效日期")
    reason = form.reason.strip()
    if not 2 <= len(reason) <= 500:
        problems.add("reason", "请填写下放理由（2 至 500 字）")
    territory = _territory(form, delegate, tenant, divisions, problems)
    problems.raise_if_any()
    assert delegate is not None and start_day is not None
    valid_from = max(day_start(start_day), utcnow()) if start_day == today else day_start(start_day)
    valid_to = day_start(end_day + timedelta(days=1)) if end_day else None

    existing = await repository.delegations(session, include_ended_before=utcnow())
    created = []
    for matter in matters:
        parent = _authority_of_grantor(
            problems, matter, territory, grantor_unit, tenant, existing, policy, units, valid_from, valid_to
        )
        _overlaps(problems, matter, territory, valid_from, valid_to, existing, units, parent)
        if problems:
            continue
        created.append(
            repository.add_delegation(
                session,
                {
                    "grantor_unit_id": grantor_unit.id,
                    "delegate_unit_id": delegate.id,
                    "matter": matter.value,
                    "territory": territory,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "reason": reason,
                    "may_redelegate": form.may_redelegate and delegate.level == 2,
                    "parent_id": parent.id if parent else None,
                    "created_by": grantor.id,
                },
            )
        )
    problems.raise_if_any()
    await session.flush()
    names = "、".join(_division_names(territory, divisions))
    for delegation in created:
        period = f"{start_day:%Y-%m-%d} 起" + (f"至 {end_day:%Y-%m-%d}" if end_day else "，至收回为止")
        await record_tenant_audit(
            session,
            action="delegation_granted",
            actor=actor,
            target=delegate.name,
            summary=f"将{names}的{Matter(delegation.matter).label}审批权限下放给{delegate.name}（{period}）",
            details={"delegation_id": delegation.id, "territory": territory, "reason": reason},
        )
    await reproject(session, tenant)
    return created


def _division_names(codes: Sequence[str], divisions: DivisionIndex) -> list[str]:
    return [d.name if (d := divisions.get(code)) else code for code in codes]


def _territory(
    form: DelegationForm,
    delegate: UnitRead | None,
    tenant: TenantInfo,
    divisions: DivisionIndex,
    problems: Problems,
) -> list[str]:
    if delegate is None:
        return []
    codes = sorted(set(form.territory)) or [delegate.division_code]
    for code in codes:
        division = divisions.get(code)
        if division is None or not division.current:
            problems.add("territory", f"{code} 不是现行行政区划")
        elif not division_covers(delegate.division_code, code):
            problems.add("territory", f"{division.full_name}不在{delegate.name}的辖区内")
        elif not any(division_covers(t, code) for t in tenant.territory):
            problems.add("territory", f"{division.full_name}不属于本省")
    # Nested codes (a city and one of its counties) would be two claims on the same place.
    if any(a != b and division_covers(a, b) for a in codes for b in codes):
        problems.add("territory", "辖区范围中有重复覆盖的地区")
    return codes


def _authority_of_grantor(
    problems: Problems,
    matter: Matter,
    territory: list[str],
    grantor: UnitRead,
    tenant: TenantInfo,
    existing: Sequence[Delegation],
    policy: AuthorityPolicy,
    units: Units,
    valid_from: datetime,
    valid_to: datetime | None,
) -> Delegation | None:
    """Check the grantor may hand this matter on here; returns the delegation it holds it by."""
    if grantor.division_code == tenant.division_code:
        for code in territory:
            decision = policy.decide(grantor.division_code, matter.value, code)
            if not decision.allowed:
                holder = policy.responsible_unit(matter.value, code)
                holder_name = units.by_code[holder].name if holder in units.by_code else "其他单位"
                problems.add("territory", f"{matter.label}在该地区已由{holder_name}办理，请先收回再重新下放")
        return None
    parents = [
        d
        for d in existing
        if d.delegate_unit_id == grantor.id
        and d.matter == matter.value
        and d.revoked_at is None
        and all(any(division_covers(t, code) for t in d.territory) for code in territory)
    ]
    if not parents:
        problems.add("matters", f"本单位没有{matter.label}的审批权限，不能转授")
        return None
    parent = parents[0]
    if not parent.may_redelegate:
        problems.add("matters", f"上级下放{matter.label}时未允许转授")
    ends = parent.valid_to
    if parent.valid_from > valid_from or (ends is not None and (valid_to is None or valid_to > ends)):
        problems.add("valid_to", f"转授期限不能超出上级下放的期限（{_period(parent)}）")
    return parent


def _overlaps(
    problems: Problems,
    matter: Matter,
    territory: list[str],
    valid_from: datetime,
    valid_to: datetime | None,
    existing: Sequence[Delegation],
    units: Units,
    parent: Delegation | None,
) -> None:
    for other in existing:
        if other.matter != matter.value or (parent is not None and other.id == parent.id):
            continue
        overlap_in_time = (other.valid_to is None or other.valid_to > valid_from) and (
            valid_to is None or valid_to > other.valid_from
        )
        overlap_in_place = any(
            division_covers(a, b) or division_covers(b, a) for a in territory for b in other.territory
        )
        if overlap_in_time and overlap_in_place:
            problems.add(
                "territory",
                f"与已有的{matter.label}下放（{units.name(other.delegate_unit_id)}，{_period(other)}）在时间和地区上重叠",
            )


def _last_day(ends: datetime) -> date:
    """The last day a delegation ending at `ends` is in force (China time)."""
    return (ends - timedelta(microseconds=1)).astimezone(CHINA_TIME).date()


def _period(delegation: Delegation) -> str:
    start = delegation.valid_from.astimezone(CHINA_TIME)
    if delegation.valid_to is None:
        return f"{start:%Y-%m-%d} 起"
    end = (delegation.valid_to - timedelta(microseconds=1)).astimezone(CHINA_TIME)
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


# --------------------------------------------------------------------------- taking back


async def delegation_family(session: AsyncSession, delegation_id: int) -> list[Delegation]:
    """A delegation and every re-delegation made from it, directly or further down."""
    root = await repository.delegation_by_id(session, delegation_id)
    if root is None:
        return []
    family, pending = [root], [root.id]
    while pending:
        for child in await repository.children_of(session, pending.pop()):
            family.append(child)
            pending.append(child.id)
    return family


async def revoke_delegation(
    session: AsyncSession,
    delegation_id: int,
    form: RevocationForm,
    *,
    tenant: TenantInfo,
    revoker: OfficerAccount,
    actor: Actor,
) -> list[Delegation]:
    """Take a delegation back, now or at a date, with every re-delegation made from it.

    A take-back already scheduled may be brought forward (to an earlier date, or now).
    """
    await repository.lock_state(session)  # one change to the tenant's authority at a time
    delegation = await repository.delegation_by_id(session, delegation_id, lock=True)
    if delegation is None:
        raise LookupError(delegation_id)
    now = utcnow()
    units = await Units.load(session)
    is_province = units.by_id[revoker.unit_id].division_code == tenant.division_code
    if not is_province and delegation.grantor_unit_id != revoker.unit_id:
        raise LookupError(delegation_id)  # not theirs: answered like a delegation that does not exist
    problems = Problems()
    if delegation.valid_to is not None and delegation.valid_to <= now:
        problems.add("", "该授权已收回或已到期，无需再次收回")
    problems.raise_if_any()
    day = _parse_day(form.effective, "effective", problems, default=None)
    reason = form.reason.strip()
    if not 2 <= len(reason) <= 500:
        problems.add("reason", "请填写收回理由（2 至 500 字）")
    if day is not None and day <= china_today():
        problems.add("effective", "定时收回的日期应晚于今天；立即收回请留空")
    problems.raise_if_any()
    when = day_start(day) if day is not None else now
    if delegation.valid_to is not None and when >= delegation.valid_to:
        ends = _last_day(delegation.valid_to)
        if delegation.revoked_at is not None:
            raise FormErrors({"effective": f"该授权已定于 {ends:%Y-%m-%d} 后收回；只能提前，不能推迟"})
        raise FormErrors({"effective": f"该授权本就于 {ends:%Y-%m-%d} 到期"})
    family = await delegation_family(session, delegation_id)
    for member in family:
        if member.valid_to is not None and member.valid_to <= when:
            continue
        # A delegation taken back before it started simply never starts.
        member.valid_to = max(when, member.valid_from + timedelta(microseconds=1))
        member.revoked_at = now
        member.revoked_by = revoker.id
        member.revoke_reason = (
            reason if member.id == delegation_id else f"随上级授权（#{delegation_id}）一并收回"
        )
        await record_tenant_audit(
            session,
            action="delegation_revoked",
            actor=actor,
            target=units.name(member.delegate_unit_id),
            summary=(
                f"{'立即' if day is None else f'定于 {day:%Y-%m-%d} '}收回"
                f"{units.name(member.delegate_unit_id)}的{Matter(member.matter).label}审批权限"
            ),
            details={"delegation_id": member.id, "reason": member.revoke_reason},
        )
    await session.flush()
    await reproject(session, tenant)
    return family


# --------------------------------------------------------------------------- reading


def delegation_read(
    delegation: Delegation, units: Units, divisions: DivisionIndex, now: datetime
) -> DelegationRead:
    if delegation.valid_to is not None and (
        delegation.valid_to <= now or delegation.valid_to - delegation.valid_from < _INSTANT
    ):
        state = "ended"  # over, or withdrawn before it started
    elif delegation.valid_from > now:
        state = "scheduled"
    elif delegation.revoked_at is not None:
        state = "ending"
    else:
        state = "active"
    return DelegationRead(
        id=delegation.id,
        matter=delegation.matter,
        matter_label=Matter(delegation.matter).label,
        grantor_unit_id=delegation.grantor_unit_id,
        grantor_name=units.name(delegation.grantor_unit_id),
        delegate_unit_id=delegation.delegate_unit_id,
        delegate_name=units.name(delegation.delegate_unit_id),
        territory=list(delegation.territory),
        territory_names=_division_names(delegation.territory, divisions),
        valid_from=delegation.valid_from,
        valid_to=delegation.valid_to,
        reason=delegation.reason,
        may_redelegate=delegation.may_redelegate,
        parent_id=delegation.parent_id,
        state=state,
        revoke_reason=delegation.revoke_reason,
    )


async def list_delegations(
    session: AsyncSession, divisions: DivisionIndex, *, include_ended: bool = False
) -> list[DelegationRead]:
    now = utcnow()
    units = await Units.load(session)
    rows = await repository.delegations(session, include_ended_before=None if include_ended else now)
    return [delegation_read(d, units, divisions, now) for d in rows]


async def authority_matrix(
    session: AsyncSession,
    policy: AuthorityPolicy,
    divisions: DivisionIndex,
    *,
    parent_unit_id: int | None,
    matters: Sequence[Matter] = tuple(Matter),
) -> list[MatrixRow]:
    """Rows of units (the cities, or the counties of one city) × matters: who holds what, since when."""
    now = utcnow()
    units = await Units.load(session)
    delegations = await repository.delegations(session, include_ended_before=now)
    by_id = {d.id: d for d in delegations}
    province = next(u for u in units.by_id.values() if u.level == 1)
    if parent_unit_id is None:
        level2 = [u for u in units.by_id.values() if u.level == 2]
        # Municipalities and the Corps have no city bureaus: their counties are the rows.
        rows = level2 or [u for u in units.by_id.values() if u.level == 3]
    else:
        rows = [u for u in units.by_id.values() if u.parent_id == parent_unit_id]
    result = []
    for unit in sorted(rows, key=lambda u: u.division_code):
        cells = []
        for matter in matters:
            holder_code = policy.responsible_unit(matter.value, unit.division_code)
            holder = units.by_code.get(holder_code or "")
            decision = policy.decide(holder_code, matter.value, unit.division_code) if holder_code else None
            source = decision.rule[4] if decision and decision.rule else "base"
            delegation = by_id.get(int(source.split(":")[1])) if source.startswith("delegation:") else None
            scheduled = [
                delegation_read(d, units, divisions, now)
                for d in delegations
                if d.matter == matter.value
                and d.valid_from > now
                and any(
                    division_covers(t, unit.division_code) or division_covers(unit.division_code, t)
                    for t in d.territory
                )
            ]
            cells.append(
                MatrixCell(
                    matter=matter.value,
                    holder_unit_id=holder.id if holder else None,
                    holder_name=holder.name if holder else "—",
                    since=delegation.valid_from if delegation else None,
                    delegation_id=delegation.id if delegation else None,
                    delegated=holder is not None and holder.id != province.id,
                    ending=delegation.valid_to if delegation else None,
                    scheduled=scheduled,
                )
            )
        has_children = any(u.parent_id == unit.id for u in units.by_id.values())
        result.append(MatrixRow(unit.id, unit.division_code, unit.name, unit.level, cells, has_children))
    return result


async def explain(
    session: AsyncSession,
    policy: AuthorityPolicy,
    divisions: DivisionIndex,
    *,
    officer: OfficerAccount,
    matter: Matter,
    division_code: str,
) -> Explanation:
    """Why an officer may or may not act on a matter at a place: posts, then the authority chain."""
    steps: list[ExplanationStep] = []
    place = divisions.get(division_code)
    place_name = place.full_name if place else division_code
    held = [p for p in HANDLING_POSITIONS if officer.holds(p.value)]
    if held:
        steps.append(
            ExplanationStep(
                f"{officer.name} 在{officer.unit_name}担任{'、'.join(p.label for p in held)}岗位", True
            )
        )
    else:
        steps.append(ExplanationStep(f"{officer.name} 未担任受理、审核、审批或制证岗位", False))
    units = await Units.load(session)
    decision = policy.decide(officer.unit_code, matter.value, division_code)
    holder_code = policy.responsible_unit(matter.value, division_code)
    holder = units.by_code.get(holder_code or "")
    chain = await _chain(session, policy, holder_code, matter, division_code, units, divisions)
    steps.extend(chain)
    if decision.allowed:
        steps.append(
            ExplanationStep(f"因此{officer.unit_name}持有{place_name}的{matter.label}审批权限", True)
        )
    else:
        who = holder.name if holder else "无单位"
        steps.append(
            ExplanationStep(
                f"{place_name}的{matter.label}审批权限由{who}持有，不是{officer.unit_name}", False
            )
        )
    allowed = bool(held) and decision.allowed
    verdict = (
        f"{officer.name} 可以办理{place_name}的{matter.label}"
        if allowed
        else f"{officer.name} 不能办理{place_name}的{matter.label}"
    )
    return Explanation(allowed=allowed, verdict=verdict, steps=steps)


async def _chain(
    session: AsyncSession,
    policy: AuthorityPolicy,
    holder_code: str | None,
    matter: Matter,
    division_code: str,
    units: Units,
    divisions: DivisionIndex,
) -> list[ExplanationStep]:
    """The delegations, from the province down, that give the holder its authority."""
    if holder_code is None:
        return [ExplanationStep("本省没有单位持有该地区该事项的审批权限", False)]
    decision = policy.decide(holder_code, matter.value, division_code)
    source = decision.rule[4] if decision.rule else "base"
    if not source.startswith("delegation:"):
        return [
            ExplanationStep(
                f"{units.by_code[holder_code].name}作为省级药品监管部门，默认持有全省各事项的审批权限", True
            )
        ]
    return [
        ExplanationStep(
            f"{units.name(current.grantor_unit_id)}将"
            f"{'、'.join(_division_names(current.territory, divisions))}的{matter.label}"
            f"下放给{units.name(current.delegate_unit_id)}（{_period(current)}，理由：{current.reason}）",
            True,
        )
        for current in await _lineage(session, int(source.split(":")[1]))
    ]


async def _lineage(session: AsyncSession, delegation_id: int) -> list[Delegation]:
    """A delegation and the ones it was re-delegated from, the province's first."""
    chain = []
    current = await repository.delegation_by_id(session, delegation_id)
    while current is not None:
        chain.append(current)
        current = await repository.delegation_by_id(session, current.parent_id) if current.parent_id else None
    return list(reversed(chain))


@dataclass(frozen=True, slots=True)
class ActingAuthority:
    """Who acts on a matter at a place, and under whose delegation, as documents name them."""

    name: str
    # The bureau whose authority a city or county exercises (委托机关); None when acting on its own.
    entrusted_by: str | None = None
    # Units that passed the delegation on (转委托), from the top down.
    passed_on_by: tuple[str, ...] = ()
    delegation_id: int | None = None

    @property
    def mark(self) -> str:
        """The delegation mark printed after the acting bureau's name, or nothing."""
        if self.entrusted_by is None:
            return ""
        via = "".join(f"，经{unit}转委托" for unit in self.passed_on_by)
        return f"（受{self.entrusted_by}委托{via}）"

    @property
    def printed(self) -> str:
        return f"{self.name}{self.mark}"


async def acting_authority(
    session: AsyncSession,
    policy: AuthorityPolicy,
    *,
    unit_code: str,
    matter: str,
    division_code: str,
    own_name: str,
) -> ActingAuthority:
    """The authority under which `unit_code` acts on `matter` at a place, as the rules stand now.

    A unit acting on the base rules acts in its own right (`own_name`, the province bureau as the
    tenant names it); one acting under a delegation is named with the delegation, which is read
    from the rule that decides, so a document records the authority at the time of the act.
    """
    decision = policy.decide(unit_code, matter, division_code)
    source = decision.rule[4] if decision.allowed and decision.rule else "base"
    if not source.startswith("delegation:"):
        return ActingAuthority(own_name)
    lineage = await _lineage(session, int(source.split(":")[1]))
    if not lineage:
        return ActingAuthority(own_name)
    units = await Units.load(session)
    return ActingAuthority(
        name=units.name(lineage[-1].delegate_unit_id),
        entrusted_by=units.name(lineage[0].grantor_unit_id),
        passed_on_by=tuple(units.name(d.grantor_unit_id) for d in lineage[1:]),
        delegation_id=lineage[-1].id,
    )
