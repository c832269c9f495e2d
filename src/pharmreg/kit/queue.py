"""Handing work to the worker: arq jobs enqueued on the platform's queue from any process."""

from __future__ import annotations

from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import Redis

# The queue the worker listens on (workers/main.py).
QUEUE_NAME = "pharmreg:queue"


async def enqueue(redis: Redis, function: str, *args: Any, job_id: str) -> None:
    """Enqueue arq job `function` with `args`; `job_id` makes a second enqueue of it a no-op."""
    pool = ArqRedis(redis.connection_pool, default_queue_name=QUEUE_NAME)
    await pool.enqueue_job(function, *args, _job_id=job_id)
