"""Every query of the supervision context."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from pharmreg.supervision.models import (
    ExportJob,
    FactCase,
    FactEnquiry,
    FactPracticeUnit,
    FactRegistration,
    FactSource,
    ProvinceStat,
)

FactModel = FactRegistration | FactCase | FactEnquiry | FactPracticeUnit
# Rows per INSERT statement when a province's facts are written in bulk (asyncpg's limit is
# 32,767 bind parameters; the widest fact has 21 columns).
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
    for start in range(0, len(rows), _CHUNK):
        await session.execute(insert(model), list(rows[start : start + _CHUNK]))


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


# --- exports -----------------------------------------------------------------------------------


def add_export(session: AsyncSession, job: ExportJob) -> ExportJob:
    session.add(job)
    return job


def _owned(kind: str, tenant: str, owner_id: uuid.UUID) -> list[Any]:
    return [ExportJob.owner_kind == kind, ExportJob.owner_tenant == tenant, ExportJob.owner_id == owner_id]


async def owned_export(
    session: AsyncSession,
    job_id: uuid.UUID,
    kind: str,
    tenant: str,
    owner_id: uuid.UUID,
    *,
    content: bool = False,
) -> ExportJob | None:
    """The export `job_id` if it belongs to the given account (with its file when `content`)."""
    statement = select(ExportJob).where(ExportJob.id == job_id, *_owned(kind, tenant, owner_id))
    if content:
        statement = statement.options(undefer(ExportJob.content))
    return await session.scalar(statement)


async def owned_exports(
    session: AsyncSession, kind: str, tenant: str, owner_id: uuid.UUID, *, limit: int
) -> list[ExportJob]:
    rows = await session.scalars(
        select(ExportJob)
        .where(*_owned(kind, tenant, owner_id))
        .order_by(ExportJob.created_at.desc(), ExportJob.id)
        .limit(limit)
    )
    return list(rows)


async def count_unfinished_exports(session: AsyncSession, kind: str, tenant: str, owner_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(ExportJob)
        .where(*_owned(kind, tenant, owner_id), ExportJob.status.in_(("queued", "running")))
    )
    return int(found or 0)


async def lock_export(session: AsyncSession, job_id: uuid.UUID) -> ExportJob | None:
    return await session.scalar(select(ExportJob).where(ExportJob.id == job_id).with_for_update())


async def update_export(session: AsyncSession, job_id: uuid.UUID, **values: Any) -> None:
    await session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


async def delete_exports_before(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(ExportJob).where(ExportJob.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def fail_unfinished_exports_before(session: AsyncSession, before: datetime, error: str) -> int:
    result = await session.execute(
        update(ExportJob)
        .where(ExportJob.status.in_(("queued", "running")), ExportJob.created_at < before)
        .values(status="failed", error=error, progress=100, finished_at=func.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
