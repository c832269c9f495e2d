"""The worker process: the outbox relay plus arq jobs and cron entries.

Start it from the project root:  python -m arq workers.main.WorkerSettings
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings
from redis.asyncio import Redis

from pharmreg.applications import sweep_deadlines
from pharmreg.authority import PolicyCache
from pharmreg.consultations import remind_complaints
from pharmreg.kit.db import Database
from pharmreg.kit.logging import configure_logging, get_logger
from pharmreg.messaging import RecordingSmsProvider
from pharmreg.publishing import publish_scheduled
from pharmreg.register import maintain_register
from pharmreg.settings import Settings, SettingsError
from pharmreg.supervision import reconcile_province_figures
from pharmreg.tenancy import TenantInfo, load_directory
from pharmreg.wiring import build_relay, event_sources
from pharmreg.workflow import apply_due_authority_changes

log = get_logger("pharmreg.worker")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"配置错误：{exc}（运行 `pharmreg settings` 查看全部配置项）")


SETTINGS = _settings()


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging(SETTINGS.log_level, SETTINGS.log_format)
    db = Database(
        SETTINGS.database_url,
        placements=SETTINGS.placements,
        pool_size=SETTINGS.db_pool_size,
        statement_cache_size=SETTINGS.db_statement_cache_size,
        application_name="pharmreg-worker",
    )

    async def tenant_sources() -> list[Any]:
        return [s for s in await event_sources(db) if not s.is_national]

    async def tenants() -> list[TenantInfo]:
        async with db.national() as session:
            directory = await load_directory(session)
        return [t for t in directory.provinces(include_disabled=True) if t.provisioned]

    redis = Redis.from_url(SETTINGS.redis_url)
    model_text = (SETTINGS.policies_dir / "authority.conf").read_text(encoding="utf-8")

    stop = asyncio.Event()
    relay_task = asyncio.create_task(build_relay(db, SETTINGS).run(stop))
    relay_task.add_done_callback(_stop_worker_if_relay_died)
    ctx.update(
        db=db,
        tenant_sources=tenant_sources,
        tenants=tenants,
        policies=PolicyCache(redis, model_text),
        authority_model=model_text,
        pubsub_redis=redis,
        relay_stop=stop,
        relay_task=relay_task,
        sms=RecordingSmsProvider(db, reveal_codes=not SETTINGS.is_production),
    )
    log.info("worker.started")


def _stop_worker_if_relay_died(task: asyncio.Task[None]) -> None:
    # The relay survives database outages by itself; if it still ends, a worker that no longer
    # delivers events must not look healthy: stop it so its supervisor notices and restarts it.
    if task.cancelled() or task.exception() is None:
        return
    log.critical("worker.relay_died", exc_info=task.exception())
    os.kill(os.getpid(), signal.SIGTERM)


async def shutdown(ctx: dict[str, Any]) -> None:
    ctx["relay_stop"].set()
    with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError, Exception):
        await asyncio.wait_for(ctx["relay_task"], timeout=10)
    await ctx["db"].dispose()
    await ctx["pubsub_redis"].aclose()
    log.info("worker.stopped")


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        reconcile_province_figures,
        apply_due_authority_changes,
        sweep_deadlines,
        maintain_register,
        publish_scheduled,
        remind_complaints,
    ]
    cron_jobs: ClassVar[list[Any]] = [
        # Nightly, when few changes arrive: recount every province and correct any drift.
        cron(reconcile_province_figures, hour={3}, minute={17}, run_at_startup=False),
        # Dated delegations start and scheduled take-backs end at day boundaries: check each minute.
        cron(apply_due_authority_changes, second={5}, run_at_startup=True),
        # Time limits are in working days: an hourly sweep deems, reminds and escalates in good time.
        cron(sweep_deadlines, minute={7}, run_at_startup=True),
        # Expiry reminders, cancellation on expiry and closing transfers at the origin: once a day,
        # just after midnight in China (16:xx UTC), and at start-up to catch up after downtime.
        cron(maintain_register, hour={16}, minute={20}, run_at_startup=True),
        # Scheduled articles go on line within a minute of their time (定时发布).
        cron(publish_scheduled, second={30}, run_at_startup=True),
        # Complaints due within three working days, or overdue: the handling unit is told once per stage.
        cron(remind_complaints, minute={37}, run_at_startup=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(SETTINGS.redis_url)
    queue_name = "pharmreg:queue"
    handle_signals = True
    job_timeout = 600
    keep_result = 3600
