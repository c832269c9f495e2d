"""The outbox relay as the platform runs it: every source, every consumer, wired once.

Used by the worker, the command line and the tests, so that they all deliver the same way.
"""

from __future__ import annotations

from pharmreg.events import Consumer, DeliveryOptions, Relay, Source, index_consumers
from pharmreg.kit.db import Database
from pharmreg.settings import Settings
from pharmreg.supervision import ProvinceFiguresProjection
from pharmreg.tenancy import load_directory


def consumers() -> list[Consumer]:
    """Every national consumer of outbox events."""
    return [ProvinceFiguresProjection()]


async def event_sources(db: Database) -> list[Source]:
    """The schemas to deliver from, read afresh from the registry."""
    async with db.national() as session:
        directory = await load_directory(session)
    return directory.event_sources()


def build_relay(db: Database, settings: Settings, *, listen: bool = True) -> Relay:
    """The relay with the platform's consumers; `listen=False` for one-off passes."""

    async def sources() -> list[Source]:
        return await event_sources(db)

    listen_urls = [db.url(), *(db.url(name) for name in settings.placements)] if listen else []
    return Relay(
        db,
        sources=sources,
        consumers=index_consumers(consumers()),
        listen_urls=listen_urls,
        poll_seconds=settings.outbox_poll_seconds,
        options=DeliveryOptions(
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
            commit_pause_ms=settings.outbox_commit_pause_ms,
        ),
    )
