"""The worker process: the outbox relay plus arq jobs and cron entries.

Start it from the project root:  python -m arq workers.main.WorkerSettings
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings

from pharmreg.events import DeliveryOptions, Relay, Source, index_consumers
from pharmreg.kit.db import Database
from pharmreg.kit.logging import configure_logging, get_logger
from pharmreg.settings import Settings
from pharmreg.supervision import ProvinceFiguresProjection, reconcile_province_figures
from pharmreg.tenancy import TenantDirectory, load_directory

log = get_logger("pharmreg.worker")


async def startup(ctx: dict[str, Any]) -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    db = Database(
        settings.database_url,
        placements=settings.placements,
        pool_size=settings.db_pool_size,
        statement_cache_size=settings.db_statement_cache_size,
        application_name="pharmreg-worker",
    )

    async def all_sources() -> list[Source]:
        async with db.national() as session:
            directory = await load_directory(session)
        national = [directory.national.source] if directory.national else []
        return national + tenant_sources_of(directory)

    async def tenant_sources() -> list[Source]:
        async with db.national() as session:
            directory = await load_directory(session)
        return tenant_sources_of(directory)

    relay = Relay(
        db,
        sources=all_sources,
        consumers=index_consumers([ProvinceFiguresProjection()]),
        listen_urls=[db.url(), *(db.url(name) for name in settings.placements)],
        poll_seconds=settings.outbox_poll_seconds,
        options=DeliveryOptions(
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
            commit_pause_ms=settings.outbox_commit_pause_ms,
        ),
    )
    stop = asyncio.Event()
    ctx.update(
        settings=settings,
        db=db,
        tenant_sources=tenant_sources,
        relay_stop=stop,
        relay_task=asyncio.create_task(relay.run(stop)),
    )
    log.info("worker.started")


def tenant_sources_of(directory: TenantDirectory) -> list[Source]:
    return [t.source for t in directory.provinces(include_disabled=True) if t.provisioned]


async def shutdown(ctx: dict[str, Any]) -> None:
    ctx["relay_stop"].set()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(ctx["relay_task"], timeout=10)
    await ctx["db"].dispose()
    log.info("worker.stopped")


class WorkerSettings:
    functions: ClassVar[list[Any]] = [reconcile_province_figures]
    cron_jobs: ClassVar[list[Any]] = [
        # Nightly, when few changes arrive: recount every province and correct any drift.
        cron(reconcile_province_figures, hour={3}, minute={17}, run_at_startup=False),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    queue_name = "pharmreg:queue"
    handle_signals = True
    job_timeout = 600
    keep_result = 3600
