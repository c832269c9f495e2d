"""The outbox relay in a process of its own, pausing between applying each batch nationally and
marking it delivered, so that a test can kill it inside that window.

Run as `python -m tests.events.paused_relay PAUSE_MS BATCH_SIZE`, with the platform's
environment (DATABASE_URL, REDIS_URL, PHARMREG_*). The platform never pauses there; only this
process sets `DeliveryOptions.commit_pause_ms`.
"""

from __future__ import annotations

import asyncio
import sys

from pharmreg.events import DeliveryOptions, Relay, Source, index_consumers
from pharmreg.kit.logging import configure_logging
from pharmreg.settings import Settings
from pharmreg.wiring import consumers, database, event_sources


async def relay(pause_ms: int, batch_size: int) -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    db = database(settings, pool_size=2)

    async def sources() -> list[Source]:
        return await event_sources(db)

    paused = Relay(
        db,
        sources=sources,
        consumers=index_consumers(consumers(settings)),
        listen_urls=[db.url(), *(db.url(name) for name in settings.placements)],
        poll_seconds=settings.outbox_poll_seconds,
        options=DeliveryOptions(
            batch_size=batch_size, max_attempts=settings.outbox_max_attempts, commit_pause_ms=pause_ms
        ),
    )
    try:
        await paused.run(asyncio.Event())  # until the test kills the process
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(relay(int(sys.argv[1]), int(sys.argv[2])))
