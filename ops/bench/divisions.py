"""Benchmark: division look-ups by code and by name prefix (the in-memory index every process holds).

Run: eval "$(.venv/bin/python ops/stack.py env)"; .venv/bin/python ops/bench/divisions.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time

from common import ROOT, bench_url
from provisioning import ensure_bench_database

from pharmreg.divisions import DivisionIndex, parse_division_file
from pharmreg.kit.db import Database

ROUNDS = 7
LOOKUPS = 20_000


async def main() -> None:
    url = bench_url()
    await ensure_bench_database(url)
    db = Database(url, pool_size=2)
    load_times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        async with db.national() as session:
            index = await DivisionIndex.load(session)
        load_times.append(time.perf_counter() - started)
    await db.dispose()
    rows, _sha = parse_division_file(ROOT / "tenants" / "reference" / "divisions.tsv")
    rng = random.Random(1)
    codes = [rng.choice(rows)["code"] for _ in range(LOOKUPS)]
    prefixes = [rng.choice(rows)["name"][: rng.choice((1, 2))] for _ in range(LOOKUPS // 10)]
    by_code, by_prefix = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for code in codes:
            index.get(code)
        by_code.append((time.perf_counter() - started) / len(codes))
        started = time.perf_counter()
        for prefix in prefixes:
            index.search(prefix, 20)
        by_prefix.append((time.perf_counter() - started) / len(prefixes))
    load_ms = statistics.median(load_times) * 1000
    print(f"index load from PostgreSQL ({len(index)} divisions)  median {load_ms:8.1f} ms")
    print(f"look-up by code                            median {statistics.median(by_code) * 1e6:8.2f} µs")
    print(f"search by name prefix (1-2 characters)     median {statistics.median(by_prefix) * 1e6:8.2f} µs")


if __name__ == "__main__":
    asyncio.run(main())
