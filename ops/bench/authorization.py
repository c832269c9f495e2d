"""Benchmark: authorization checks in a large province with authority delegated everywhere.

Sichuan (sc, 21 cities and 183 counties): the province hands every matter to every city
(re-delegation allowed), every city hands every matter on to each of its counties, and a few
thousand officers work in its units. Measured:

- one grant at this size (validation, write, reprojection of all rules) through the service;
- loading the tenant's enforcer from its rules (what a process does after a change);
- `decide` (unit, matter, place) and `responsible_unit` (routing) in the loaded enforcer;
- the whole per-request check: session from Redis, officer with posts from PostgreSQL,
  the cached enforcer, the decision.

Run (servers from ops/stack.py; uses its own database `pharmreg_bench`):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/authorization.py [--officers 3000] [--checks 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid

from common import ROOT, bench_url
from provisioning import ensure_bench_database
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import SYSTEM
from pharmreg.authority import (
    DelegationForm,
    Matter,
    PolicyCache,
    Units,
    grant_delegation,
    load_policy,
)
from pharmreg.authority.models import Delegation
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    OfficerCreate,
    PostPermissions,
    Principal,
    SessionStore,
    create_officer,
    hash_password,
    load_officer_account,
    security_rules,
)
from pharmreg.identity.models import Officer
from pharmreg.kit.db import Database
from pharmreg.tenancy import TenantInfo, load_directory

SLUG = "sc"
MODEL = (ROOT / "policies" / "authority.conf").read_text(encoding="utf-8")
PERMISSIONS = PostPermissions.from_file(ROOT / "policies" / "permissions.csv")
MATTERS = tuple(m.value for m in Matter)


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def line(label: str, values: list[float], unit: str, scale: float) -> str:
    median, p99 = percentiles([v * scale for v in values])
    return f"{label:<58} median {median:9.2f} {unit}   p99 {p99:9.2f} {unit}   (n={len(values)})"


async def account(db: Database, tenant: TenantInfo, officer_id: uuid.UUID) -> OfficerAccount:
    async with db.tenant(tenant.schema) as session:
        found = await load_officer_account(
            session, tenant.slug, officer_id, await security_rules(session), PERMISSIONS
        )
    assert found is not None
    return found


async def admin_of(db: Database, tenant: TenantInfo, unit_code: str, password_hash: str) -> OfficerAccount:
    username = f"bench.admin.{unit_code}"
    async with db.tenant(tenant.schema) as session, session.begin():
        officer = await create_officer(
            session,
            OfficerCreate(
                username=username,
                name="基准管理员",
                unit_division_code=unit_code,
                password_hash=password_hash,
                positions=("tenant_admin",),
            ),
        )
        if officer is None:
            officer = await session.scalar(select(Officer).where(Officer.username == username))
        assert officer is not None
        officer_id = officer.id
    return await account(db, tenant, officer_id)


async def delegate_everything(
    db: Database, tenant: TenantInfo, index: DivisionIndex, password_hash: str
) -> list[float]:
    """Province -> every city, city -> each of its counties; every matter. Seconds per grant."""
    async with db.tenant(tenant.schema) as session:
        if await session.scalar(select(func.count()).select_from(Delegation)):
            return []  # done by an earlier run
        units = await Units.load(session)
    province = await admin_of(db, tenant, tenant.division_code, password_hash)
    cities = sorted((u for u in units.by_id.values() if u.level == 2), key=lambda u: u.division_code)
    seconds = []
    for city in cities:
        await _grant(db, tenant, index, province, city.id, seconds)
        city_admin = await admin_of(db, tenant, city.division_code, password_hash)
        for county in units.by_id.values():
            if county.parent_id == city.id:
                await _grant(db, tenant, index, city_admin, county.id, seconds)
    return seconds


async def _grant(
    db: Database,
    tenant: TenantInfo,
    index: DivisionIndex,
    grantor: OfficerAccount,
    unit_id: int,
    seconds: list[float],
) -> None:
    started = time.perf_counter()
    async with db.tenant(tenant.schema) as session, session.begin():
        policy = await load_policy(session, MODEL)
        await grant_delegation(
            session,
            DelegationForm(
                delegate_unit_id=unit_id,
                matters=MATTERS,
                reason="基准测试：全部事项下放",
                may_redelegate=grantor.unit_level == 1,
            ),
            tenant=tenant,
            grantor=grantor,
            divisions=index,
            policy=policy,
            actor=SYSTEM,
        )
    seconds.append(time.perf_counter() - started)


async def ensure_officers(
    db: Database, tenant: TenantInfo, count: int, password_hash: str
) -> list[uuid.UUID]:
    async with db.tenant(tenant.schema) as session:
        existing = list(await session.scalars(select(Officer.id).where(Officer.username.like("bench.o.%"))))
        units = await Units.load(session)
    if len(existing) >= count:
        return existing[:count]
    rng = random.Random(7)
    codes = sorted(u.division_code for u in units.by_id.values())
    async with db.tenant(tenant.schema) as session, session.begin():
        for number in range(len(existing), count):
            await create_officer(
                session,
                OfficerCreate(
                    username=f"bench.o.{number:05d}",
                    name="基准人员",
                    unit_division_code=rng.choice(codes),
                    password_hash=password_hash,
                    positions=("acceptance", "review"),
                ),
            )
    async with db.tenant(tenant.schema) as session:
        return list(await session.scalars(select(Officer.id).where(Officer.username.like("bench.o.%"))))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=3000)
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    url = bench_url()
    await ensure_bench_database(url)
    db = Database(url, pool_size=4)
    redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        async with db.national() as session:
            tenant = (await load_directory(session)).get(SLUG)
            index = await DivisionIndex.load(session)
        assert tenant is not None
        password_hash = hash_password("Bench#Pass2026")
        grant_seconds = await delegate_everything(db, tenant, index, password_hash)
        officer_ids = await ensure_officers(db, tenant, args.officers, password_hash)
        async with db.tenant(tenant.schema) as session:
            units = await Units.load(session)
            delegations = await session.scalar(select(func.count()).select_from(Delegation))

        loads = []
        for _ in range(7):
            started = time.perf_counter()
            async with db.tenant(tenant.schema) as session:
                policy = await load_policy(session, MODEL)
            loads.append(time.perf_counter() - started)

        counties = [u.division_code for u in units.by_id.values() if u.level == 3]
        unit_codes = [u.division_code for u in units.by_id.values()]
        rng = random.Random(11)
        own = [(c, rng.choice(MATTERS), c) for c in (rng.choice(counties) for _ in range(args.checks))]
        mixed = [
            (rng.choice(unit_codes), rng.choice(MATTERS), rng.choice(counties)) for _ in range(args.checks)
        ]
        allowed = sum(policy.decide(*check).allowed for check in mixed)
        decide_own, decide_mixed, routing = [], [], []
        for unit, matter, place in own:
            started = time.perf_counter_ns()
            policy.decide(unit, matter, place)
            decide_own.append(time.perf_counter_ns() - started)
        for unit, matter, place in mixed:
            started = time.perf_counter_ns()
            policy.decide(unit, matter, place)
            decide_mixed.append(time.perf_counter_ns() - started)
        for _unit, matter, place in mixed[: args.checks // 4]:
            started = time.perf_counter_ns()
            policy.responsible_unit(matter, place)
            routing.append(time.perf_counter_ns() - started)

        # The whole check as a request makes it, for officers picked at random.
        sessions = SessionStore(redis, prefix="pharmreg-bench")
        cache = PolicyCache(redis, MODEL)
        tokens = []
        for officer_id in rng.sample(officer_ids, min(500, len(officer_ids))):
            principal = Principal("officer", str(officer_id), "基准人员", SLUG)
            tokens.append(await sessions.create(principal, idle_seconds=3600, absolute_seconds=7200))

        def factory() -> AsyncSession:
            return db.tenant(tenant.schema)

        await cache.policy(SLUG, factory)
        request_checks = []
        for _ in range(args.requests):
            started = time.perf_counter_ns()
            data = await sessions.load(rng.choice(tokens))
            assert data is not None
            async with db.tenant(tenant.schema) as session:
                officer = await load_officer_account(
                    session,
                    SLUG,
                    uuid.UUID(data.principal.user_id),
                    await security_rules(session),
                    PERMISSIONS,
                )
            assert officer is not None
            enforcer = await cache.policy(SLUG, factory)
            officer.holds("acceptance") and enforcer.decide(
                officer.unit_code, rng.choice(MATTERS), rng.choice(counties)
            ).allowed
            request_checks.append(time.perf_counter_ns() - started)
        for token in tokens:
            await sessions.destroy(token)

        print(
            f"province {SLUG}: {len(units.by_id)} units, {delegations} delegation records, "
            f"{policy.rule_count} rules, {len(officer_ids)} bench officers"
        )
        if grant_seconds:
            print(line("grant (validate, write, reproject), this run's grants", grant_seconds, "ms", 1e3))
        print(line("load the enforcer from its rules", loads, "ms", 1e3))
        print(line("decide: a county bureau at its own county", decide_own, "µs", 1e-3))
        print(
            line(
                f"decide: random unit/matter/county ({allowed / len(mixed):.1%} allowed)",
                decide_mixed,
                "µs",
                1e-3,
            )
        )
        print(line("responsible_unit (task routing)", routing, "µs", 1e-3))
        print(line("per request: session + officer + cached enforcer + decide", request_checks, "ms", 1e-6))
    finally:
        await redis.aclose()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
