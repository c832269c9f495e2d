"""Every query of the divisions context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.divisions.models import Division, ReferenceDataset


async def all_divisions(session: AsyncSession) -> Sequence[Division]:
    return (await session.scalars(select(Division).order_by(Division.code))).all()


async def get_division(session: AsyncSession, code: str) -> Division | None:
    return await session.get(Division, code)


async def dataset_sha256(session: AsyncSession, name: str) -> str | None:
    row = await session.get(ReferenceDataset, name)
    return row.sha256 if row else None


async def upsert_divisions(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        statement = insert(Division).values(chunk)
        statement = statement.on_conflict_do_update(
            index_elements=[Division.code],
            set_={
                name: statement.excluded[name]
                for name in (
                    "name",
                    "level",
                    "parent_code",
                    "province_code",
                    "is_grouping",
                    "valid_from",
                    "valid_to",
                )
            },
        )
        await session.execute(statement)


async def record_dataset(session: AsyncSession, name: str, sha256: str, row_count: int) -> None:
    statement = insert(ReferenceDataset).values(name=name, sha256=sha256, row_count=row_count)
    statement = statement.on_conflict_do_update(
        index_elements=[ReferenceDataset.name],
        set_={"sha256": sha256, "row_count": row_count, "loaded_at": func.now()},
    )
    await session.execute(statement)
