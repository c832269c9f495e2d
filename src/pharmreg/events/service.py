"""Writing events and delivering them to consumers, at least once, applied once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import repository
from pharmreg.events.models import NationalOutbox, OutboxCursor, TenantOutbox
from pharmreg.events.schemas import Consumer, Event, PendingEvent, Source
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import Database
from pharmreg.kit.logging import get_logger

log = get_logger(__name__)


def record_event(session: AsyncSession, topic: str, payload: Mapping[str, Any]) -> None:
    """Add an event to the outbox of the session's schema, in the caller's transaction."""
    repository.add_event(session, _outbox_for(session), topic, dict(payload))


def _outbox_for(session: AsyncSession) -> repository.Outbox:
    translate = session.sync_session.get_bind().get_execution_options().get("schema_translate_map")
    return TenantOutbox if translate else NationalOutbox


def index_consumers(consumers: Iterable[Consumer]) -> dict[str, list[Consumer]]:
    """Topic -> consumers subscribed to it."""
    by_topic: dict[str, list[Consumer]] = {}
    for consumer in consumers:
        for topic in consumer.topics:
            by_topic.setdefault(topic, []).append(consumer)
    return by_topic


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    batch_size: int = 100
    max_attempts: int = 10
    commit_pause_ms: int = 0
    caught_up_interval_seconds: float = 10.0


def _source_session(db: Database, source: Source) -> AsyncSession:
    return db.national() if source.is_national else db.tenant(source.schema, source.placement)


async def deliver_pending(
    db: Database,
    source: Source,
    consumers: Mapping[str, Sequence[Consumer]],
    options: DeliveryOptions,
) -> int:
    """Deliver `source`'s undelivered events in order; returns how many were delivered.

    A batch is applied in one national transaction, each event in its own savepoint together
    with a `consumed_event` row per consumer; the source rows are marked delivered after the
    national commit. A crash in between redelivers events whose effects are already committed,
    and the `consumed_event` rows make those redeliveries no-ops. Only one process drains a
    source at a time, in event order.
    """
    model = NationalOutbox if source.is_national else TenantOutbox
    delivered = 0
    while True:
        async with _source_session(db, source) as session, session.begin():
            if not await repository.try_lock_source(session, source.schema):
                return delivered  # another process is draining this source
            rows = await repository.pending_batch(session, model, options.batch_size)
            if not rows:
                async with db.national() as national, national.begin():
                    await repository.mark_caught_up(
                        national, source.schema, options.caught_up_interval_seconds
                    )
                return delivered
            failure: tuple[Any, Exception] | None = None
            applied: list[Any] = []
            async with db.national() as national, national.begin():
                for row in rows:
                    event = Event(
                        id=row.id,
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
            # The national side has committed; a crash before the next commit only causes
            # redeliveries that the consumed_event rows turn into no-ops.
            if options.commit_pause_ms:
                await asyncio.sleep(options.commit_pause_ms / 1000)
            now = utcnow()
            for row in applied:
                row.delivered_at = now
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


async def _apply(national: AsyncSession, event: Event, consumers: Sequence[Consumer]) -> None:
    for consumer in consumers:
        if await repository.claim_consumption(national, consumer.name, event.source.schema, event.id):
            await consumer.apply(national, event)
        else:
            log.info(
                "outbox.duplicate_skipped",
                consumer=consumer.name,
                source=event.source.schema,
                event_id=event.id,
            )


async def pending_summary(db: Database, source: Source, limit: int = 50) -> list[PendingEvent]:
    """Undelivered and parked events of one source, oldest first."""
    model = NationalOutbox if source.is_national else TenantOutbox
    async with _source_session(db, source) as session:
        rows = await repository.pending_events(session, model, limit)
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
    model = NationalOutbox if source.is_national else TenantOutbox
    async with _source_session(db, source) as session:
        return await repository.count_pending(session, model)


async def delivery_cursors(session: AsyncSession) -> dict[str, OutboxCursor]:
    return {c.source_schema: c for c in await repository.cursors(session)}


class SourceBusyError(RuntimeError):
    """The source still has undelivered events, so its totals cannot be taken now."""


@asynccontextmanager
async def quiesced(db: Database, source: Source) -> AsyncIterator[AsyncSession]:
    """A read-only snapshot of `source` in which every event has been delivered.

    Holds the source's delivery lock for the duration, so national state derived from the
    source stays still while the caller recomputes it; events committed after the snapshot
    are delivered afterwards, on top of what the caller wrote.
    """
    key = "pharmreg.outbox." + source.schema
    model = NationalOutbox if source.is_national else TenantOutbox
    async with db.engine(source.placement).connect() as lock_connection:
        await lock_connection.execute(select(func.pg_advisory_lock(func.hashtext(key))))
        await lock_connection.commit()
        try:
            async with _source_session(db, source) as session:
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                if await repository.count_undelivered(session, model):
                    raise SourceBusyError(source.schema)
                yield session
        finally:
            await lock_connection.execute(select(func.pg_advisory_unlock(func.hashtext(key))))
            await lock_connection.commit()
