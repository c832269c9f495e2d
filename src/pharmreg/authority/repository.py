"""Every query of the authority context."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.authority.models import AuthorityRule, AuthorityState, Delegation, WorkDelegation


async def delegations(
    session: AsyncSession, *, include_ended_before: datetime | None = None
) -> Sequence[Delegation]:
    """Delegations not yet ended (or ended after `include_ended_before`), oldest first."""
    query = select(Delegation).order_by(Delegation.valid_from, Delegation.id)
    if include_ended_before is not None:
        query = query.where(or_(Delegation.valid_to.is_(None), Delegation.valid_to > include_ended_before))
    return (await session.scalars(query)).all()


async def delegation_by_id(
    session: AsyncSession, delegation_id: int, *, lock: bool = False
) -> Delegation | None:
    query = select(Delegation).where(Delegation.id == delegation_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def children_of(session: AsyncSession, delegation_id: int) -> Sequence[Delegation]:
    return (await session.scalars(select(Delegation).where(Delegation.parent_id == delegation_id))).all()


def add_delegation(session: AsyncSession, values: dict[str, Any]) -> Delegation:
    delegation = Delegation(**values)
    session.add(delegation)
    return delegation


async def lock_state(session: AsyncSession) -> AuthorityState:
    """The projection's single state row, locked: one change to a tenant's authority at a time."""
    state = await session.scalar(select(AuthorityState).where(AuthorityState.id == 1).with_for_update())
    if state is None:
        state = AuthorityState(id=1, version=0)
        session.add(state)
        await session.flush()
    return state


async def current_version(session: AsyncSession) -> int:
    return int(await session.scalar(select(AuthorityState.version).where(AuthorityState.id == 1)) or 0)


async def replace_rules(session: AsyncSession, rows: list[dict[str, str]]) -> None:
    await session.execute(delete(AuthorityRule))
    if rows:
        await session.execute(insert(AuthorityRule), rows)


async def rules(session: AsyncSession) -> Sequence[AuthorityRule]:
    return (await session.scalars(select(AuthorityRule).order_by(AuthorityRule.id))).all()


async def due_for_reprojection(session: AsyncSession, moment: datetime) -> bool:
    state = await session.get(AuthorityState, 1)
    return state is not None and state.next_change_at is not None and state.next_change_at <= moment


# --------------------------------------------------------------------------- work delegation


async def work_delegations_of(session: AsyncSession, officer_id: uuid.UUID) -> Sequence[WorkDelegation]:
    query = (
        select(WorkDelegation)
        .where(or_(WorkDelegation.from_officer_id == officer_id, WorkDelegation.to_officer_id == officer_id))
        .order_by(WorkDelegation.valid_from.desc())
        .limit(50)
    )
    return (await session.scalars(query)).all()


async def active_work_delegations(
    session: AsyncSession,
    moment: datetime,
    *,
    to_officer_id: uuid.UUID | None = None,
    from_officer_id: uuid.UUID | None = None,
) -> Sequence[WorkDelegation]:
    query = select(WorkDelegation).where(
        WorkDelegation.valid_from <= moment,
        WorkDelegation.valid_to > moment,
        WorkDelegation.ended_at.is_(None),
    )
    if to_officer_id is not None:
        query = query.where(WorkDelegation.to_officer_id == to_officer_id)
    if from_officer_id is not None:
        query = query.where(WorkDelegation.from_officer_id == from_officer_id)
    return (await session.scalars(query)).all()


async def overlapping_work_delegation(
    session: AsyncSession, from_officer_id: uuid.UUID, start: datetime, end: datetime
) -> WorkDelegation | None:
    query = select(WorkDelegation).where(
        WorkDelegation.from_officer_id == from_officer_id,
        WorkDelegation.ended_at.is_(None),
        WorkDelegation.valid_from < end,
        WorkDelegation.valid_to > start,
    )
    return await session.scalar(query.limit(1))


async def work_delegation_by_id(session: AsyncSession, delegation_id: int) -> WorkDelegation | None:
    return await session.get(WorkDelegation, delegation_id)


async def end_work_delegation(session: AsyncSession, delegation_id: int, at: datetime) -> None:
    await session.execute(
        update(WorkDelegation).where(WorkDelegation.id == delegation_id).values(ended_at=at)
    )
