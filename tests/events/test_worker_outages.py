"""The real worker process rides out Redis and PostgreSQL outages: it stays up, says once that a
service is gone and once that it is back, does not spin, and works again afterwards.

The servers stopped here are the test's own (tests/services.py), never the shared ones.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from arq.connections import RedisSettings, create_pool

from tests.events.test_worker import Worker, worker

QUEUE = "pharmreg:queue"


async def _run_job(redis_url: str, name: str) -> object:
    """Enqueue a job as the platform does and wait for the worker's result."""
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        job = await pool.enqueue_job(name, _queue_name=QUEUE)
        assert job is not None
        return await job.result(timeout=60, poll_delay=0.2)
    finally:
        await pool.aclose()


def _count(running: Worker, text: str) -> int:
    return sum(text in line for line in running.lines)


async def _settled(running: Worker) -> None:
    """The jobs the worker runs at start-up are done (they would muddle the log of an outage)."""
    for job in ("apply_due_authority_changes", "sweep_deadlines", "maintain_register", "publish_scheduled"):
        await running.wait_for_log(f"← cron:{job}")


async def _does_not_spin(running: Worker) -> None:
    """Over a few seconds of outage the worker neither ends nor repeats itself."""
    before = len(running.lines)
    await asyncio.sleep(3)  # time enough to spin, were it spinning
    assert running.process.returncode is None
    events = Counter(
        json.loads(line).get("event", "")[:40] for line in running.lines[before:] if line.startswith("{")
    )
    assert all(n <= 2 for n in events.values()), events


async def test_the_worker_survives_a_redis_outage_and_carries_on(platform, project_root, private_redis):
    async with worker(platform, project_root, REDIS_URL=private_redis.url) as running:
        await _settled(running)
        assert isinstance(await _run_job(private_redis.url, "publish_scheduled"), int)

        private_redis.stop()
        await running.wait_for_log("worker.redis_unavailable")
        await _does_not_spin(running)
        assert _count(running, "worker.redis_unavailable") == 1

        private_redis.start()
        await running.wait_for_log("worker.redis_recovered")
        assert isinstance(await _run_job(private_redis.url, "publish_scheduled"), int)
        assert running.process.returncode is None
    assert "Traceback" not in "".join(running.lines)


async def test_the_worker_survives_a_postgres_outage_and_carries_on(
    platform, project_root, private_redis, private_postgres
) -> None:
    async with worker(
        platform,
        project_root,
        REDIS_URL=private_redis.url,
        DATABASE_URL=private_postgres.url,
        PHARMREG_OUTBOX_POLL_SECONDS="0.5",
    ) as running:
        await _settled(running)
        private_postgres.stop()
        await running.wait_for_log("outbox.postgres_unavailable")
        await running.wait_for_log("outbox.listen_unavailable")
        # A job that needs the database is put off, not failed.
        pool = await create_pool(RedisSettings.from_dsn(private_redis.url))
        try:
            deferred = await pool.enqueue_job("reconcile_province_figures", _queue_name=QUEUE)
            await running.wait_for_log("worker.job_deferred")
            assert deferred is not None
            # The log line is written as the job gives up; arq records the retry just after.
            for _ in range(50):
                if (await deferred.status()).value != "in_progress":
                    break
                await asyncio.sleep(0.1)
            assert (await deferred.status()).value in ("deferred", "queued")
        finally:
            await pool.aclose()
        await _does_not_spin(running)
        assert _count(running, "outbox.postgres_unavailable") == 1

        private_postgres.start()
        await running.wait_for_log("outbox.postgres_recovered")
        await running.wait_for_log("outbox.listen_recovered")
        assert _count(running, "outbox.listening") == 2  # listening again
        assert isinstance(await _run_job(private_redis.url, "reconcile_province_figures"), dict)
    assert "Traceback" not in "".join(running.lines)
