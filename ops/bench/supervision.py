"""Benchmark: national supervision and province statistics on a national-scale data set.

Runs on `pharmreg_bench_supervision`, made by ops/bench/supervision_data.py (run that first; it
sets the database up with `pharmreg setup --demo` and generates 1,000,000 registration events,
1,500,000 cases, 250,000 complaints and consultations and 300,000 practice units into the national
fact tables). Prints medians and p95, no assertions:

- pages, GET through the whole app in-process (litestar app from `create_app`, driven by httpx over
  ASGITransport: the app's own time plus httpx's, no network), signed in as a person is (the
  sign-in form with its CSRF token): the national 业务监管, 数据监管 (and its drill-down into a
  province), 投诉监管, 咨询监管 and 公报 pages and the national custom query (events by month ×
  province over five years) as nmpa.analyst, a province's 月报 and custom query (events by month ×
  city over five years) as gd.stats. A URL that answers 404 is skipped with a line saying so (the
  page is not on this branch); --url adds or replaces URLs ("national:/path" or "gd:/path").
  With --statements each page is then requested once more and its SQL statements are timed (every
  statement the app sends, from SQLAlchemy's cursor events): their count, their total and the
  slowest three, which say what a page's time is made of;
- freshness: a steady stream of first registrations (`register.register_first`, national index and
  province committed as a decision commits them) in gd at --rate per second for --seconds, with the
  worker process running as ops/run runs it (`python -m workers`: the outbox relay): commit →
  the fact row visible in national.fact_registration, p50/p95;
- rebuild: `pharmreg supervision rebuild --tenant gd` (the CLI) on a province-side data set
  generated set-based into tenant_gd (practice units, registrations, their history with the terms
  of each event; --province-registrations, default 120,000), time and rows per second.

Run (servers from ops/stack.py):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/supervision_data.py          # once (~3 min after setup)
    .venv/bin/python ops/bench/supervision.py [--runs 20] [--statements] [--rate 10 --seconds 30]
        [--only http,freshness,rebuild] [--url national:/national/supervision/business ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
from common import ROOT
from sqlalchemy import event, select
from sqlalchemy.engine import Engine, make_url
from supervision_data import asyncpg_dsn, database_url, fact_counts

from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, committed_together
from pharmreg.practice.models import PracticeUnit
from pharmreg.register import Decided, Province, Registrant, Terms, load_rules, register_first
from pharmreg.settings import Settings
from pharmreg.supervision.fact_scope import TIMEOUT_MESSAGE
from pharmreg.web.app import create_app

PASSWORD = "Pharmreg#2026"  # noqa: S105 (the demo accounts' published password)
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(label: str, seconds: Sequence[float], extra: str = "") -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{label:<58} median {statistics.median(ms):8.1f} ms   p95 {p95(ms):8.1f} ms   (n={len(ms)}){extra}"
    )


# --- pages through the app -------------------------------------------------------------------------


async def sign_in(http: httpx.AsyncClient, base: str, login: str) -> bool:
    page = await http.get(f"{base}/login")
    token = TOKEN.search(page.text)
    if token is None:
        return False
    answer = await http.post(
        f"{base}/login",
        data={"login": login, "password": PASSWORD, "next": f"{base}/", "_csrf_token": token.group(1)},
    )
    return answer.status_code in (200, 302, 303) and "密码错误" not in answer.text


# The pages, as "realm:/path"; {month} is last month, {since} five years before {until} (today).
DEFAULT_URLS = (
    "national:/national/supervision/business",
    "national:/national/supervision/data",
    "national:/national/supervision/data?province=gd",
    "national:/national/supervision/complaints",
    "national:/national/supervision/consultations",
    "national:/national/supervision/bulletin?month={month}",
    "gd:/p/gd/office/statistics/monthly?month={month}",
    "gd:/p/gd/office/statistics/query?measures=events&rows=month&cols=city&since={since}&until={until}",
    "national:/national/supervision/query/?measures=events&rows=month&cols=province&since={since}&until={until}",
)
REALMS = {"national": ("/national", "nmpa.analyst"), "gd": ("/p/gd/office", "gd.stats")}


class StatementClock:
    """The SQL statements the app runs while it is switched on, with their time (every engine)."""

    def __init__(self) -> None:
        self.on = False
        self.timings: list[tuple[float, str]] = []
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, _sql: str, _params: Any, _context: Any, _many: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, sql: str, _params: Any, _context: Any, _many: bool) -> None:
        started = conn.info.pop("bench_started", None)
        if self.on and started is not None:
            self.timings.append((time.perf_counter() - started, " ".join(sql.split())))


def url_values(today: date) -> dict[str, str]:
    return {
        "month": previous_month(today).strftime("%Y-%m"),
        "since": today.replace(year=today.year - 5).isoformat(),
        "until": today.isoformat(),
    }


async def measure_http(url: str, urls: Sequence[str], runs: int, statements: bool) -> None:
    print("\n-- pages through the app (in-process, httpx ASGITransport)")
    settings = Settings.from_env(database_url=url, log_level="WARNING", db_pool_size=4)
    app = create_app(settings)
    values = url_values(china_today())
    clock = StatementClock()
    explained: list[tuple[str, list[tuple[float, str]]]] = []
    async with app.lifespan():
        clients: dict[str, httpx.AsyncClient] = {}
        try:
            for realm, (base, login) in REALMS.items():
                client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
                clients[realm] = client
                if not await sign_in(client, base, login):
                    print(f"could not sign in as {login} at {base}/login")
            for item in urls:
                realm, _, path = item.partition(":")
                path = path.format(**values)
                http = clients[realm]
                first = await http.get(path)
                if first.status_code == 404:
                    print(f"{path:<58} 404: not on this branch, skipped")
                    continue
                if first.status_code != 200:
                    print(f"{path:<58} answered {first.status_code}, skipped")
                    continue
                if TIMEOUT_MESSAGE in first.text:
                    print(f"{path:<58} the statistics time limit stopped it (answered with the notice)")
                seconds = []
                for _ in range(runs):
                    started = time.perf_counter()
                    response = await http.get(path)
                    seconds.append(time.perf_counter() - started)
                    response.raise_for_status()
                print(line(f"GET {path} as {REALMS[realm][1]}", seconds))
                if statements:
                    clock.timings, clock.on = [], True
                    await http.get(path)
                    clock.on = False
                    explained.append((path, clock.timings))
        finally:
            for client in clients.values():
                await client.aclose()
    for path, timings in explained:
        total = sum(t for t, _sql in timings)
        print(f"\n{path}: {len(timings)} statements, {total * 1000:.1f} ms in SQL; the slowest:")
        for seconds, sql in sorted(timings, reverse=True)[:3]:
            print(f"  {seconds * 1000:8.1f} ms  {sql[:150]}")


# --- freshness ------------------------------------------------------------------------------------


def worker_env(url: str) -> dict[str, str]:
    redis = make_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")).set(database="9")
    return {
        **os.environ,
        "DATABASE_URL": make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
        "REDIS_URL": redis.render_as_string(hide_password=False),
        "PHARMREG_LOG_LEVEL": "WARNING",
    }


async def measure_freshness(url: str, rate: float, seconds: float) -> None:
    print(f"\n-- freshness: first registrations in gd at {rate:g}/s for {seconds:g} s, worker running")
    log = (ROOT / "var" / "bench-supervision-worker.log").open("w")
    worker = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is timed)
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "workers"],
        cwd=ROOT,
        env=worker_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    db = Database(url, pool_size=4)
    watcher = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with db.national() as national:
            from pharmreg.tenancy import load_directory

            tenant = (await load_directory(national)).get("gd")
        assert tenant is not None
        province = Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
        async with db.tenant(tenant.schema) as session:
            rules = await load_rules(session)
            unit = await session.scalar(
                select(PracticeUnit).where(PracticeUnit.status == "active").order_by(PracticeUnit.id).limit(1)
            )
            assert unit is not None
            unit_id, unit_name, unit_division = unit.id, unit.name, unit.division_code
            await session.rollback()
        serial = int(time.time()) % 10**6 * 100

        async def register(number: int) -> int:
            id_number = f"44010619{number % 10**8:08d}X"[:18]
            async with (
                db.tenant(tenant.schema) as session,
                db.national() as national,
                committed_together(session, national, "bench registration"),
            ):
                row = await register_first(
                    session,
                    national,
                    province=province,
                    registrant=Registrant(
                        f"bench:{number}",
                        None,
                        "passport",
                        id_number,
                        "测试药师",
                        "F",
                        "bachelor",
                        "pharmacy",
                    ),
                    terms=Terms("pharmacy", "distribution", unit_id, unit_name, unit_division, f"B{number}"),
                    rules=rules,
                    decided=Decided(None, "基准测试", china_today()),
                )
                await session.flush()
                return row.id  # read before the block commits

        async def visible(ids: list[int]) -> set[int]:
            rows = await watcher.fetch(
                "SELECT registration_id FROM national.fact_registration"
                " WHERE tenant = 'gd' AND registration_id = ANY($1::int[])",
                ids,
            )
            return {r["registration_id"] for r in rows}

        # Wait until the relay delivers (the worker has started).
        first = await register(serial)
        deadline = time.monotonic() + 60
        while not await visible([first]):
            if time.monotonic() > deadline or worker.poll() is not None:
                print("the worker delivered nothing within 60 s; see var/bench-supervision-worker.log")
                return
            await asyncio.sleep(0.05)
        committed: dict[int, float] = {}
        seen: dict[int, float] = {}
        stop = asyncio.Event()

        async def poll() -> None:
            while not stop.is_set() or len(seen) < len(committed):
                pending = [i for i in committed if i not in seen]
                if pending:
                    now = time.perf_counter()
                    for found in await visible(pending):
                        seen[found] = now
                await asyncio.sleep(0.02)
                if stop.is_set() and time.perf_counter() - last_commit[0] > 30:
                    break

        last_commit = [time.perf_counter()]
        poller = asyncio.create_task(poll())
        interval = 1 / rate
        began = time.perf_counter()
        count = int(rate * seconds)
        commit_seconds = []
        for n in range(count):
            wait = began + n * interval - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            started = time.perf_counter()
            registration_id = await register(serial + 1 + n)
            committed[registration_id] = last_commit[0] = time.perf_counter()
            commit_seconds.append(last_commit[0] - started)
        stop.set()
        await poller
        lags = [seen[i] - committed[i] for i in committed if i in seen]
        achieved = count / (last_commit[0] - began)
        print(line("decision commit (register_first, both sessions)", commit_seconds))
        print(line("commit → fact row visible nationally", lags, f"   {achieved:.1f} commits/s"))
        if len(lags) < len(committed):
            print(f"{len(committed) - len(lags)} of {len(committed)} not visible within 30 s")
    finally:
        await watcher.close()
        await db.dispose()
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()


# --- rebuild --------------------------------------------------------------------------------------


async def ensure_province_rows(url: str, registrations: int) -> None:
    from supervision_data import generate_province

    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        have = await conn.fetchval(
            "SELECT count(*) FROM tenant_gd.registration WHERE certificate_no LIKE 'BENCH%'"
        )
        if have >= registrations:
            print(f"tenant_gd holds {have} generated registrations (generated earlier)")
            return
        if have:
            print(f"tenant_gd holds {have} generated registrations, fewer than asked: keeping them")
            return
        await generate_province(conn, "gd", registrations)
    finally:
        await conn.close()


def measure_rebuild(url: str) -> None:
    print("\n-- rebuild: pharmreg supervision rebuild --tenant gd")
    env = worker_env(url)
    started = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pharmreg"), "supervision", "rebuild", "--tenant", "gd"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    print(done.stdout.strip() or done.stderr.strip()[-2000:])
    print(f"{'whole command (start-up, delivery, rebuild)':<58} {wall:8.1f} s")


async def run(section: str, work: Callable[[], Awaitable[None]]) -> None:
    try:
        await work()
    except Exception as exc:  # one failing section must not hide the others' figures
        print(f"{section} failed: {type(exc).__name__}: {exc}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--statements", action="store_true", help="after each page, its SQL statements (the slowest three)"
    )
    parser.add_argument("--rate", type=float, default=10.0, help="province commits per second (default 10)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--province-registrations", type=int, default=120_000)
    parser.add_argument("--only", default="http,freshness,rebuild")
    parser.add_argument(
        "--url", action="append", help='"national:/path" or "gd:/path"; {month} last month, {since}, {until}'
    )
    args = parser.parse_args()
    url = database_url()
    sections = set(args.only.split(","))
    counts = await fact_counts(url)
    print("facts: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    if "http" in sections:
        await run("http", lambda: measure_http(url, args.url or DEFAULT_URLS, args.runs, args.statements))
    if "freshness" in sections:
        await run("freshness", lambda: measure_freshness(url, args.rate, args.seconds))
    if "rebuild" in sections:
        await run("province rows", lambda: ensure_province_rows(url, args.province_registrations))
        measure_rebuild(url)


if __name__ == "__main__":
    asyncio.run(main())
