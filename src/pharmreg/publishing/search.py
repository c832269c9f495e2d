"""Chinese-aware full-text search in a PostgreSQL tsvector, built here rather than by a
PostgreSQL parser: overlapping character bigrams for Chinese runs, whole words for Latin
letters and digits. Built as tsvector/tsquery literals, so it does not depend on the
database's locale. ops/bench/chinese_search.py measures it against jieba and pg_trgm."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnExpressionArgument, cast, func, literal
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.sql import ColumnElement

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]+|[a-z0-9]+")
MAX_QUERY = 40
_MAX_POSITION = 16383  # PostgreSQL's limit; later positions are clamped to it
_MAX_POSITIONS_PER_TERM = 256  # PostgreSQL's limit: phrases are found up to there


def _is_cjk(run: str) -> bool:
    return run[0] > "\u3000"


def _terms(text: str, start: int) -> tuple[list[tuple[str, int]], int]:
    """(term, position) pairs from `start`; runs are one position apart so no phrase spans two."""
    pairs: list[tuple[str, int]] = []
    position = start
    for run in _TOKEN.findall(text.lower()):
        if _is_cjk(run):
            # Every bigram, and the run's last character on its own: a one-character query is a
            # prefix query, which finds the character at the start of a bigram or at a run's end.
            for i in range(len(run) - 1):
                position += 1
                pairs.append((run[i : i + 2], position))
            position += 1
            pairs.append((run[-1], position))
        else:
            position += 1
            pairs.append((run, position))
        position += 1
    return pairs, position


def vector_literal(*, title: str, summary: str, body: str, tags: list[str] | tuple[str, ...]) -> str:
    """The page's tsvector as PostgreSQL's text form: title and tags weigh A, the rest D."""
    head, end = _terms(" ".join([title, *tags]), 0)
    rest, _ = _terms(" ".join([summary, body]), end)
    positions: dict[str, list[str]] = {}
    for pairs, weight in ((head, "A"), (rest, "D")):
        for term, position in pairs:
            held = positions.setdefault(term, [])
            if len(held) < _MAX_POSITIONS_PER_TERM:
                held.append(f"{min(position, _MAX_POSITION)}{weight}")
    return " ".join(f"'{term}':{','.join(held)}" for term, held in positions.items())


def search_vector(
    *, title: str, summary: str, body: str, tags: list[str] | tuple[str, ...]
) -> ColumnElement[Any]:
    return cast(literal(vector_literal(title=title, summary=summary, body=body, tags=tags)), TSVECTOR)


def query_literal(q: str) -> str | None:
    """A tsquery where each word of the query must occur as a phrase; None if nothing is searchable."""
    parts = []
    for word in q.strip()[:MAX_QUERY].split():
        for run in _TOKEN.findall(word.lower()):
            if not _is_cjk(run):
                parts.append(f"'{run}'")
            elif len(run) == 1:
                parts.append(f"'{run}':*")
            else:
                parts.append("(" + " <-> ".join(f"'{run[i : i + 2]}'" for i in range(len(run) - 1)) + ")")
    return " & ".join(parts) if parts else None


def search_query(q: str) -> ColumnElement[Any] | None:
    text = query_literal(q)
    return None if text is None else cast(literal(text), TSQUERY)


def rank(vector: ColumnExpressionArgument[Any], query: ColumnElement[Any]) -> ColumnElement[float]:
    return func.ts_rank(vector, query)
