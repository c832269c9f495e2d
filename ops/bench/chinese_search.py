"""Benchmark: Chinese full-text search in PostgreSQL, three ways, on a real Chinese corpus.

Compared on the same table (10,000 articles of ops/bench/corpus_zh.py by default: 4,173 unique
ones repeated, titles of copies end in " #k"; 14 MB of text):

- bigram: the project's own code, `pharmreg.publishing.search`: `vector_literal` (overlapping CJK
  bigrams plus each run's last character, Latin and digit words whole; title weight A, body D)
  cast to tsvector, GIN; `query_literal` (each word a phrase of bigrams, a lone character the
  prefix `'x':*`, words ANDed); ranked by `ts_rank` as `publishing.repository.search` does;
- jieba: tsvector of `jieba.cut_for_search` words (title A, body D), GIN; the query is the AND of
  the `jieba.cut` words of the query (segmentation timed with the query). jieba is optional:
  without it (`import jieba` fails) its rows are skipped; `.venv/bin/pip install jieba` adds them;
- trgm: pg_trgm GIN (`gin_trgm_ops`) on title || ' ' || body; AND of `ILIKE '%word%'`, ranked
  by `word_similarity(query, title)`.

Printed: build cost (Python tokenising, filling the column, GIN build; index and column sizes),
then per query and in summary: matches, false positives (matched but not containing every query
word), precision of the top 10 and recall against the truth (every whitespace-separated word of
the query is a case-insensitive substring of title + body), and the latency of the top-10
ranked query through asyncpg (prepared; median of runs x reps per query; the summary quotes the
median, p95 and max of those medians, and apart the 1-2 character queries). Ends with the plans
of a few queries. Two shared cores: compare medians of repeated runs, not single figures.

Run (servers from ops/stack.py; uses its own database `pharmreg_bench_search`, re-created):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/chinese_search.py [--n 10000] [--runs 3] [--reps 5]
"""

# Statements are assembled from this file's own constants; every value goes in as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

import asyncpg
from common import bench_url, recreate_database
from corpus_zh import load_articles
from sqlalchemy.engine import make_url

from pharmreg.publishing.search import query_literal, vector_literal

DATABASE = "pharmreg_bench_search"
QUERIES = [
    # one character
    "表",
    "键",
    "印",
    # two characters
    "文件",
    "用户",
    "安装",
    "注册",
    "密码",
    "打印",
    "网络",
    "备份",
    "格式",
    # three to six characters
    "数据库",
    "单元格",
    "管理员",
    "软件包",
    "配置文件",
    "环境变量",
    "命令行",
    "服务器",
    "默认值",
    "系统管理员",
    "文件系统",
    "用户名和密码",
    # several words, Latin mixed in
    "安装 软件包",
    "修改 密码",
    "打印 页面",
    "网络 配置文件",
    "Debian 安装",
    "SQL 查询",
    # what the portal's public will type: not in this corpus, so only false positives show
    "执业药师",
    "继续教育学分",
    "变更注册 执业单位",
    "考试报名时间",
    "药品经营",
]
_WORD = re.compile(r"\w")


def _jieba() -> ModuleType | None:
    try:
        jieba = importlib.import_module("jieba")
    except ImportError:
        return None
    jieba.setLogLevel(logging.WARNING)
    return jieba


JIEBA = _jieba()


# --------------------------------------------------------------------------- the methods


Statements = tuple[str, str, list[str], list[str]]


@dataclass(frozen=True)
class Method:
    name: str
    label: str
    # query -> (top-10 statement, all-matches statement, parameters of the first, of the second);
    # made again for every timed call, since jieba segments the query then
    statements: Callable[[str], Statements]


def _ranked(column: str, where: str) -> tuple[str, str]:
    top = (
        f"SELECT id FROM docs, (SELECT {where}) AS q(q) WHERE {column} @@ q.q "
        f"ORDER BY ts_rank({column}, q.q) DESC, id LIMIT 10"
    )
    return top, f"SELECT id FROM docs, (SELECT {where}) AS q(q) WHERE {column} @@ q.q"


def bigram_statements(query: str) -> Statements:
    literal = query_literal(query) or "''"
    return (*_ranked("tsv_bigram", "$1::tsquery"), [literal], [literal])


def jieba_words(text: str, *, search_mode: bool) -> str:
    assert JIEBA is not None
    cut = JIEBA.cut_for_search if search_mode else JIEBA.cut
    return " ".join(w for w in cut(text) if _WORD.search(w))


def jieba_statements(query: str) -> Statements:
    words = [jieba_words(query, search_mode=False)]
    return (*_ranked("tsv_jieba", "plainto_tsquery('simple', $1)"), words, words)


def trgm_statements(query: str) -> Statements:
    words = query.split()
    where = " AND ".join(f"doc ILIKE ${i + 1}" for i in range(len(words)))
    rank = f"word_similarity(${len(words) + 1}, title)"
    patterns = [f"%{w}%" for w in words]
    top = f"SELECT id FROM docs WHERE {where} ORDER BY {rank} DESC, id LIMIT 10"
    return top, f"SELECT id FROM docs WHERE {where}", [*patterns, query], patterns


METHODS = [
    Method("jieba", "jieba cut_for_search + tsvector", jieba_statements),
    Method("bigram", "bigram tsvector (pharmreg.publishing.search)", bigram_statements),
    Method("trgm", "pg_trgm GIN + ILIKE", trgm_statements),
]


# --------------------------------------------------------------------------- building


@dataclass
class Build:
    tokenise: float
    fill: float
    index: float
    index_name: str
    column: str | None


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * share
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


async def fill_tsvector(
    connection: asyncpg.Connection, column: str, rows: list[tuple[int, str, str]], expression: str
) -> float:
    """Seconds to COPY the prepared texts and set the column from them with `expression` (of p.a, p.b)."""
    started = time.perf_counter()
    await connection.execute(
        "DROP TABLE IF EXISTS prepared; CREATE TEMP TABLE prepared (id int, a text, b text)"
    )
    await connection.copy_records_to_table("prepared", records=rows)
    await connection.execute(f"UPDATE docs SET {column} = {expression} FROM prepared p WHERE p.id = docs.id")
    return time.perf_counter() - started


async def gin(connection: asyncpg.Connection, name: str, definition: str) -> float:
    started = time.perf_counter()
    await connection.execute(f"CREATE INDEX {name} ON docs USING gin ({definition})")
    return time.perf_counter() - started


async def build(connection: asyncpg.Connection, docs: list[tuple[int, str, str]]) -> dict[str, Build]:
    await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    await connection.execute(
        """CREATE TABLE docs (id int PRIMARY KEY, title text NOT NULL, body text NOT NULL,
           doc text GENERATED ALWAYS AS (title || ' ' || body) STORED,
           tsv_jieba tsvector, tsv_bigram tsvector)"""
    )
    await connection.copy_records_to_table("docs", records=docs, columns=["id", "title", "body"])
    built: dict[str, Build] = {}
    if JIEBA is not None:
        started = time.perf_counter()
        JIEBA.initialize()
        print(f"jieba dictionary loaded in {time.perf_counter() - started:.2f} s (every process pays this)")
        started = time.perf_counter()
        split = [(i, jieba_words(t, search_mode=True), jieba_words(b, search_mode=True)) for i, t, b in docs]
        tokenise = time.perf_counter() - started
        fill = await fill_tsvector(
            connection,
            "tsv_jieba",
            split,
            "setweight(to_tsvector('simple', p.a), 'A') || setweight(to_tsvector('simple', p.b), 'D')",
        )
        built["jieba"] = Build(
            tokenise, fill, await gin(connection, "docs_jieba", "tsv_jieba"), "docs_jieba", "tsv_jieba"
        )
    started = time.perf_counter()
    vectors = [(i, vector_literal(title=t, summary="", body=b, tags=[]), "") for i, t, b in docs]
    tokenise = time.perf_counter() - started
    fill = await fill_tsvector(connection, "tsv_bigram", vectors, "p.a::tsvector")
    built["bigram"] = Build(
        tokenise, fill, await gin(connection, "docs_bigram", "tsv_bigram"), "docs_bigram", "tsv_bigram"
    )
    built["trgm"] = Build(0.0, 0.0, await gin(connection, "docs_trgm", "doc gin_trgm_ops"), "docs_trgm", None)
    await connection.execute("VACUUM ANALYZE docs")
    return built


# --------------------------------------------------------------------------- measuring


@dataclass
class Quality:
    truth: int
    matched: int
    false_positives: int
    precision: float | None  # of the top 10
    recall: float | None
    missed: int


async def quality(connection: asyncpg.Connection, method: Method, query: str, truth: set[int]) -> Quality:
    top, everything, top_parameters, parameters = method.statements(query)
    matched = {r[0] for r in await connection.fetch(everything, *parameters)}
    first = [r[0] for r in await connection.fetch(top, *top_parameters)]
    return Quality(
        truth=len(truth),
        matched=len(matched),
        false_positives=len(matched - truth),
        precision=sum(i in truth for i in first) / len(first) if first else None,
        recall=len(matched & truth) / len(truth) if truth else None,
        missed=len(truth - matched),
    )


async def latencies(connection: asyncpg.Connection, method: Method, runs: int, reps: int) -> dict[str, float]:
    """Median milliseconds of the top-10 query, per query (segmenting the query included)."""
    seconds: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(runs):
        for query in QUERIES:
            top, _, parameters, _ = method.statements(query)
            statement = await connection.prepare(top)
            await statement.fetch(*parameters)  # warm
            for _ in range(reps):
                started = time.perf_counter()
                _, _, parameters, _ = method.statements(query)
                await statement.fetch(*parameters)
                seconds[query].append(time.perf_counter() - started)
    return {q: statistics.median(s) * 1000 for q, s in seconds.items()}


def _ratio(value: float | None) -> str:
    return "  - " if value is None else f"{value:.2f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles in the table (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="passes over every query (default 3)")
    parser.add_argument("--reps", type=int, default=5, help="timed calls per query and pass (default 5)")
    args = parser.parse_args()
    url = bench_url(DATABASE)
    await recreate_database(url)
    articles = load_articles(args.n)
    docs = [(i + 1, title, body) for i, (title, body) in enumerate(articles)]
    methods = [m for m in METHODS if m.name != "jieba" or JIEBA is not None]
    print(
        f"corpus: {len(docs)} articles ({len({b for *_, b in docs})} distinct bodies), "
        f"{sum(len(b) for *_, b in docs):,} body characters"
    )
    if JIEBA is None:
        print("jieba is not installed: its rows are skipped (.venv/bin/pip install jieba to include them)")
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        database = await connection.fetchrow(
            "SELECT version() AS v, datctype FROM pg_database WHERE datname = current_database()"
        )
        print(
            f"{database['v'].split(',')[0]}, LC_CTYPE {database['datctype']}"
            " (whether pg_trgm makes trigrams of CJK depends on it)"
        )
        built = await build(connection, docs)

        print("\n== build (tokenise = Python; fill = COPY + UPDATE of the tsvector column; single run) ==")
        print(
            f"  {'method':8s} {'tokenise s':>10s} {'fill s':>7s} {'GIN build s':>11s}"
            f" {'index':>8s} {'column':>8s}"
        )
        for name, b in built.items():
            index = await connection.fetchval(f"SELECT pg_size_pretty(pg_relation_size('{b.index_name}'))")
            column = (
                await connection.fetchval(f"SELECT pg_size_pretty(sum(pg_column_size({b.column}))) FROM docs")
                if b.column
                else "-"
            )
            print(f"  {name:8s} {b.tokenise:10.1f} {b.fill:7.1f} {b.index:11.2f} {index:>8s} {column:>8s}")

        text_of = {i: f"{t} {b}".lower() for i, t, b in docs}
        truth = {
            q: {i for i, s in text_of.items() if all(w in s for w in q.lower().split())} for q in QUERIES
        }
        found = {(q, m.name): await quality(connection, m, q, truth[q]) for q in QUERIES for m in methods}
        speed = {m.name: await latencies(connection, m, args.runs, args.reps) for m in methods}

        print(
            f"\n== per query: truth = articles containing every word; got = matched; fp = false positives; "
            f"P@10; recall; ms = median top-10 ({args.runs} runs x {args.reps} reps) =="
        )
        print(f"{'query':14s} {'truth':>5s} | " + " | ".join(f"{m.name:^26s}" for m in methods))
        print(
            f"{'':14s} {'':5s} | "
            + " | ".join(f"{'got':>5s} {'fp':>4s} {'P@10':>4s} {'rec':>4s} {'ms':>5s}" for _ in methods)
        )
        for q in QUERIES:
            cells = []
            for m in methods:
                f = found[(q, m.name)]
                cells.append(
                    f"{f.matched:5d} {f.false_positives:4d} {_ratio(f.precision):>4s} {_ratio(f.recall):>4s} "
                    f"{speed[m.name][q]:5.1f}"
                )
            print(f"{q[:14]:14s} {len(truth[q]):5d} | " + " | ".join(cells))

        print(f"\n== summary over {len(QUERIES)} queries, {len(docs)} articles ==")
        print(
            f"  {'method':48s} {'median ms':>9s} {'p95 ms':>7s} {'max ms':>7s}"
            f" {'1-2 char median/p95 ms':>23s}"
            f" {'P@10':>5s} {'recall':>6s} {'false pos':>9s} {'missed':>6s}"
        )
        short = [q for q in QUERIES if len(q) <= 2]
        for m in methods:
            ms = list(speed[m.name].values())
            short_ms = [speed[m.name][q] for q in short]
            qs = [found[(q, m.name)] for q in QUERIES]
            precision = statistics.mean(f.precision for f in qs if f.precision is not None)
            recall = statistics.mean(f.recall for f in qs if f.recall is not None)
            print(
                f"  {m.label:48s} {statistics.median(ms):9.2f} {percentile(ms, 0.95):7.2f} {max(ms):7.2f}"
                f" {statistics.median(short_ms):11.2f} / {percentile(short_ms, 0.95):7.2f}"
                f" {precision:5.3f} {recall:6.3f} {sum(f.false_positives for f in qs):9d}"
                f" {sum(f.missed for f in qs):6d}"
            )
        if JIEBA is None:
            print("  (jieba skipped: not installed)")

        print("\n== plans ==")
        for name, q in (
            ("bigram", "表"),
            ("bigram", "注册"),
            ("bigram", "配置文件"),
            ("trgm", "注册"),
            ("trgm", "数据库"),
        ):
            method = next((m for m in methods if m.name == name), None)
            if method is None:
                continue
            top, _, parameters, _ = method.statements(q)
            plan = [r[0] for r in await connection.fetch("EXPLAIN (ANALYZE, TIMING OFF) " + top, *parameters)]
            scan = next((line.strip() for line in plan if "Scan" in line), plan[0].strip())
            print(f"  {name:7s} {q!r:10s} {scan[:100]} | {plan[-1].strip()}")
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main())
