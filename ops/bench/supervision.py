"""Benchmark: national supervision and province statistics on a national-scale data set.

Runs on `pharmreg_bench_supervision`, made by ops/bench/supervision_data.py (run that first; it
sets the database up with `pharmreg setup --demo` and generates 1,000,000 registration events,
1,500,000 cases, 250,000 complaints and consultations and 300,000 practice units into the national
fact tables). Prints medians and p95, no assertions:

- pages, GET through the whole app in-process (litestar app from `create_app`, driven by httpx over
  ASGITransport: the app's own time plus httpx's, no network), signed in as a person is (the
  sign-in form with its CSRF token): the national 业务监管 and 数据监管 pages as nmpa.analyst,
  a province's 月报 as gd.stats. A URL that answers 404 is skipped with a line saying so (the
  page is not on this branch); --url adds or replaces URLs ("national:/path" or "gd:/path");
- the SQL aggregates those pages need, timed directly on one connection: registrations in
  validity per province now and a month ago (month-on-month growth), per practice field (the
  bulletin), the monthly trend by signed deltas, the 数据监管 distributions, cases per province
  (received, median and p90 working days, overdue and delegated shares), complaints per province
  and category, a province's 月报 (registration events by city and kind, cases by handling unit),
  and a custom query over the whole set (month × province over every registration event). With
  --compare-indexes each is also timed without the indexes the supervision models add for them
  (dropped inside a transaction that is rolled back), before/after side by side;
- freshness: a steady stream of first registrations (`register.register_first`, national index and
  province committed as a decision commits them) in gd at --rate per second for --seconds, with the
  worker process running as ops/run runs it (`python -m workers`: the outbox relay): commit →
  the fact row visible in national.fact_registration, p50/p95;
- rebuild: `pharmreg supervision rebuild --tenant gd` (the CLI) on a province-side data set
  generated set-based into tenant_gd (practice units, registrations, their history with the terms
  of each event; --province-registrations, default 120,000), time and rows per second.

Run (servers from ops/stack.py):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/supervision_data.py          # once (~1 min after setup)
    .venv/bin/python ops/bench/supervision.py [--runs 20] [--compare-indexes] [--rate 10 --seconds 30]
        [--only sql,http,freshness,rebuild] [--url national:/national/supervision/business ...]
"""

# Statements are assembled from this file's own constants; values go in as parameters.
# ruff: noqa: S608

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
from sqlalchemy import select
from sqlalchemy.engine import make_url
from supervision_data import asyncpg_dsn, database_url, fact_counts

from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, committed_together
from pharmreg.practice.models import PracticeUnit
from pharmreg.register import Decided, Province, Registrant, Terms, load_rules, register_first
from pharmreg.settings import Settings
from pharmreg.web.app import create_app

PASSWORD = "Pharmreg#2026"  # noqa: S105 (the demo accounts' published password)
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
# The indexes the supervision models add for these aggregates (compared with --compare-indexes).
NEW_INDEXES = ("ix_fact_registration_holding", "ix_fact_registration_history")


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


# --- SQL aggregates ------------------------------------------------------------------------------

# Registrations in validity on a day: the registration's latest event up to that day keeps it valid.
_LATEST = """
    SELECT DISTINCT ON (tenant, registration_id) {columns}
    FROM national.fact_registration
    WHERE effective_on <= {day}
    ORDER BY tenant, registration_id, effective_on DESC, event_id DESC
"""


def latest(columns: str, day: str, where: str = "") -> str:
    return _LATEST.format(columns=columns, day=day).replace("WHERE ", "WHERE " + where, 1)


_OPENING = "('registered', 'transferred_in')"
_CLOSING = "('cancelled', 'expired', 'transferred_out')"


def queries(today: date) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(label, SQL, parameters) of the aggregates the pages are expected to need."""
    end_last = month_start(today) - timedelta(days=1)
    end_before = month_start(end_last) - timedelta(days=1)
    year_ago = today - timedelta(days=365)
    month = previous_month(today)
    month_end = month_start(today)
    return [
        (
            "业务监管: in validity per province, now and a month ago",
            f"""
            SELECT d.day, l.tenant, count(*)
            FROM unnest($1::date[]) AS d(day)
            CROSS JOIN LATERAL ({_LATEST.format(columns="tenant, valid_until", day="d.day")}) AS l
            WHERE l.valid_until >= d.day
            GROUP BY d.day, l.tenant
            """,
            ([end_last, end_before],),
        ),
        (
            "业务监管/公报: in validity per practice field",
            f"""
            SELECT field, count(*) FROM ({_LATEST.format(columns="field, valid_until", day="$1")}) AS l
            WHERE valid_until >= $1 GROUP BY field
            """,
            (today,),
        ),
        (
            "业务监管: monthly trend per province (signed deltas)",
            f"""
            SELECT tenant, month, sum(delta) OVER (PARTITION BY tenant ORDER BY month) AS running
            FROM (
                SELECT tenant, date_trunc('month', effective_on) AS month,
                       sum(CASE WHEN kind IN {_OPENING} THEN 1 WHEN kind IN {_CLOSING} THEN -1 ELSE 0 END)
                           AS delta
                FROM national.fact_registration GROUP BY 1, 2
            ) AS monthly
            """,
            (),
        ),
        (
            "业务监管: cases per province, last 12 months",
            """
            SELECT tenant, count(*) AS received,
                   count(*) FILTER (WHERE decided_on IS NOT NULL) AS decided,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days) AS median_days,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY working_days) AS p90_days,
                   avg(overdue::int) AS overdue_share, avg(delegated::int) AS delegated_share
            FROM national.fact_case WHERE received_on >= $1 GROUP BY tenant
            """,
            (year_ago,),
        ),
        (
            "数据监管: in validity by province, city and county",
            f"""
            SELECT province_code, city_code, county_code, count(*)
            FROM ({latest("province_code, city_code, county_code, valid_until", "$1")}) AS l
            WHERE valid_until >= $1 GROUP BY ROLLUP (province_code, city_code, county_code)
            """,
            (today,),
        ),
        (
            "数据监管: age band × sex × education × category × field",
            f"""
            SELECT (extract(year FROM $1::date)::int - birth_year) / 10 * 10 AS age_band, sex,
                   education, categories, field, count(*)
            FROM ({latest("birth_year, sex, education, categories, field, valid_until", "$1")})
                AS l
            WHERE valid_until >= $1 GROUP BY 1, 2, 3, 4, 5
            """,
            (today,),
        ),
        (
            "投诉监管: complaints per province, category and month, 12 months",
            """
            SELECT tenant, category, date_trunc('month', received_at) AS month, count(*),
                   avg(within_limit::int) AS within, avg(transferred::int) AS transferred,
                   avg(published::int) AS published
            FROM national.fact_enquiry
            WHERE kind = 'complaint' AND received_at >= $1 GROUP BY 1, 2, 3
            """,
            (year_ago,),
        ),
        (
            "月报 gd: registration events by city and kind",
            """
            SELECT city_code, kind, count(*) FROM national.fact_registration
            WHERE tenant = 'gd' AND effective_on >= $1 AND effective_on < $2 GROUP BY 1, 2
            """,
            (month, month_end),
        ),
        (
            "月报 gd: in validity at month end by city",
            f"""
            SELECT city_code, count(*)
            FROM ({latest("city_code, valid_until", "$1", "tenant = 'gd' AND ")})
                AS l
            WHERE valid_until >= $1 GROUP BY 1
            """,
            (end_last,),
        ),
        (
            "月报 gd: cases by handling unit (received, decided, p50/p90)",
            """
            SELECT handling_unit, count(*) AS received,
                   count(*) FILTER (WHERE accepted_on IS NOT NULL) AS accepted,
                   count(*) FILTER (WHERE outcome = 'approved') AS approved,
                   count(*) FILTER (WHERE outcome = 'refused') AS refused,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY working_days) AS median_days,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY working_days) AS p90_days,
                   count(*) FILTER (WHERE overdue) AS overdue
            FROM national.fact_case
            WHERE tenant = 'gd' AND received_on >= $1 AND received_on < $2 GROUP BY 1
            """,
            (month, month_end),
        ),
        (
            "自定义查询: month × province over every registration event",
            """
            SELECT date_trunc('month', effective_on) AS month, tenant, count(*)
            FROM national.fact_registration GROUP BY 1, 2
            """,
            (),
        ),
    ]


async def time_sql(conn: asyncpg.Connection, sql: str, args: tuple[Any, ...], runs: int) -> list[float]:
    await conn.fetch(sql, *args)  # warm the cache and the plan
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        await conn.fetch(sql, *args)
        seconds.append(time.perf_counter() - started)
    return seconds


async def measure_sql(url: str, runs: int, compare: bool) -> None:
    print("\n-- SQL aggregates (one connection, national fact tables)")
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        present = {
            r["indexname"]
            for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = 'national'")
        }
        dropped = [name for name in NEW_INDEXES if name in present]
        for label, sql, args in queries(china_today()):
            after = await time_sql(conn, sql, args, runs)
            print(line(label, after))
            if compare and dropped:
                # Dropped inside a transaction that is rolled back: the indexes stay.
                dropping = conn.transaction()
                await dropping.start()
                try:
                    for name in dropped:
                        await conn.execute(f"DROP INDEX national.{name}")
                    before = await time_sql(conn, sql, args, max(3, runs // 4))
                finally:
                    await dropping.rollback()
                ratio = statistics.median(before) / statistics.median(after)
                print(line("    without " + ", ".join(dropped), before, f"   ×{ratio:.1f} with them"))
    finally:
        await conn.close()


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


DEFAULT_URLS = (
    "national:/national/supervision/business",
    "national:/national/supervision/data",
    "gd:/p/gd/office/statistics/monthly?month={month}",
)
REALMS = {"national": ("/national", "nmpa.analyst"), "gd": ("/p/gd/office", "gd.stats")}


async def measure_http(url: str, urls: Sequence[str], runs: int) -> None:
    print("\n-- pages through the app (in-process, httpx ASGITransport)")
    settings = Settings.from_env(database_url=url, log_level="WARNING", db_pool_size=4)
    app = create_app(settings)
    month = previous_month(china_today()).strftime("%Y-%m")
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
                path = path.format(month=month)
                http = clients[realm]
                first = await http.get(path)
                if first.status_code == 404:
                    print(f"{path:<58} 404: not on this branch, skipped")
                    continue
                if first.status_code != 200:
                    print(f"{path:<58} answered {first.status_code}, skipped")
                    continue
                seconds = []
                for _ in range(runs):
                    started = time.perf_counter()
                    response = await http.get(path)
                    seconds.append(time.perf_counter() - started)
                    response.raise_for_status()
                print(line(f"GET {path} as {REALMS[realm][1]}", seconds))
        finally:
            for client in clients.values():
                await client.aclose()


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
    parser.add_argument("--compare-indexes", action="store_true")
    parser.add_argument("--rate", type=float, default=10.0, help="province commits per second (default 10)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--province-registrations", type=int, default=120_000)
    parser.add_argument("--only", default="sql,http,freshness,rebuild")
    parser.add_argument("--url", action="append", help='"national:/path" or "gd:/path"; {month} = last month')
    args = parser.parse_args()
    url = database_url()
    sections = set(args.only.split(","))
    counts = await fact_counts(url)
    print("facts: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    if "sql" in sections:
        await run("sql", lambda: measure_sql(url, args.runs, args.compare_indexes))
    if "http" in sections:
        await run("http", lambda: measure_http(url, args.url or DEFAULT_URLS, args.runs))
    if "freshness" in sections:
        await run("freshness", lambda: measure_freshness(url, args.rate, args.seconds))
    if "rebuild" in sections:
        await run("province rows", lambda: ensure_province_rows(url, args.province_registrations))
        measure_rebuild(url)


if __name__ == "__main__":
    asyncio.run(main())
