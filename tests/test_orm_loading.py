"""Nothing is loaded behind a query's back: a deferred column (or a relationship) is read only
where the query that loaded the row asked for it.

Why this guard, and why this way. Under asyncio, SQLAlchemy cannot run the hidden query that a
lazy load needs: reading `Attachment.content` on a row its query did not `undefer` raised
`MissingGreenlet` while the page was being served, and every material link of every case
answered 500, though the tests passed (none opened a file). Such a read is easy to write and
invisible in review: the attribute looks like any other. Three checks close the class:

1. Every deferred column and every relationship of every model is declared to raise instead of
   loading lazily (`deferred(..., raiseload=True)`, `mapped_column(deferred=True,
   deferred_raiseload=True)`, `relationship(lazy="raise")`). A read the query did not load then
   fails at once, in every context (async, or inside `run_sync` where it would otherwise
   quietly issue a query per row), naming the attribute. This is read from the mappers, so a
   new model is covered the moment it exists.
2. The same rule for loader options written in queries: a `defer()` or `load_only()` in the
   source without `raiseload=True` would make a column lazily loadable again; the source is
   scanned for them (a syntax check, not a guess about which code reads what).
3. With (1) in place, any code path that reads a deferred column it did not load fails
   loudly; the tests that follow every download link the pages show (case materials, notices,
   certificates, receipts, publishing and consultation attachments) exercise those paths.

A static scan that matched attribute reads against queries was considered and rejected: an
attribute named `content` or `data` cannot be told apart from others by its name.
"""

from __future__ import annotations

import ast

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError

import pharmreg.schema  # noqa: F401 - registers every model on the two bases
from pharmreg.applications import repository
from pharmreg.applications.models import Attachment
from pharmreg.kit.db import NationalBase, TenantBase
from pharmreg.settings import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "pharmreg"
EAGER_OR_RAISING = {"raise", "raise_on_sql", "selectin", "joined", "subquery", "immediate", "noload"}


def _mappers():
    for base in (TenantBase, NationalBase):
        yield from base.registry.mappers


def test_every_deferred_column_raises_instead_of_loading_lazily() -> None:
    deferred = [
        (mapper.class_.__name__, prop.key, prop.raiseload)
        for mapper in _mappers()
        for prop in mapper.column_attrs
        if prop.deferred
    ]
    assert deferred, "the models have deferred columns (materials, attachments, search vectors)"
    lazy = [f"{model}.{key}" for model, key, raising in deferred if not raising]
    assert not lazy, f"deferred without raiseload=True (a read would load lazily): {lazy}"


def test_no_relationship_loads_lazily() -> None:
    lazy = [
        f"{mapper.class_.__name__}.{rel.key} (lazy={rel.lazy!r})"
        for mapper in _mappers()
        for rel in mapper.relationships
        if rel.lazy not in EAGER_OR_RAISING
    ]
    assert not lazy, f"relationships that would load lazily: {lazy}"


def _keywords(call: ast.Call) -> dict[str, object]:
    return {k.arg: k.value.value for k in call.keywords if k.arg and isinstance(k.value, ast.Constant)}


def _lazy_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) of each call in the source that makes a column or relationship load lazily."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        keywords = _keywords(node)
        if (
            (name in ("defer", "deferred", "load_only") and keywords.get("raiseload") is not True)
            or (
                name == "mapped_column"
                and keywords.get("deferred") is True
                and keywords.get("deferred_raiseload") is not True
            )
            or (name == "relationship" and keywords.get("lazy") not in EAGER_OR_RAISING)
        ):
            found.append((node.lineno, str(name)))
    return sorted(found)


def test_no_query_or_model_in_the_source_defers_without_raising() -> None:
    offending = [
        f"{path.relative_to(SOURCE.parent)}:{line} {name}(...)"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, name in _lazy_calls(path.read_text(encoding="utf-8"))
    ]
    assert not offending, offending


def test_the_scan_sees_each_lazy_form_and_no_raising_one() -> None:
    sample = (
        "q = select(A).options(defer(A.content))\n"
        "q = select(A).options(load_only(A.id))\n"
        "c = deferred(mapped_column(LargeBinary))\n"
        "d = mapped_column(LargeBinary, deferred=True)\n"
        "r = relationship()\n"
        "ok = select(A).options(defer(A.content, raiseload=True), load_only(A.id, raiseload=True))\n"
        "ok2 = deferred(mapped_column(LargeBinary), raiseload=True)\n"
        "ok3 = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)\n"
        "ok4 = relationship(lazy='raise')\n"
    )
    assert _lazy_calls(sample) == [
        (1, "defer"),
        (2, "load_only"),
        (3, "deferred"),
        (4, "mapped_column"),
        (5, "relationship"),
    ]


async def test_reading_a_column_the_query_did_not_load_fails_at_the_read(platform) -> None:
    async with platform.db.tenant("tenant_gd") as session:
        listed = await session.scalar(select(Attachment).limit(1))
        assert listed is not None, "the demo cases carry materials"
        with pytest.raises(InvalidRequestError, match="raiseload"):
            _ = listed.content  # what the case page's file link once did
    async with platform.db.tenant("tenant_gd") as session:
        loaded = await repository.attachment(session, listed.application_id, listed.id, with_content=True)
        assert loaded is not None and len(loaded.content) == loaded.size
