"""Every query of the events context."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events.models import ConsumedEvent, NationalOutbox, OutboxCursor, TenantOutbox

Outbox = type[TenantOutbox] | type[NationalOutbox]
# Transactions older than this have all ended: their events can no longer be overtaken.
_HORIZON = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


def add_event(session: AsyncSession, model: Outbox, topic: str, payload: dict[str, Any]) -> None:
    session.add(model(topic=topic, payload=payload))


def _lock_key(schema: str) -> Any:
    return func.hashtext("pharmreg.outbox." + schema)


async def try_lock_source(session: AsyncSession, schema: str) -> bool:
    """Take the per-source delivery lock for this transaction, without waiting."""
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(_lock_key(schema)))))


async def lock_source(session: AsyncSession, schema: str) -> None:
    """Take the per-source delivery lock for this transaction, waiting for it."""
    await session.execute(select(func.pg_advisory_xact_lock(_lock_key(schema))))


async def transaction_time(session: AsyncSession) -> datetime:
    """When the current transaction began: all it sees was committed before then."""
    return (await session.execute(select(func.now()))).scalar_one()


async def pending_batch(session: AsyncSession, model: Outbox, limit: int) -> Sequence[Any]:
    """The next releasable events: committed, and written before every transaction still open."""
    query = (
        select(model)
        .where(model.delivered_at.is_(None), model.parked_at.is_(None), model.tx_id < _HORIZON)
        .order_by(model.tx_id, model.id)
        .limit(limit)
        .with_for_update()
    )
    return (await session.scalars(query)).all()


async def undelivered(session: AsyncSession, model: Outbox, limit: int) -> Sequence[Any]:
    query = select(model).where(model.delivered_at.is_(None)).order_by(model.tx_id, model.id).limit(limit)
    return (await session.scalars(query)).all()


async def count_pending(session: AsyncSession, model: Outbox) -> int:
    query = select(func.count()).where(model.delivered_at.is_(None), model.parked_at.is_(None))
    return int(await session.scalar(query.select_from(model)) or 0)


async def count_undelivered(session: AsyncSession, model: Outbox) -> int:
    """Pending and parked events alike: both are changes not yet reflected nationally."""
    query = select(func.count()).where(model.delivered_at.is_(None))
    return int(await session.scalar(query.select_from(model)) or 0)


async def claim_consumption(
    session: AsyncSession, consumer: str, event_uuid: uuid.UUID, schema: str, event_id: int
) -> bool:
    """Record that `consumer` applies this event; False when it already did."""
    statement: Any = (
        insert(ConsumedEvent)
        .values(consumer=consumer, event_uuid=event_uuid, source_schema=schema, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(literal_column("1"))
    )
    result = await session.execute(statement)
    return result.first() is not None


async def advance_cursor(session: AsyncSession, schema: str, event_id: int) -> None:
    statement = insert(OutboxCursor).values(
        source_schema=schema, last_event_id=event_id, last_delivered_at=func.now()
    )
    statement = statement.on_conflict_do_update(
        index_elements=[OutboxCursor.source_schema],
        set_={"last_event_id": event_id, "last_delivered_at": func.now()},
    )
    await session.execute(statement)


async def mark_caught_up(
    session: AsyncSession, schema: str, as_of: datetime, min_interval_seconds: float
) -> None:
    """Note that everything `schema` committed before `as_of` has been delivered."""
    statement = insert(OutboxCursor).values(source_schema=schema, caught_up_at=as_of)
    statement = statement.on_conflict_do_update(
        index_elements=[OutboxCursor.source_schema],
        set_={"caught_up_at": as_of},
        where=(OutboxCursor.caught_up_at.is_(None))
        | (OutboxCursor.caught_up_at < as_of - timedelta(seconds=min_interval_seconds)),
    )
    await session.execute(statement)


async def cursors(session: AsyncSession) -> Sequence[OutboxCursor]:
    return (await session.scalars(select(OutboxCursor))).all()


async def mark_delivered(session: AsyncSession, model: Outbox, ids: list[int], at: datetime) -> None:
    await session.execute(update(model).where(model.id.in_(ids)).values(delivered_at=at))


async def mark_failed(
    session: AsyncSession, model: Outbox, event_id: int, error: str, park: bool, now: datetime
) -> None:
    await session.execute(
        update(model)
        .where(model.id == event_id)
        .values(attempts=model.attempts + 1, last_error=error[:2000], parked_at=now if park else None)
    )


async def release_parked(session: AsyncSession, model: Outbox, event_id: int | None) -> int:
    """Put parked events (one, or all) back in line; returns how many."""
    statement = update(model).where(model.parked_at.is_not(None), model.delivered_at.is_(None))
    if event_id is not None:
        statement = statement.where(model.id == event_id)
    result = await session.execute(statement.values(parked_at=None, attempts=0))
    return int(result.rowcount)  # type: ignore[attr-defined]
