"""Every query of the risk flags: the rules' detection over the national facts, in SQL, and the
flags, their history and the rules' settings."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, and_, cast, func, literal, or_, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from pharmreg.supervision.models import FactPracticeUnit, FactRegistration
from pharmreg.supervision.risk.models import RiskFlag, RiskFlagEvent, RiskRuleSetting

# Events after which a registration no longer is in force.
CLOSING_KINDS = ("cancelled", "expired", "transferred_out")
# A unit where no pharmacist should be practising.
UNIT_BARRED = ("suspended", "revoked", "closed")


def _latest() -> CTE:
    """Each registration's last event: its terms as they stand."""
    fr = FactRegistration
    return (
        select(
            fr.tenant,
            fr.registration_id,
            fr.person_hash,
            fr.kind,
            fr.effective_on,
            fr.practice_unit_id,
            fr.unit_type,
            fr.field,
            fr.scope,
            fr.birth_year,
            fr.valid_until,
        )
        .ext(distinct_on(fr.tenant, fr.registration_id))
        .order_by(fr.tenant, fr.registration_id, fr.effective_on.desc(), fr.event_id.desc())
        .cte("latest")
    )


def _active(today: date) -> CTE:
    """Registrations in force on `today`."""
    latest = _latest()
    return (
        select(latest).where(latest.c.kind.not_in(CLOSING_KINDS), latest.c.valid_until >= today).cte("active")
    )


async def unit_changes(session: AsyncSession, *, since: date, min_changes: int) -> Sequence[Any]:
    """Changes of practice unit after `since` of every person with at least `min_changes` of them.

    A change is an event in force (registration, change, transfer in, renewal) at another
    province or unit than the person's event in force before it, so a transfer counts once and a
    new registration elsewhere after a cancellation counts too. Each row also names the person's
    latest registration (tenant, id), where the flag goes.
    """
    fr = FactRegistration
    in_force = (
        select(
            fr.person_hash,
            fr.tenant,
            fr.registration_id,
            fr.event_id,
            fr.effective_on,
            fr.kind,
            fr.practice_unit_id,
            func.lag(fr.tenant)
            .over(partition_by=fr.person_hash, order_by=(fr.effective_on, fr.event_id))
            .label("prev_tenant"),
            func.lag(fr.practice_unit_id)
            .over(partition_by=fr.person_hash, order_by=(fr.effective_on, fr.event_id))
            .label("prev_unit"),
            func.row_number()
            .over(partition_by=fr.person_hash, order_by=(fr.effective_on.desc(), fr.event_id.desc()))
            .label("recency"),
        )
        .where(fr.kind.not_in(CLOSING_KINDS))
        .cte("in_force")
    )
    changes = (
        select(in_force)
        .where(
            in_force.c.prev_unit.is_not(None),
            or_(
                in_force.c.prev_tenant != in_force.c.tenant,
                in_force.c.prev_unit != in_force.c.practice_unit_id,
            ),
            in_force.c.effective_on > since,
        )
        .cte("changes")
    )
    frequent = (
        select(changes.c.person_hash)
        .group_by(changes.c.person_hash)
        .having(func.count() >= min_changes)
        .cte("frequent")
    )
    now = in_force.alias("now")
    query = (
        select(
            changes.c.person_hash,
            changes.c.tenant,
            changes.c.event_id,
            changes.c.effective_on,
            changes.c.kind,
            changes.c.prev_tenant,
            changes.c.prev_unit,
            changes.c.practice_unit_id,
            now.c.tenant.label("current_tenant"),
            now.c.registration_id.label("current_registration"),
        )
        .join(frequent, frequent.c.person_hash == changes.c.person_hash)
        .join(now, and_(now.c.person_hash == changes.c.person_hash, now.c.recency == 1))
        .order_by(changes.c.person_hash, changes.c.effective_on, changes.c.event_id)
    )
    return (await session.execute(query)).all()


async def at_barred_units(session: AsyncSession, *, today: date, expired_before: date) -> Sequence[Any]:
    """Registrations in force at a unit whose licence lapsed before `expired_before`, or whose
    licence was suspended or revoked, or which closed."""
    active, pu = _active(today), FactPracticeUnit
    query = (
        select(
            active.c.tenant,
            active.c.registration_id,
            active.c.person_hash,
            active.c.practice_unit_id,
            pu.status,
            pu.licence_valid_until,
        )
        .join(pu, and_(pu.tenant == active.c.tenant, pu.unit_id == active.c.practice_unit_id))
        .where(or_(pu.status.in_(UNIT_BARRED), pu.licence_valid_until < expired_before))
        .order_by(active.c.tenant, active.c.registration_id)
    )
    return (await session.execute(query)).all()


async def outside_unit_scope(
    session: AsyncSession, *, today: date, allowed: Collection[tuple[str, str]], unit_types: Collection[str]
) -> Sequence[Any]:
    """Registrations in force whose scope the unit type of their unit does not allow."""
    active = _active(today)
    query = (
        select(
            active.c.tenant,
            active.c.registration_id,
            active.c.person_hash,
            active.c.practice_unit_id,
            active.c.unit_type,
            active.c.scope,
        )
        .where(
            active.c.unit_type.in_(list(unit_types)),
            tuple_(active.c.unit_type, active.c.scope).not_in(list(allowed)),
        )
        .order_by(active.c.tenant, active.c.registration_id)
    )
    return (await session.execute(query)).all()


async def crowded_retail_units(session: AsyncSession, *, today: date, more_than: int) -> Sequence[Any]:
    """Retail units with more than `more_than` registrations in force, with their registration ids."""
    active = _active(today)
    query = (
        select(
            active.c.tenant,
            active.c.practice_unit_id,
            func.count().label("pharmacists"),
            func.array_agg(aggregate_order_by(active.c.registration_id, active.c.registration_id)).label(
                "registrations"
            ),
        )
        .where(active.c.field == "retail")
        .group_by(active.c.tenant, active.c.practice_unit_id)
        .having(func.count() > more_than)
        .order_by(active.c.tenant, active.c.practice_unit_id)
    )
    return (await session.execute(query)).all()


async def around_licence_renewal(
    session: AsyncSession, *, days_before: int, days_after: int, licence_years: int
) -> Sequence[Any]:
    """Registrations that arrived at a unit (first registration or transfer in) at most
    `days_before` days before the unit's licence renewal and closed (cancellation or transfer
    out) at most `days_after` days after it. The renewal is the start of the unit's present
    licence: its expiry date less the licence term."""
    fr, pu = FactRegistration, FactPracticeUnit
    arrivals = (
        select(
            fr.tenant,
            fr.registration_id,
            fr.person_hash,
            fr.practice_unit_id,
            func.min(fr.effective_on).label("arrived_on"),
        )
        .where(fr.kind.in_(("registered", "transferred_in")))
        .group_by(fr.tenant, fr.registration_id, fr.person_hash, fr.practice_unit_id)
        .cte("arrivals")
    )
    closings = (
        select(fr.tenant, fr.registration_id, func.min(fr.effective_on).label("left_on"))
        .where(fr.kind.in_(("cancelled", "transferred_out")))
        .group_by(fr.tenant, fr.registration_id)
        .cte("closings")
    )
    renewals = select(
        pu.tenant,
        pu.unit_id,
        cast(pu.licence_valid_until - func.make_interval(literal(licence_years)), Date).label("renewed_on"),
    ).cte("renewals")
    query = (
        select(
            arrivals.c.tenant,
            arrivals.c.registration_id,
            arrivals.c.person_hash,
            arrivals.c.practice_unit_id,
            arrivals.c.arrived_on,
            closings.c.left_on,
            renewals.c.renewed_on,
        )
        .join(
            closings,
            and_(
                closings.c.tenant == arrivals.c.tenant,
                closings.c.registration_id == arrivals.c.registration_id,
            ),
        )
        .join(
            renewals,
            and_(renewals.c.tenant == arrivals.c.tenant, renewals.c.unit_id == arrivals.c.practice_unit_id),
        )
        .where(
            arrivals.c.arrived_on >= renewals.c.renewed_on - literal(days_before),
            arrivals.c.arrived_on <= renewals.c.renewed_on,
            closings.c.left_on > renewals.c.renewed_on,
            closings.c.left_on <= renewals.c.renewed_on + literal(days_after),
        )
        .order_by(arrivals.c.tenant, arrivals.c.registration_id)
    )
    return (await session.execute(query)).all()


async def born_by(session: AsyncSession, *, today: date, born_in_or_before: int) -> Sequence[Any]:
    """Registrations in force of people born in or before the year `born_in_or_before`."""
    active = _active(today)
    query = (
        select(
            active.c.tenant,
            active.c.registration_id,
            active.c.person_hash,
            active.c.practice_unit_id,
            active.c.birth_year,
        )
        .where(active.c.birth_year.is_not(None), active.c.birth_year <= born_in_or_before)
        .order_by(active.c.tenant, active.c.registration_id)
    )
    return (await session.execute(query)).all()


# --- settings ----------------------------------------------------------------------------------


async def rule_settings(session: AsyncSession) -> dict[str, RiskRuleSetting]:
    return {row.rule: row for row in await session.scalars(select(RiskRuleSetting))}


async def save_rule_setting(
    session: AsyncSession, rule: str, *, enabled: bool, params: dict[str, int], by: str
) -> None:
    statement = insert(RiskRuleSetting).values(rule=rule, enabled=enabled, params=params, updated_by=by)
    statement = statement.on_conflict_do_update(
        index_elements=[RiskRuleSetting.rule],
        set_={"enabled": enabled, "params": params, "updated_by": by, "updated_at": func.now()},
    )
    await session.execute(statement)


# --- flags -------------------------------------------------------------------------------------


async def flags_of_rule(session: AsyncSession, rule: str) -> dict[str, RiskFlag]:
    """Every flag of a rule by subject, locked for the scan that updates them."""
    query = select(RiskFlag).where(RiskFlag.rule == rule).with_for_update()
    return {flag.subject: flag for flag in await session.scalars(query)}


def add_flag(session: AsyncSession, values: dict[str, Any]) -> RiskFlag:
    flag = RiskFlag(**values)
    session.add(flag)
    return flag


def add_event(
    session: AsyncSession,
    flag: RiskFlag,
    kind: str,
    *,
    actor_name: str | None = None,
    actor_place: str | None = None,
    note: str | None = None,
) -> None:
    session.add(
        RiskFlagEvent(flag_id=flag.id, kind=kind, actor_name=actor_name, actor_place=actor_place, note=note)
    )


async def flag(
    session: AsyncSession, flag_id: int, *, tenant: str | None = None, for_update: bool = False
) -> RiskFlag | None:
    """One flag; with `tenant`, only if it concerns that province."""
    if not 0 < flag_id < 2**31:  # beyond the column's range: no such flag
        return None
    query = select(RiskFlag).where(RiskFlag.id == flag_id)
    if tenant is not None:
        query = query.where(RiskFlag.tenant == tenant)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def flags(
    session: AsyncSession,
    *,
    rule: str | None,
    tenant: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[RiskFlag], int]:
    """A page of flags, newest first, and how many match."""
    conditions = []
    if rule:
        conditions.append(RiskFlag.rule == rule)
    if tenant:
        conditions.append(RiskFlag.tenant == tenant)
    if state:
        conditions.append(RiskFlag.state == state)
    total = await session.scalar(select(func.count()).select_from(RiskFlag).where(*conditions))
    query = (
        select(RiskFlag)
        .where(*conditions)
        .order_by(RiskFlag.updated_at.desc(), RiskFlag.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(await session.scalars(query)), int(total or 0)


async def flag_events(session: AsyncSession, flag_id: int) -> list[RiskFlagEvent]:
    query = select(RiskFlagEvent).where(RiskFlagEvent.flag_id == flag_id).order_by(RiskFlagEvent.id)
    return list(await session.scalars(query))
