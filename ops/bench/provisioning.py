"""Benchmark: provisioning one tenant, and migrating all 33 schemas from an empty database.

Run (servers from ops/stack.py; uses its own database `pharmreg_bench`):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/provisioning.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio

from common import ROOT, bench_url, recreate_database, summary, timed
from sqlalchemy import text

from pharmreg.autogenerate import differences_from_models
from pharmreg.divisions import DivisionIndex, load_divisions
from pharmreg.kit.db import Database
from pharmreg.tenancy import (
    load_catalogue,
    load_directory,
    migrate_national,
    migrate_tenants,
    provision_tenant,
    sync_catalogue,
)
from pharmreg.wiring import tenant_preparation

MIGRATIONS = ROOT / "migrations"
TENANTS = ROOT / "tenants"


async def everything_from_empty(url: str) -> tuple[float, float]:
    """Seconds for the national schema + reference data, and for all 32 province schemas."""
    await recreate_database(url)
    db = Database(url, pool_size=4)
    try:

        async def national() -> None:
            await migrate_national(db, MIGRATIONS)
            async with db.national() as session, session.begin():
                await load_divisions(session, TENANTS / "reference" / "divisions.tsv")
            async with db.national() as session, session.begin():
                index = await DivisionIndex.load(session)
                await sync_catalogue(session, load_catalogue(TENANTS), index)

        national_seconds = await timed(national)
        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)

        async def provinces() -> None:
            results = await migrate_tenants(
                db,
                migrations_dir=MIGRATIONS,
                directory=directory,
                prepare=tenant_preparation(directory, index),
            )
            assert all(r.outcome is not None for r in results), results

        return national_seconds, await timed(provinces)
    finally:
        await db.dispose()


async def ensure_bench_database(url: str) -> None:
    """Set the benchmark database up once; set it up again when the models moved on.

    Unreleased migrations are edited in place during development, so the revision alone
    cannot tell a stale database: compare the tables with the models instead.
    """
    db = Database(url, pool_size=1)
    try:
        async with db.engine().connect() as connection:
            ready = await connection.scalar(text("SELECT to_regclass('tenant_gd.unit')")) is not None
            stale = ready and any(
                [await differences_from_models(connection, schema) for schema in ("national", "tenant_gd")]
            )
    except Exception:
        ready, stale = False, False
    finally:
        await db.dispose()
    if not ready or stale:
        print("setting up pharmreg_bench (all tenants) ...")
        await everything_from_empty(url)


async def one_tenant(url: str, slug: str, runs: int) -> list[float]:
    """Drop and re-provision one existing province `runs` times."""
    db = Database(url, pool_size=4)
    seconds = []
    try:
        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        tenant = directory.any_state(slug)
        for _ in range(runs):
            async with db.engine().begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{tenant.schema}" CASCADE'))
            seconds.append(
                await timed(
                    lambda: provision_tenant(
                        db, tenant, migrations_dir=MIGRATIONS, prepare=tenant_preparation(directory, index)
                    )
                )
            )
    finally:
        await db.dispose()
    return seconds


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = bench_url()
    national, provinces = [], []
    for _ in range(max(1, args.runs // 2)):
        n, p = await everything_from_empty(url)
        national.append(n)
        provinces.append(p)
    print(summary("national schema + divisions + catalogue", national))
    print(summary("all 32 province schemas from empty (33 with national)", provinces))
    print(
        summary(
            "provision one tenant: Guangdong (144 units)", await one_tenant(url, "gd", args.runs), "ms", 1000
        )
    )
    print(
        summary(
            "provision one tenant: Tianjin (17 units)", await one_tenant(url, "tj", args.runs), "ms", 1000
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
