"""Writing events into the outbox of the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import repository
from pharmreg.events.models import NationalOutbox, OutboxCursor, TenantOutbox
from pharmreg.events.schemas import Consumer, Source
from pharmreg.kit.db import is_tenant_session


def record_event(session: AsyncSession, topic: str, payload: Mapping[str, Any]) -> None:
    """Add an event to the outbox of the session's schema, in the caller's transaction."""
    model = TenantOutbox if is_tenant_session(session) else NationalOutbox
    repository.add_event(session, model, topic, dict(payload))


def outbox_of(source: Source) -> repository.Outbox:
    return NationalOutbox if source.is_national else TenantOutbox


def index_consumers(consumers: Iterable[Consumer]) -> dict[str, list[Consumer]]:
    """Topic -> consumers subscribed to it."""
    by_topic: dict[str, list[Consumer]] = {}
    for consumer in consumers:
        for topic in consumer.topics:
            by_topic.setdefault(topic, []).append(consumer)
    return by_topic


async def delivery_cursors(session: AsyncSession) -> dict[str, OutboxCursor]:
    return {c.source_schema: c for c in await repository.cursors(session)}
