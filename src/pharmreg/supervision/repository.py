"""Every query of the supervision context."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.supervision.models import ProvinceStat


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
