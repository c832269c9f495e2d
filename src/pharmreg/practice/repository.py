"""Every query of the practice context."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.practice.models import PracticeUnit


async def insert_unit(session: AsyncSession, values: dict[str, Any]) -> PracticeUnit | None:
    statement = (
        insert(PracticeUnit)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[PracticeUnit.uscc])
        .returning(PracticeUnit)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def insert_units(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(PracticeUnit).values(rows))


async def units_by_uscc(session: AsyncSession, usccs: Sequence[str]) -> dict[str, PracticeUnit]:
    """The units registered under these codes, locked: an import decides on them in its transaction."""
    if not usccs:
        return {}
    query = select(PracticeUnit).where(PracticeUnit.uscc.in_(list(usccs))).with_for_update()
    return {unit.uscc: unit for unit in await session.scalars(query)}


async def count_units(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(PracticeUnit)) or 0)


async def list_units(
    session: AsyncSession,
    *,
    division_prefix: str | None,
    limit: int,
    search: str = "",
    state: str | None = None,
    today: date,
) -> Sequence[PracticeUnit]:
    query = select(PracticeUnit).order_by(PracticeUnit.division_code, PracticeUnit.id).limit(limit)
    if division_prefix:
        query = query.where(PracticeUnit.division_code.startswith(division_prefix))
    # The states of practice.rules, in SQL: an active unit whose licence lapsed is "expired".
    if state == "expired":
        query = query.where(PracticeUnit.status == "active", PracticeUnit.licence_valid_until < today)
    elif state == "active":
        query = query.where(PracticeUnit.status == "active", PracticeUnit.licence_valid_until >= today)
    elif state:
        query = query.where(PracticeUnit.status == state)
    if search:
        pattern = "%" + search.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(or_(PracticeUnit.name.like(pattern), PracticeUnit.uscc == search.upper()))
    return (await session.scalars(query)).all()


async def unit_by_uscc(session: AsyncSession, uscc: str) -> PracticeUnit | None:
    return await session.scalar(select(PracticeUnit).where(PracticeUnit.uscc == uscc))


async def all_units(session: AsyncSession) -> Sequence[PracticeUnit]:
    return (await session.scalars(select(PracticeUnit).order_by(PracticeUnit.id))).all()


async def unit_by_id(session: AsyncSession, unit_id: int) -> PracticeUnit | None:
    return await session.get(PracticeUnit, unit_id)
