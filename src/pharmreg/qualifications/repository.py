"""Every query of the qualifications context (national schema)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.qualifications.models import CeCredit, Qualification


async def qualification_by_number(session: AsyncSession, certificate_no: str) -> Qualification | None:
    return await session.scalar(select(Qualification).where(Qualification.certificate_no == certificate_no))


async def qualifications_of(session: AsyncSession, id_number: str) -> Sequence[Qualification]:
    query = (
        select(Qualification).where(Qualification.id_number == id_number).order_by(Qualification.obtained_on)
    )
    return (await session.scalars(query)).all()


async def upsert_qualifications(session: AsyncSession, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert or correct by certificate number; returns (added, updated)."""
    if not rows:
        return 0, 0
    inserting = insert(Qualification).values(rows)
    statement = inserting.on_conflict_do_update(
        index_elements=[Qualification.certificate_no],
        set_={
            column: inserting.excluded[column]
            for column in ("name", "id_number", "category", "obtained_on", "education", "major", "subjects")
        },
    ).returning(Qualification.id, (literal_column("xmax") == 0).label("fresh"))
    result = (await session.execute(statement)).all()
    # A row PostgreSQL inserted (rather than updated) has no deleting transaction id (xmax = 0).
    added = sum(1 for row in result if row.fresh)
    return added, len(result) - added


async def insert_credits(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert credits; an issuer's certificate already recorded is skipped. Returns how many were new."""
    if not rows:
        return 0
    statement = (
        insert(CeCredit)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[CeCredit.issuer, CeCredit.certificate_no])
        .returning(CeCredit.id)
    )
    return len((await session.execute(statement)).all())


async def credits_by_year(session: AsyncSession, id_number: str) -> list[tuple[int, str, Any]]:
    query = (
        select(CeCredit.year, CeCredit.part, func.sum(CeCredit.credits))
        .where(CeCredit.id_number == id_number)
        .group_by(CeCredit.year, CeCredit.part)
        .order_by(CeCredit.year)
    )
    return [(int(y), str(p), total) for y, p, total in (await session.execute(query)).all()]


async def credits_of(session: AsyncSession, id_number: str) -> Sequence[CeCredit]:
    query = select(CeCredit).where(CeCredit.id_number == id_number).order_by(CeCredit.year, CeCredit.id)
    return (await session.scalars(query)).all()


async def accounts_with_certificates(session: AsyncSession, prefix: str) -> list[tuple[str, str, str]]:
    # The applicant table is identity's; this read only joins it for the demo listing.
    query = text(
        "SELECT a.mobile, a.name, q.certificate_no FROM national.applicant a "
        "JOIN national.qualification q ON q.id_number = a.id_number "
        "WHERE q.certificate_no LIKE :prefix ORDER BY q.certificate_no"
    )
    rows = await session.execute(query, {"prefix": prefix + "%"})
    return [(str(m), str(n), str(c)) for m, n, c in rows.all()]
