"""Benchmark: from a revocation's commit to every running process enforcing it.

Several worker processes (4 by default) each hold a policy cache exactly as the web and job
workers do (listening on Redis pub/sub, re-checking the version at most once a second) and
check one unit's authority every millisecond. The parent grants and revokes it through the
administration service, announces like the web handler does, and each child reports when it
first sees the change. A second series revokes without announcing: the version check alone.

Run (servers from ops/stack.py; uses its own database `pharmreg_bench`):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/revocation.py [--processes 4] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

from common import ROOT, bench_url
from provisioning import ensure_bench_database
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.administration.service import delegate, take_back
from pharmreg.audit import SYSTEM
from pharmreg.authority import DelegationForm, Matter, PolicyCache, RevocationForm, Units, load_policy
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerCreate,
    PostPermissions,
    create_officer,
    hash_password,
    load_officer_account,
    security_rules,
)
from pharmreg.identity.models import Officer
from pharmreg.kit.db import Database
from pharmreg.tenancy import load_directory

SLUG = "gs"  # Gansu: nothing else in the benchmarks touches its authority
CITY, PLACE = "620100", "620102"  # Lanzhou, Chengguan district
MATTER = Matter.FIRST_REGISTRATION.value
MODEL = (ROOT / "policies" / "authority.conf").read_text(encoding="utf-8")


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


async def child() -> None:
    """Check Lanzhou's authority every millisecond; print each change as it is first seen."""
    db = Database(bench_url(), pool_size=2)
    redis = Redis.from_url(redis_url())
    cache = PolicyCache(redis, MODEL)
    stop = asyncio.Event()
    listener = asyncio.create_task(cache.listen(stop))
    async with db.national() as session:
        tenant = (await load_directory(session)).get(SLUG)
    assert tenant is not None

    def factory() -> AsyncSession:
        return db.tenant(tenant.schema)

    state = None
    await asyncio.sleep(0.3)  # subscribed
    print("ready", flush=True)
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    closing = asyncio.create_task(reader.readline())  # the parent closes stdin to stop us
    while not closing.done():
        policy = await cache.policy(SLUG, factory)
        allowed = policy.decide(CITY, MATTER, PLACE).allowed
        if allowed != state:
            state = allowed
            print(json.dumps({"allowed": allowed, "at": time.monotonic()}), flush=True)
        await asyncio.sleep(0.001)
    stop.set()
    await listener
    await redis.aclose()
    await db.dispose()


class Children:
    def __init__(self, processes: list[asyncio.subprocess.Process]) -> None:
        self.processes = processes

    @classmethod
    async def start(cls, count: int) -> Children:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--child",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=os.environ | {"PHARMREG_LOG_LEVEL": "WARNING"},
            )
            for _ in range(count)
        ]
        for process in processes:
            assert process.stdout is not None
            while (line := await asyncio.wait_for(process.stdout.readline(), 30)).strip() != b"ready":
                assert line, "a child process ended before it was ready"
        children = cls(processes)
        await children.seen(False)  # each starts by reporting the current state
        return children

    async def seen(self, allowed: bool) -> list[float]:
        """When each child first saw `allowed` (monotonic clock, shared by the processes)."""
        times = []
        for process in self.processes:
            assert process.stdout is not None
            while True:
                line = await asyncio.wait_for(process.stdout.readline(), 30)
                if not line.startswith(b"{"):
                    continue  # a log line
                report = json.loads(line)
                if report["allowed"] == allowed:
                    times.append(report["at"])
                    break
        return times

    async def stop(self) -> None:
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.close()
        for process in self.processes:
            await process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        await child()
        return
    url = bench_url()
    await ensure_bench_database(url)
    db = Database(url, pool_size=4)
    redis = Redis.from_url(redis_url())
    announcer = PolicyCache(redis, MODEL)
    try:
        async with db.national() as session:
            tenant = (await load_directory(session)).get(SLUG)
            index = await DivisionIndex.load(session)
        assert tenant is not None
        async with db.tenant(tenant.schema) as session, session.begin():
            admin = await session.scalar(select(Officer).where(Officer.username == "bench.revoker"))
            if admin is None:
                admin = await create_officer(
                    session,
                    OfficerCreate(
                        username="bench.revoker",
                        name="基准管理员",
                        unit_division_code=tenant.division_code,
                        password_hash=hash_password("Bench#Pass2026"),
                        positions=("tenant_admin",),
                    ),
                )
            assert admin is not None
            officer = await load_officer_account(
                session,
                SLUG,
                admin.id,
                await security_rules(session),
                PostPermissions.from_file(ROOT / "policies" / "permissions.csv"),
            )
            assert officer is not None
            city_id = (await Units.load(session)).by_code[CITY].id

        async def grant() -> tuple[float, int]:
            async with db.tenant(tenant.schema) as session, session.begin():
                change = await delegate(
                    session,
                    DelegationForm(delegate_unit_id=city_id, matters=(MATTER,), reason="基准测试"),
                    tenant=tenant,
                    officer=officer,
                    divisions=index,
                    policy=await load_policy(session, MODEL),
                    model_text=MODEL,
                    actor=SYSTEM,
                )
            committed = time.monotonic()
            await announcer.announce(SLUG)
            return committed, change.delegations[0].id

        async def revoke(delegation_id: int, *, announce: bool) -> float:
            async with db.tenant(tenant.schema) as session, session.begin():
                await take_back(
                    session,
                    delegation_id,
                    RevocationForm(reason="基准测试收回"),
                    tenant=tenant,
                    officer=officer,
                    divisions=index,
                    model_text=MODEL,
                    actor=SYSTEM,
                )
            committed = time.monotonic()
            if announce:
                await announcer.announce(SLUG)
            return committed

        children = await Children.start(args.processes)
        announced, version_check, granted = [], [], []
        try:
            for number in range(args.rounds):
                committed, delegation_id = await grant()
                granted += [t - committed for t in await children.seen(True)]
                quiet = number % 2 == 1  # every other round: no announcement at all
                committed = await revoke(delegation_id, announce=not quiet)
                seen = [t - committed for t in await children.seen(False)]
                (version_check if quiet else announced).extend(seen)
        finally:
            await children.stop()

        def line(label: str, values: list[float]) -> str:
            ordered = sorted(v * 1000 for v in values)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            return (
                f"{label:<50} median {statistics.median(ordered):8.1f} ms   p99 {p99:8.1f} ms   "
                f"max {ordered[-1]:8.1f} ms   (n={len(ordered)})"
            )

        print(f"{args.processes} processes checking every 1 ms; {args.rounds} grant/revoke rounds")
        print(line("revocation enforced everywhere (announced)", announced))
        print(line("revocation enforced everywhere (version check only)", version_check))
        print(line("grant visible everywhere (announced)", granted))
    finally:
        await redis.aclose()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
