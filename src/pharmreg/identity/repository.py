"""Every query of the identity context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity.models import Applicant, BureauUnit, NationalStaff, Officer, OfficerPosition


async def units(session: AsyncSession) -> Sequence[BureauUnit]:
    return (await session.scalars(select(BureauUnit).order_by(BureauUnit.division_code))).all()


async def unit_ids_by_division(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(BureauUnit.division_code, BureauUnit.id))
    return dict(rows.all())  # Result itself has .keys(), so dict(rows) would misread it


async def insert_units(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert units whose division has none yet; returns division code -> id of those inserted."""
    if not rows:
        return {}
    statement = (
        insert(BureauUnit)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[BureauUnit.division_code])
        .returning(BureauUnit.division_code, BureauUnit.id)
    )
    return dict((await session.execute(statement)).all())


async def insert_officer(session: AsyncSession, values: dict[str, Any]) -> Officer | None:
    statement = (
        insert(Officer)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Officer.username])
        .returning(Officer)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def insert_positions(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(OfficerPosition).values(rows).on_conflict_do_nothing())


async def officers_with_units(session: AsyncSession, limit: int) -> list[tuple[Officer, BureauUnit]]:
    query = (
        select(Officer, BureauUnit)
        .join(BureauUnit, BureauUnit.id == Officer.unit_id)
        .order_by(BureauUnit.division_code, Officer.username)
        .limit(limit)
    )
    return [(officer, unit) for officer, unit in await session.execute(query)]


async def positions_of(session: AsyncSession, officer_ids: list[Any]) -> dict[Any, list[str]]:
    if not officer_ids:
        return {}
    query = select(OfficerPosition.officer_id, OfficerPosition.position).where(
        OfficerPosition.officer_id.in_(officer_ids)
    )
    held: dict[Any, list[str]] = {}
    for officer_id, position in await session.execute(query):
        held.setdefault(officer_id, []).append(position)
    return held


async def count_rows(session: AsyncSession, model: type[BureauUnit] | type[Officer]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def insert_applicant(session: AsyncSession, values: dict[str, Any]) -> Applicant | None:
    statement = (
        insert(Applicant)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Applicant.id_type, Applicant.id_number])
        .returning(Applicant)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def insert_staff(session: AsyncSession, values: dict[str, Any]) -> NationalStaff | None:
    statement = (
        insert(NationalStaff)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[NationalStaff.username])
        .returning(NationalStaff)
    )
    return (await session.execute(statement)).scalar_one_or_none()
