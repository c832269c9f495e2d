"""Shared set-up for the benchmark scripts: a database of their own, fully migrated."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from pharmreg.kit.db import async_url

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATABASE = "pharmreg_bench"


def bench_url(database: str = BENCH_DATABASE) -> str:
    """DATABASE_URL with a benchmark database instead (never the development data)."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit('DATABASE_URL is not set: run `eval "$(.venv/bin/python ops/stack.py env)"` first')
    return make_url(async_url(base)).set(database=database).render_as_string(hide_password=False)


async def recreate_database(url: str) -> None:
    target = make_url(url)
    admin = create_async_engine(
        target.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{target.database}" TEMPLATE template0'))
    finally:
        await admin.dispose()


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def summary(label: str, seconds: list[float], unit: str = "s", scale: float = 1.0) -> str:
    values = sorted(v * scale for v in seconds)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    return (
        f"{label:<52} median {statistics.median(values):9.3f} {unit}   "
        f"min {values[0]:9.3f}   p90 {p90:9.3f}   (n={len(values)})"
    )
