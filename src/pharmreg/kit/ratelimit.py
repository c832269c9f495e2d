"""Fixed-window request limits in Redis, for public look-ups that must not be scraped."""

from __future__ import annotations

import time

from redis.asyncio import Redis


async def within_limit(redis: Redis, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request for `key`; False once more than `limit` came in the current window."""
    window = int(time.time()) // window_seconds
    name = f"pharmreg:rate:{key}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(name)
        pipe.expire(name, window_seconds + 1, nx=True)
        count = (await pipe.execute())[0]
    return int(count) <= limit


async def used(redis: Redis, key: str, *, window_seconds: int) -> int:
    """How many requests `key` made in the current window (without counting this look)."""
    window = int(time.time()) // window_seconds
    value = await redis.get(f"pharmreg:rate:{key}:{window}")
    return int(value) if value else 0
