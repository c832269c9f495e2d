"""Every query of the supervision context."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.supervision.models import (
    FactCase,
    FactEnquiry,
    FactPracticeUnit,
    FactRegistration,
    FactSource,
    ProvinceStat,
)

FactModel = FactRegistration | FactCase | FactEnquiry | FactPracticeUnit
# Keys per DELETE statement when facts are removed in bulk (asyncpg's limit is 32,767 bind
# parameters; the widest key has 3 columns).
_CHUNK = 1000


async def add_to_stat(session: AsyncSession, slug: str, metric: str, delta: int) -> None:
    statement = insert(ProvinceStat).values(tenant_slug=slug, metric=metric, value=delta)
    statement = statement.on_conflict_do_update(
        index_elements=[ProvinceStat.tenant_slug, ProvinceStat.metric],
        set_={"value": ProvinceStat.value + delta, "updated_at": func.now()},
    )
    await session.execute(statement)


async def set_stat(session: AsyncSession, slug: str, metric: str, value: int) -> None:
    statement = insert(ProvinceStat).values(tenant_slug=slug, metric=metric, value=value)
    statement = statement.on_conflict_do_update(
        index_elements=[ProvinceStat.tenant_slug, ProvinceStat.metric],
        set_={"value": value, "updated_at": func.now()},
    )
    await session.execute(statement)


async def stats(session: AsyncSession, slug: str | None = None) -> dict[str, dict[str, tuple[int, datetime]]]:
    """slug -> metric -> (value, updated_at)."""
    query = select(ProvinceStat)
    if slug is not None:
        query = query.where(ProvinceStat.tenant_slug == slug)
    table: dict[str, dict[str, tuple[int, datetime]]] = {}
    for row in await session.scalars(query):
        table.setdefault(row.tenant_slug, {})[row.metric] = (row.value, row.updated_at)
    return table


# --- analytic facts ----------------------------------------------------------------------------


def key_columns(model: type[FactModel]) -> list[str]:
    return [column.name for column in model.__table__.primary_key]


async def upsert_fact(session: AsyncSession, model: type[FactModel], row: dict[str, Any]) -> None:
    keys = key_columns(model)
    statement = insert(model).values(row)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in row if name not in keys}
    )
    await session.execute(statement)


async def insert_facts(session: AsyncSession, model: type[FactModel], rows: Sequence[dict[str, Any]]) -> None:
    """Write many fact rows at once with COPY on the session's own connection (so inside its
    transaction): measured on a province rebuild of 180,000 rows, 12-13 s instead of 20-29 s with
    INSERT statements of 1,000 rows."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    columns = list(rows[0])
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name,
        schema_name=table.schema,
        columns=columns,
        records=[tuple(row[name] for name in columns) for row in rows],
    )


async def delete_facts_of(session: AsyncSession, model: type[FactModel], tenant: str) -> int:
    result = await session.execute(delete(model).where(model.tenant == tenant))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def delete_facts(
    session: AsyncSession, model: type[FactModel], keys: Iterable[tuple[Any, ...]]
) -> None:
    wanted = list(keys)
    columns = tuple_(*(getattr(model, name) for name in key_columns(model)))
    for start in range(0, len(wanted), _CHUNK):
        await session.execute(delete(model).where(columns.in_(wanted[start : start + _CHUNK])))


async def facts_of(session: AsyncSession, model: type[FactModel], tenant: str) -> list[dict[str, Any]]:
    """Every fact row of one province and kind, as plain column -> value mappings."""
    table = model.__table__
    result = await session.execute(select(table).where(table.c.tenant == tenant))
    return [dict(row) for row in result.mappings()]


async def fact_sources(session: AsyncSession) -> dict[str, FactSource]:
    return {row.tenant: row for row in await session.scalars(select(FactSource))}


async def note_fact_upkeep(session: AsyncSession, tenant: str, **values: Any) -> None:
    statement = insert(FactSource).values(tenant=tenant, **values)
    statement = statement.on_conflict_do_update(index_elements=[FactSource.tenant], set_=values)
    await session.execute(statement)
