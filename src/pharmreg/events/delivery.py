"""Delivering each source's outbox to the consumers: at least once, applied once.

This module owns its transactions (it is an edge, like a job): one on the source schema,
one on the national schema, per batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import repository
from pharmreg.events.schemas import Consumer, Event, PendingEvent, Source
from pharmreg.events.service import outbox_of
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import Database
from pharmreg.kit.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    batch_size: int = 100
    max_attempts: int = 10
    caught_up_interval_seconds: float = 10.0
    # A pause between applying a batch nationally and marking it delivered, so that a test can
    # kill the relay inside that window; the platform's relay never sets it.
    commit_pause_ms: int = 0


class SourceBusyError(RuntimeError):
    """The source still has undelivered events, so its totals cannot be taken now."""


def _source_session(db: Database, source: Source) -> AsyncSession:
    return db.national() if source.is_national else db.tenant(source.schema, source.placement)


async def deliver_pending(
    db: Database,
    source: Source,
    consumers: Mapping[str, Sequence[Consumer]],
    options: DeliveryOptions,
) -> int:
    """Deliver `source`'s releasable events in order; returns how many were delivered.

    Events are released in writing-transaction order once every older transaction of the
    source has ended, so none can be overtaken. A batch is applied in one national
    transaction, each event in a savepoint with a `consumed_event` row per consumer (keyed
    by the event's UUID); the source rows are marked delivered after the national commit.
    A crash in between redelivers events whose effects are committed, and the
    `consumed_event` rows turn those redeliveries into no-ops. One process drains a source
    at a time.
    """
    model = outbox_of(source)
    delivered = 0
    while True:
        async with _source_session(db, source) as session, session.begin():
            if not await repository.try_lock_source(session, source.schema):
                return delivered  # another process is draining this source
            as_of = await repository.transaction_time(session)
            rows = await repository.pending_batch(session, model, options.batch_size)
            if not rows:
                async with db.national() as national, national.begin():
                    await repository.mark_caught_up(
                        national, source.schema, as_of, options.caught_up_interval_seconds
                    )
                return delivered
            applied, failure = await _apply_batch(db, source, rows, consumers)
            if options.commit_pause_ms:
                await asyncio.sleep(options.commit_pause_ms / 1000)
            now = utcnow()
            if applied:
                await repository.mark_delivered(session, model, [row.id for row in applied], now)
            delivered += len(applied)
            if failure is not None:
                failed, error = failure
                park = failed.attempts + 1 >= options.max_attempts
                message = f"{type(error).__name__}: {error}"
                await repository.mark_failed(session, model, failed.id, message, park, now)
                log.error(
                    "outbox.delivery_failed",
                    source=source.schema,
                    event_id=failed.id,
                    topic=failed.topic,
                    attempt=failed.attempts + 1,
                    parked=park,
                    exc_info=error,
                )
                # Stop here so later events of this source never overtake a failed one; the
                # next relay pass retries it, or skips it once it is parked.
                return delivered


async def _apply_batch(
    db: Database, source: Source, rows: Sequence[Any], consumers: Mapping[str, Sequence[Consumer]]
) -> tuple[list[Any], tuple[Any, Exception] | None]:
    """Apply rows nationally until one fails; returns the applied rows and the failure."""
    applied: list[Any] = []
    failure: tuple[Any, Exception] | None = None
    async with db.national() as national, national.begin():
        for row in rows:
            event = Event(
                id=row.id,
                uuid=row.event_uuid,
                source=source,
                topic=row.topic,
                payload=row.payload,
                created_at=row.created_at,
            )
            try:
                async with national.begin_nested():
                    await _apply(national, event, consumers.get(event.topic, ()))
            except Exception as exc:
                failure = (row, exc)
                break
            applied.append(row)
        if applied:
            await repository.advance_cursor(national, source.schema, applied[-1].id)
    return applied, failure


async def _apply(national: AsyncSession, event: Event, consumers: Sequence[Consumer]) -> None:
    for consumer in consumers:
        claimed = await repository.claim_consumption(
            national, consumer.name, event.uuid, event.source.schema, event.id
        )
        if claimed:
            await consumer.apply(national, event)
        else:
            log.info(
                "outbox.duplicate_skipped",
                consumer=consumer.name,
                source=event.source.schema,
                event_id=event.id,
            )


@asynccontextmanager
async def quiesced(db: Database, source: Source) -> AsyncIterator[AsyncSession]:
    """A read-only snapshot of `source` in which every event has been delivered.

    Holds the source's delivery lock for the duration, so national state derived from the
    source stays still while the caller recomputes it; events committed after the snapshot
    are delivered afterwards, on top of what the caller wrote. If delivery was under way
    when the snapshot was taken, the snapshot shows undelivered events and SourceBusyError
    is raised: the caller tries again later.
    """
    async with _source_session(db, source) as session, session.begin():
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        await repository.lock_source(session, source.schema)
        if await repository.count_undelivered(session, outbox_of(source)):
            raise SourceBusyError(source.schema)
        yield session


async def pending_summary(db: Database, source: Source, limit: int = 50) -> list[PendingEvent]:
    """Undelivered and parked events of one source, oldest first."""
    async with _source_session(db, source) as session:
        rows = await repository.undelivered(session, outbox_of(source), limit)
    return [
        PendingEvent(
            source_schema=source.schema,
            id=row.id,
            topic=row.topic,
            created_at=row.created_at,
            attempts=row.attempts,
            last_error=row.last_error,
            parked=row.parked_at is not None,
        )
        for row in rows
    ]


async def count_pending(db: Database, source: Source) -> int:
    async with _source_session(db, source) as session:
        return await repository.count_pending(session, outbox_of(source))


async def release_parked(db: Database, source: Source, event_id: int | None = None) -> int:
    """Put parked events back in line once their cause is fixed; returns how many."""
    async with _source_session(db, source) as session, session.begin():
        return await repository.release_parked(session, outbox_of(source), event_id)
