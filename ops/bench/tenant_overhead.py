"""Benchmark: the same simple query through a tenant-bound session vs. plain connections.

Compares, per query (median of several rounds of 2,000 queries):
  A  ORM select on a tenant session (schema_translate_map), as the application runs it
  D  Core select of the schema-less table on a tenant-bound connection (translate map only)
  B  the same Core select with the schema written into the table, on a plain connection
  C  the same SQL on a raw asyncpg connection
D/B is the cost of tenant binding itself; A/D is the ORM's; A/C the whole stack's.
Run: eval "$(.venv/bin/python ops/stack.py env)"; .venv/bin/python ops/bench/tenant_overhead.py
"""

from __future__ import annotations

import asyncio
import statistics
import time

import asyncpg
from common import bench_url
from provisioning import ensure_bench_database
from sqlalchemy import MetaData, select
from sqlalchemy.engine import make_url

from pharmreg.identity.models import BureauUnit
from pharmreg.kit.db import Database

QUERIES = 2000
ROUNDS = 7
CODES = ["440106", "440304", "440605", "441900", "440000"]


async def main() -> None:
    url = bench_url()
    await ensure_bench_database(url)
    db = Database(url, pool_size=4)
    qualified = BureauUnit.__table__.to_metadata(MetaData(), schema="tenant_gd")
    sql = "SELECT id, division_code, level, name FROM tenant_gd.unit WHERE division_code = $1"

    async def tenant_session() -> float:
        async with db.tenant("tenant_gd") as session:
            started = time.perf_counter()
            for i in range(QUERIES):
                await session.scalars(select(BureauUnit).where(BureauUnit.division_code == CODES[i % 5]))
            return time.perf_counter() - started

    async def plain_connection() -> float:
        async with db.engine().connect() as connection:
            started = time.perf_counter()
            for i in range(QUERIES):
                await connection.execute(select(qualified).where(qualified.c.division_code == CODES[i % 5]))
            return time.perf_counter() - started

    bound_engine = db.engine().execution_options(schema_translate_map={None: "tenant_gd"})
    table = BureauUnit.__table__

    async def tenant_connection() -> float:
        async with bound_engine.connect() as connection:
            started = time.perf_counter()
            for i in range(QUERIES):
                await connection.execute(select(table).where(table.c.division_code == CODES[i % 5]))
            return time.perf_counter() - started

    raw = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )

    async def raw_asyncpg() -> float:
        started = time.perf_counter()
        for i in range(QUERIES):
            await raw.fetch(sql, CODES[i % 5])
        return time.perf_counter() - started

    results: dict[str, list[float]] = {"A": [], "B": [], "C": [], "D": []}
    for _ in range(ROUNDS):  # interleaved, so machine noise hits all of them alike
        results["A"].append(await tenant_session() / QUERIES)
        results["D"].append(await tenant_connection() / QUERIES)
        results["B"].append(await plain_connection() / QUERIES)
        results["C"].append(await raw_asyncpg() / QUERIES)
    await raw.close()
    await db.dispose()
    median = {key: statistics.median(values) * 1e6 for key, values in results.items()}
    print(f"A tenant-bound ORM session          median {median['A']:7.1f} µs/query")
    print(f"D tenant-bound Core connection      median {median['D']:7.1f} µs/query")
    print(f"B plain connection, qualified Core  median {median['B']:7.1f} µs/query")
    print(f"C raw asyncpg                       median {median['C']:7.1f} µs/query")
    print(f"ratio D/B (cost of tenant binding alone)   {median['D'] / median['B']:.2f}")
    print(f"ratio A/B (tenant binding + ORM)           {median['A'] / median['B']:.2f}")
    print(f"ratio A/C (whole stack vs. bare driver)    {median['A'] / median['C']:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
