"""Benchmark: the public portal through the whole ASGI app: home pages, article lists, article
pages and search.

Set-up, on the benchmark's own database `pharmreg_bench_portal`: the national schema (with
divisions and the tenant catalogue) and the province schemas gd and js, migrated with the
project's own code (`migrate_national`, `sync_catalogue`, `migrate_tenants`); then published
articles loaded in bulk, as `approve_article` leaves them: `article` (status published),
`article_history` (created, submitted, approved, published) and `article_live` with the
`content_hash` of `publishing.service.live_hash` and the `search_vector` of
`publishing.search.vector_literal` over `plain_text(body_html)`, as `_go_live` makes them. Text
from ops/bench/corpus_zh.py (real Chinese, technical documentation; 4,173 unique articles,
repeated past that). By default 3,000 articles in the national space and 3,000 in gd (pages),
and 10,000 in js (search). Later runs find the data by counting rows and measure at once;
--regenerate (or other counts) makes the database again.

Measured, every request through `create_app(settings)` with its lifespan started, driven by
httpx over `ASGITransport` (in-process: the figures are the app's own time plus httpx's, no
network and no HTTP server), request logging at WARNING:

- requests per second and latency (median, p90) of the portal home `/`, the province home
  `/p/gd/`, the article lists `/articles/` and `/p/gd/articles/`, and article pages
  `/articles/{id}` and `/p/gd/articles/{id}` (random ids), with 1 and with 8 concurrent
  clients (each client sends its requests one after the other);
- search, `/p/js/articles/?q=` over 10,000 articles: latency per query (median, p90 of the
  repetitions), for 1-6 character queries and two-word queries, and beside it the time of
  `publishing.service.search_pages` alone (the two SQL statements: ranked page and count) on one
  fresh connection per query. Caution: after five executions on that connection PostgreSQL may
  switch the prepared statements to a generic plan (GIN bitmap scan), while the app's pooled
  connections ran the custom plan (a sequential scan for very common characters such as 表),
  so for broad queries the gap is the plan, not the app's own overhead;
- consultation submission: POST /consult/new by visitors from addresses of their own (the
  form and its captcha fetched first, untimed; the answer read from Redis as a person would read
  the picture): server time per submission.

Two shared cores: quote medians of repeated runs.

Run (servers from ops/stack.py):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/portal.py [--requests 400] [--concurrency 8] [--search-reps 20]
        [--articles 3000] [--search-articles 10000] [--regenerate]
"""

# Statements are assembled from this file's own constants; every value goes in as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import asyncio
import html
import random
import re
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from common import ROOT, bench_url, recreate_database
from corpus_zh import load_articles
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from pharmreg.divisions import DivisionIndex, load_divisions
from pharmreg.kit.db import Database
from pharmreg.publishing import service
from pharmreg.publishing.content import CATEGORIES, plain_text
from pharmreg.publishing.models import ArticleSpace, national_space, province_space
from pharmreg.publishing.search import vector_literal
from pharmreg.settings import Settings
from pharmreg.tenancy import load_catalogue, load_directory, migrate_national, migrate_tenants, sync_catalogue
from pharmreg.web.app import create_app
from pharmreg.wiring import tenant_preparation

DATABASE = "pharmreg_bench_portal"
PAGES_PROVINCE = "gd"
SEARCH_PROVINCE = "js"
SEED = 20260101
# What the public types, by length: one character, two, three to six, two words. The corpus is
# technical documentation, so the pharmacy words (*) find nothing here (the cheapest case).
SEARCHES = {
    "1 char": ["表", "键", "印"],
    "2 chars": ["文件", "用户", "安装", "注册", "密码", "备份"],
    "3-6 chars": ["数据库", "管理员", "配置文件", "环境变量", "系统管理员", "用户名和密码"],
    "two words": ["安装 软件包", "修改 密码", "网络 配置文件", "Debian 安装"],
    "pharmacy*": ["药师", "执业药师", "继续教育", "考试报名时间", "变更注册 执业单位"],
}


# --------------------------------------------------------------------------- output


def line(label: str, seconds: Sequence[float], extra: str = "") -> str:
    ordered = sorted(s * 1000 for s in seconds)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return (
        f"{label:<44} median {statistics.median(ordered):7.2f} ms   min {ordered[0]:7.2f}"
        f"   p90 {p90:7.2f} ms   (n={len(ordered)}){extra}"
    )


# --------------------------------------------------------------------------- set-up


def raw_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def migrate(url: str, *, fresh: bool = True) -> None:
    """National schema and reference data, then the two provinces used here: from an empty
    database, or (not `fresh`) only the migrations added since the data was loaded."""
    if fresh:
        await recreate_database(url)
    db = Database(url, pool_size=2)
    try:
        await migrate_national(db, ROOT / "migrations")
        async with db.national() as session, session.begin():
            if fresh:
                await load_divisions(session, ROOT / "tenants" / "reference" / "divisions.tsv")
        async with db.national() as session, session.begin():
            index = await DivisionIndex.load(session)
            await sync_catalogue(session, load_catalogue(ROOT / "tenants"), index)
        async with db.national() as session:
            directory = await load_directory(session)
        for slug in (PAGES_PROVINCE, SEARCH_PROVINCE):
            results = await migrate_tenants(
                db,
                migrations_dir=ROOT / "migrations",
                directory=directory,
                prepare=tenant_preparation(directory, index),
                only=slug,
            )
            assert all(r.outcome is not None for r in results), results
    finally:
        await db.dispose()


@dataclass(frozen=True, slots=True)
class Page:
    """What `live_hash` reads of a page."""

    category: str
    title: str
    summary: str
    body_html: str
    tags: list[str]


STAGE = """CREATE TEMP TABLE stage (
    id bigint, category text, title text, summary text, body_html text, tags text[],
    published_at timestamptz, content_hash text, vector text) ON COMMIT DROP"""


async def load_space(
    connection: asyncpg.Connection, schema: str, space: ArticleSpace, count: int, rng: random.Random
) -> float:
    """Seconds to put `count` published articles into the space's tables (which must be empty)."""
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    categories = list(CATEGORIES)
    rows = []
    for article_id, (title, body) in enumerate(load_articles(count), start=1):
        paragraphs = [p for p in body.split("\n") if p.strip()]
        page = Page(
            category=rng.choice(categories),
            title=title[:120],
            summary=paragraphs[0][:80],
            body_html="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
            tags=[],
        )
        published_at = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        digest = service.live_hash(space, article_id, 1, page, published_at, [])
        vector = vector_literal(
            title=page.title, summary=page.summary, body=plain_text(page.body_html), tags=page.tags
        )
        fields = (page.category, page.title, page.summary, page.body_html, page.tags)
        rows.append((article_id, *fields, published_at, digest, vector))
    author = uuid.UUID(int=rng.getrandbits(128), version=4)
    reviewer = uuid.UUID(int=rng.getrandbits(128), version=4)
    department = "国家药品监督管理局" if space.national else "省药品监督管理局"
    unit_code = None if space.national else "440000" if space.key == "gd" else "320000"
    async with connection.transaction():
        await connection.execute(STAGE)
        await connection.copy_records_to_table("stage", records=rows)
        await connection.execute(
            f"""INSERT INTO {schema}.article (id, category, title, summary, body_html, tags, status,
                    publish_at, revision, author_id, author_name, department, unit_code, submitted_by,
                    review_note, created_at, updated_at)
                OVERRIDING SYSTEM VALUE
                SELECT id, category, title, summary, body_html, tags, 'published', NULL, 1, $1, '李编辑',
                    $2, $3, $1, '', published_at - interval '1 day', published_at
                FROM stage""",
            author,
            department,
            unit_code,
        )
        await connection.execute(
            f"""INSERT INTO {schema}.article_history (article_id, revision, action, actor_id, actor_name,
                    department, note, category, title, summary, body_html, tags, content_hash, at)
                SELECT s.id, 1, a.action, a.actor, a.actor_name, $3, '', s.category, s.title, s.summary,
                    s.body_html, s.tags, CASE WHEN a.action = 'published' THEN s.content_hash END,
                    s.published_at - a.before
                FROM stage s CROSS JOIN (VALUES
                    ('created', $1::uuid, '李编辑', interval '1 day'),
                    ('submitted', $1::uuid, '李编辑', interval '20 hours'),
                    ('approved', $2::uuid, '王审核', interval '0'),
                    ('published', $2::uuid, '王审核', interval '0')) AS a(action, actor, actor_name, before)
                ORDER BY s.id, a.before DESC""",
            author,
            reviewer,
            department,
        )
        await connection.execute(
            f"""INSERT INTO {schema}.article_live (article_id, revision, category, title, summary,
                    body_html, tags, published_at, attachments, content_hash, search_vector)
                SELECT id, 1, category, title, summary, body_html, tags, published_at, '[]'::jsonb,
                    content_hash, vector::tsvector
                FROM stage"""
        )
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{schema}.article', 'id'), $1)", max(1, count)
        )
    await connection.execute(f"ANALYZE {schema}.article, {schema}.article_history, {schema}.article_live")
    return time.perf_counter() - started


async def live_counts(url: str) -> dict[str, int] | None:
    try:
        connection = await asyncpg.connect(raw_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        counts = {}
        for schema in ("national", f"tenant_{PAGES_PROVINCE}", f"tenant_{SEARCH_PROVINCE}"):
            if await connection.fetchval("SELECT to_regclass($1)", f"{schema}.article_live") is None:
                return None
            counts[schema] = await connection.fetchval(f"SELECT count(*) FROM {schema}.article_live")
        return counts
    finally:
        await connection.close()


async def prepare(url: str, articles: int, search_articles: int, regenerate: bool) -> None:
    wanted = {
        "national": articles,
        f"tenant_{PAGES_PROVINCE}": articles,
        f"tenant_{SEARCH_PROVINCE}": search_articles,
    }
    if not regenerate and await live_counts(url) == wanted:
        await migrate(url, fresh=False)
        print(f"data found in {DATABASE}: {wanted}")
        return
    started = time.perf_counter()
    await migrate(url)
    print(
        f"{DATABASE} created and migrated (national, {PAGES_PROVINCE}, {SEARCH_PROVINCE}) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(SEED)
    connection = await asyncpg.connect(raw_dsn(url))
    try:
        for schema, count in wanted.items():
            space = (
                national_space() if schema == "national" else province_space(schema.removeprefix("tenant_"))
            )
            seconds = await load_space(connection, schema, space, count, rng)
            print(f"loaded {count:,} published articles into {schema} in {seconds:.1f} s")
    finally:
        await connection.close()


# --------------------------------------------------------------------------- measuring


async def measure(
    http: httpx.AsyncClient, paths: Sequence[str], concurrency: int
) -> tuple[list[float], float, dict[int, int]]:
    """Seconds per request and wall seconds for all `paths`, sent by `concurrency` clients."""
    seconds: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(paths)

    async def client() -> None:
        for path in queue:
            started = time.perf_counter()
            response = await http.get(path)
            seconds.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return seconds, time.perf_counter() - started, statuses


async def consultation_submission(app: Any, redis_url: str, count: int) -> tuple[list[float], dict[int, int]]:
    """Seconds per POST /consult/new (captcha checked, routed, stored in the province and the
    national locator, the unit notified), each visitor from an address of its own so that the
    per-address limit never refuses; the form and its captcha are fetched first, untimed."""
    redis = Redis.from_url(redis_url)
    seconds: list[float] = []
    statuses: dict[int, int] = {}
    try:
        for i in range(count):
            transport = httpx.ASGITransport(app=app, client=(f"10.9.{i // 250}.{i % 250 + 1}", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as visitor:
                form = (await visitor.get("/consult/new")).text
                csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form)
                token = re.search(r'name="captcha_token" value="([^"]+)"', form)
                if csrf is None or token is None:
                    raise SystemExit("the consultation form has no CSRF token or captcha: cannot measure")
                answer = (await redis.get(f"pharmreg:captcha:{token.group(1)}") or b"").decode()
                data = {
                    "_csrf_token": csrf.group(1),
                    "category": "registration",
                    "province": PAGES_PROVINCE,
                    "division": "",
                    "title": f"变更注册需要哪些材料（{i}）",
                    "body": "我在广州的药店执业，下月调到佛山的医院，请问变更注册需要准备哪些材料？"
                    "多久能办好？",
                    "name": "林女士",
                    "mobile": "13912345678",
                    "captcha_token": token.group(1),
                    "captcha": answer,
                }
                started = time.perf_counter()
                response = await visitor.post("/consult/new", data=data)
                seconds.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    finally:
        await redis.aclose()
    return seconds, statuses


async def search_alone(url: str, query: str, reps: int) -> list[float]:
    """Seconds of `search_pages` (ranked first page and count) in a fresh session, as a request runs it."""
    db = Database(url, pool_size=1)
    space = province_space(SEARCH_PROVINCE)
    seconds = []
    try:
        for i in range(reps + 2):
            started = time.perf_counter()
            async with db.tenant(f"tenant_{SEARCH_PROVINCE}") as session:
                await service.search_pages(session, space=space, q=query, category=None, limit=20)
            if i >= 2:  # two warm-up calls
                seconds.append(time.perf_counter() - started)
    finally:
        await db.dispose()
    return seconds


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000, help="in the national space and gd (3000)")
    parser.add_argument("--search-articles", type=int, default=10_000, help="in js, for search (10000)")
    parser.add_argument("--requests", type=int, default=400, help="requests per page and series (400)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--search-reps", type=int, default=20, help="requests per search query (20)")
    parser.add_argument("--submissions", type=int, default=100, help="consultations submitted (100)")
    parser.add_argument("--regenerate", action="store_true", help="make the database again")
    args = parser.parse_args()
    url = bench_url(DATABASE)
    await prepare(url, args.articles, args.search_articles, args.regenerate)

    rng = random.Random(SEED + 1)
    settings = Settings.from_env(database_url=url, log_level="WARNING", db_pool_size=max(4, args.concurrency))
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        pages = {
            "portal home /": lambda: "/",
            f"province home /p/{PAGES_PROVINCE}/": lambda: f"/p/{PAGES_PROVINCE}/",
            "national list /articles/": lambda: "/articles/",
            f"province list /p/{PAGES_PROVINCE}/articles/": lambda: f"/p/{PAGES_PROVINCE}/articles/",
            "national page /articles/{id}": lambda: f"/articles/{rng.randint(1, args.articles)}",
            f"province page /p/{PAGES_PROVINCE}/articles/{{id}}": (
                lambda: f"/p/{PAGES_PROVINCE}/articles/{rng.randint(1, args.articles)}"
            ),
        }
        print(f"\n== pages ({args.requests} requests per series; in-process ASGI, httpx) ==")
        for label, path in pages.items():
            await measure(http, [path() for _ in range(20)], 1)  # warm-up
            for clients in (1, args.concurrency):
                seconds, wall, statuses = await measure(http, [path() for _ in range(args.requests)], clients)
                extra = f"   {len(seconds) / wall:6.0f} req/s, {clients} client{'s' * (clients > 1)}"
                if set(statuses) != {200}:
                    extra += f", statuses {statuses}"
                print(line(label, seconds, extra))

        print(
            f"\n== search /p/{SEARCH_PROVINCE}/articles/?q= over {args.search_articles:,} articles, one"
            f" client ({args.search_reps} requests per query); 'alone' = service.search_pages in a fresh"
            " session =="
        )
        groups: dict[str, list[float]] = {}
        for group, queries in SEARCHES.items():
            for q in queries:
                searched = f"/p/{SEARCH_PROVINCE}/articles/?q={q}"
                await measure(http, [searched] * 2, 1)  # warm-up
                seconds, _, statuses = await measure(http, [searched] * args.search_reps, 1)
                alone = await search_alone(url, q, args.search_reps)
                groups.setdefault(group, []).append(statistics.median(seconds))
                extra = f"   alone median {statistics.median(alone) * 1000:6.2f} ms"
                if set(statuses) != {200}:
                    extra += f", statuses {statuses}"
                print(line(f"  {group:>10}: {q}", seconds, extra))
        print("  per group, over the queries' medians:")
        for group, medians in groups.items():
            print(
                f"  {group:<26} median {statistics.median(medians) * 1000:7.2f} ms   "
                f"max {max(medians) * 1000:7.2f} ms   ({len(medians)} queries)"
            )

        # ---- CONSULTATION SUBMISSION (to be added by the lead) --------------------------------
        submissions, statuses = await consultation_submission(app, settings.redis_url, args.submissions)
        print(f"\n== consultation submission ({args.submissions} visitors, one each) ==")
        print(line("POST /consult/new", submissions, f"   statuses {statuses}"))


if __name__ == "__main__":
    asyncio.run(main())
