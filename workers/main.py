"""The worker process: the outbox relay plus arq jobs and cron entries.

Start it from the project root:  python -m workers

It rides out PostgreSQL and Redis outages instead of exiting: the arq loop waits for Redis
with a growing pause (one log line when Redis goes, one when it is back), the relay keeps
trying the databases, and a job that meets an unreachable database is tried again later
(or, for the jobs that run every minute, simply left to the next run).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, cast

import redis.exceptions
from arq import Retry, cron, func
from arq.connections import RedisSettings, create_pool
from arq.typing import WorkerCoroutine
from arq.worker import Worker

from pharmreg.applications import sweep_deadlines
from pharmreg.consultations import remind_complaints
from pharmreg.kit.backing import OutageLog, unavailable_service
from pharmreg.kit.logging import configure_logging, get_logger
from pharmreg.publishing import publish_scheduled
from pharmreg.register import maintain_register
from pharmreg.settings import Settings, SettingsError
from pharmreg.supervision import (
    analytic_facts_recount,
    export_report,
    purge_old_exports,
    reconcile_province_figures,
    scan_risk_flags,
)
from pharmreg.wiring import Resources, analytic_facts, build_relay, build_resources, job_context
from pharmreg.workflow import apply_due_authority_changes

log = get_logger("pharmreg.worker")

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# Pauses while Redis is away: 0.5 s, doubling, at most 10 s between attempts.
REDIS_FIRST_PAUSE_SECONDS = 0.5
REDIS_MAX_PAUSE_SECONDS = 10.0
# A job that found PostgreSQL (or Redis) unreachable runs again this much later, up to
# RETRIED_JOB_TRIES times (half an hour of outage) before it is given up until its next run.
JOB_RETRY_SECONDS = 60
RETRIED_JOB_TRIES = 30


def through_outages(job: Callable[..., Awaitable[Any]], *, retry: bool) -> WorkerCoroutine:
    """`job`, told apart from a failing one when a backing service is unreachable: it is tried
    again later (`retry`) or skipped until its next scheduled run, with one clear log line."""

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await job(ctx, *args, **kwargs)
        except Exception as exc:
            service = unavailable_service(exc)
            if service is None:
                raise
            fields = {"job": job.__name__, "service": service, "error": f"{type(exc).__name__}: {exc}"}
            if not retry:
                log.warning("worker.job_skipped", **fields)
                return None
            log.warning(
                "worker.job_deferred", attempt=ctx.get("job_try", 1), retry_in=JOB_RETRY_SECONDS, **fields
            )
            raise Retry(defer=JOB_RETRY_SECONDS) from exc

    return cast(WorkerCoroutine, run)


class ResilientWorker(Worker):
    """arq's worker, except that losing Redis pauses it instead of ending it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outages = OutageLog(log, "worker")
        self._redis_failures = 0

    async def _redis_lost(self, exc: BaseException) -> None:
        self._outages.down("redis", exc)
        self._redis_failures += 1
        pause = min(REDIS_MAX_PAUSE_SECONDS, REDIS_FIRST_PAUSE_SECONDS * 2 ** (self._redis_failures - 1))
        await asyncio.sleep(pause)

    def _redis_answered(self) -> None:
        if self._outages.up("redis"):
            self._redis_failures = 0

    async def main(self) -> None:
        # Redis may be away when the worker starts, too: our own loop waits, without arq's limit.
        settings = dataclasses.replace(self.redis_settings or RedisSettings(), conn_retries=0)
        while self._pool is None:
            try:
                self._pool = await create_pool(
                    settings,
                    job_deserializer=self.job_deserializer,
                    job_serializer=self.job_serializer,
                    default_queue_name=self.queue_name,
                    expires_extra_ms=self.expires_extra_ms,
                )
            except REDIS_DOWN as exc:
                await self._redis_lost(exc)
        self._redis_answered()
        await super().main()

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_DOWN as exc:
            await self._redis_lost(exc)
        else:
            self._redis_answered()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        try:
            await super().start_jobs(job_ids)
        except REDIS_DOWN:
            # arq takes a job slot before the Redis calls that claim the job; when those fail
            # the slot would be lost, and after `max_jobs` outages no job would start again.
            self.job_counter -= 1
            self.sem.release()
            raise

    async def run_cron(self, n: datetime, delay: float, num_windows: int = 2) -> None:
        planned = [(job, job.next_run) for job in self.cron_jobs]
        try:
            await super().run_cron(n, delay, num_windows)
        except REDIS_DOWN:
            # arq moves each entry to its next time before enqueueing it: a run that could not
            # be enqueued stays due, and is enqueued once Redis is back (job ids make it once).
            for job, next_run in planned:
                job.next_run = next_run
            raise

    async def close(self) -> None:
        # arq's close talks to Redis first and would skip our shutdown if Redis is away.
        if not self._pool:
            return
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        with contextlib.suppress(*REDIS_DOWN):
            await self.pool.delete(self.health_check_key)
        if self.on_shutdown:
            await self.on_shutdown(self.ctx)
        with contextlib.suppress(*REDIS_DOWN):
            await self.pool.close(close_connection_pool=True)
        self._pool = None


class WorkerProcess:
    """What the worker holds while it runs: the platform's resources and the outbox relay."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._resources: Resources | None = None
        self._relay_stop = asyncio.Event()
        self._relay_task: asyncio.Task[None] | None = None

    async def startup(self, ctx: dict[str, Any]) -> None:
        resources = build_resources(self.settings, application_name="pharmreg-worker")
        self._resources = resources
        self._relay_task = asyncio.create_task(build_relay(resources.db, self.settings).run(self._relay_stop))
        self._relay_task.add_done_callback(_stop_worker_if_relay_died)
        job_context(resources).into(ctx)
        log.info("worker.started")

    async def shutdown(self, ctx: dict[str, Any]) -> None:
        self._relay_stop.set()
        if self._relay_task is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError, Exception):
                await asyncio.wait_for(self._relay_task, timeout=10)
        if self._resources is not None:
            await self._resources.close()
        log.info("worker.stopped")


def _stop_worker_if_relay_died(task: asyncio.Task[None]) -> None:
    # The relay survives database outages by itself; if it still ends, a worker that no longer
    # delivers events must not look healthy: stop it so its supervisor notices and restarts it.
    if task.cancelled() or task.exception() is None:
        return
    log.critical("worker.relay_died", exc_info=task.exception())
    os.kill(os.getpid(), signal.SIGTERM)


# Jobs that run every minute catch up by themselves at the next run; the others are retried.
_apply_due_authority_changes = through_outages(apply_due_authority_changes, retry=False)
_publish_scheduled = through_outages(publish_scheduled, retry=False)
_reconcile_province_figures = through_outages(reconcile_province_figures, retry=True)
_sweep_deadlines = through_outages(sweep_deadlines, retry=True)
_maintain_register = through_outages(maintain_register, retry=True)
_remind_complaints = through_outages(remind_complaints, retry=True)
_export_report = through_outages(export_report, retry=True)
_purge_old_exports = through_outages(purge_old_exports, retry=False)
_scan_risk_flags = through_outages(scan_risk_flags, retry=True)


def worker_options(settings: Settings) -> dict[str, Any]:
    """arq's worker options for the platform configured by `settings`."""
    process = WorkerProcess(settings)
    recount_facts = through_outages(analytic_facts_recount(analytic_facts(settings)), retry=True)
    return {
        "functions": [
            func(_reconcile_province_figures, max_tries=RETRIED_JOB_TRIES),
            func(recount_facts, max_tries=RETRIED_JOB_TRIES),
            _apply_due_authority_changes,
            func(_sweep_deadlines, max_tries=RETRIED_JOB_TRIES),
            func(_maintain_register, max_tries=RETRIED_JOB_TRIES),
            _publish_scheduled,
            func(_remind_complaints, max_tries=RETRIED_JOB_TRIES),
            func(_export_report, name="export_report", max_tries=RETRIED_JOB_TRIES),
            _purge_old_exports,
            func(_scan_risk_flags, max_tries=RETRIED_JOB_TRIES),
        ],
        "cron_jobs": [
            # Nightly, when few changes arrive: recount every province and correct any drift.
            cron(
                _reconcile_province_figures,
                hour={3},
                minute={17},
                run_at_startup=False,
                max_tries=RETRIED_JOB_TRIES,
            ),
            # Nightly too: recount each province's analytic facts from its own tables, correct and log drift.
            cron(recount_facts, hour={3}, minute={47}, run_at_startup=False, max_tries=RETRIED_JOB_TRIES),
            # Dated delegations start and scheduled take-backs end at day boundaries: check each minute.
            cron(_apply_due_authority_changes, second={5}, run_at_startup=True),
            # Time limits are in working days: an hourly sweep deems, reminds and escalates in good time.
            cron(_sweep_deadlines, minute={7}, run_at_startup=True, max_tries=RETRIED_JOB_TRIES),
            # Expiry reminders, cancellation on expiry and closing transfers at the origin: once a
            # day, just after midnight in China (16:xx UTC), and at start-up to catch up after downtime.
            cron(
                _maintain_register, hour={16}, minute={20}, run_at_startup=True, max_tries=RETRIED_JOB_TRIES
            ),
            # Scheduled articles go on line within a minute of their time (定时发布).
            cron(_publish_scheduled, second={30}, run_at_startup=True),
            # Complaints due within three working days, or overdue: the handling unit is told once per stage.
            cron(_remind_complaints, minute={37}, run_at_startup=True, max_tries=RETRIED_JOB_TRIES),
            # Export files are kept seven days; exports that will not finish any more are failed.
            cron(_purge_old_exports, minute={27}, run_at_startup=True),
            # After the nightly recount of the facts: the risk rules flag what the facts show.
            cron(_scan_risk_flags, hour={4}, minute={27}, run_at_startup=False, max_tries=RETRIED_JOB_TRIES),
        ],
        "on_startup": process.startup,
        "on_shutdown": process.shutdown,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": "pharmreg:queue",
        "handle_signals": True,
        "job_timeout": 600,
        "keep_result": 3600,
    }


def run() -> None:
    """Run the worker until SIGINT or SIGTERM, with the settings of the environment."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        sys.exit(f"配置错误：{exc}（运行 `pharmreg settings` 查看全部配置项）")
    configure_logging(settings.log_level, settings.log_format)
    ResilientWorker(**worker_options(settings)).run()
