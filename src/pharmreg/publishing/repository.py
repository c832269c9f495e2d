"""Every query of the content system; each takes the space whose tables it reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer
from sqlalchemy.sql import ColumnElement

from pharmreg.publishing.models import ArticleSpace
from pharmreg.publishing.search import rank


async def article(session: AsyncSession, space: ArticleSpace, article_id: int, *, lock: bool = False) -> Any:
    query = select(space.tables.article).where(space.tables.article.id == article_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def articles(
    session: AsyncSession,
    space: ArticleSpace,
    *,
    statuses: Sequence[str] | None = None,
    author_id: uuid.UUID | None = None,
    unit_code: str | None = None,
    category: str | None = None,
    limit: int = 200,
) -> Sequence[Any]:
    query = (
        select(space.tables.article)
        .order_by(space.tables.article.updated_at.desc(), space.tables.article.id.desc())
        .limit(limit)
    )
    if statuses:
        query = query.where(space.tables.article.status.in_(statuses))
    if author_id is not None:
        query = query.where(space.tables.article.author_id == author_id)
    if unit_code is not None:
        query = query.where(space.tables.article.unit_code == unit_code)
    if category:
        query = query.where(space.tables.article.category == category)
    return (await session.execute(query)).scalars().all()


async def any_article(session: AsyncSession, space: ArticleSpace) -> bool:
    return (await session.execute(select(space.tables.article.id).limit(1))).first() is not None


async def live_ids(session: AsyncSession, space: ArticleSpace, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    rows = await session.execute(
        select(space.tables.live.article_id).where(space.tables.live.article_id.in_(ids))
    )
    return set(rows.scalars())


async def due_scheduled(session: AsyncSession, space: ArticleSpace, now: datetime) -> Sequence[int]:
    query = select(space.tables.article.id).where(
        space.tables.article.status == "scheduled", space.tables.article.publish_at <= now
    )
    return (await session.execute(query)).scalars().all()


async def count_by_status(
    session: AsyncSession, space: ArticleSpace, *, unit_code: str | None = None
) -> dict[str, int]:
    query = select(space.tables.article.status, func.count()).group_by(space.tables.article.status)
    if unit_code is not None:
        query = query.where(space.tables.article.unit_code == unit_code)
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def scheduled_before(session: AsyncSession, space: ArticleSpace, until: datetime) -> int:
    query = select(func.count()).where(
        space.tables.article.status == "scheduled", space.tables.article.publish_at <= until
    )
    return int((await session.execute(query)).scalar_one())


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def history(session: AsyncSession, space: ArticleSpace, article_id: int) -> Sequence[Any]:
    query = (
        select(space.tables.history)
        .where(space.tables.history.article_id == article_id)
        .order_by(space.tables.history.id.desc())
    )
    return (await session.execute(query)).scalars().all()


async def history_entry(session: AsyncSession, space: ArticleSpace, article_id: int, entry_id: int) -> Any:
    query = select(space.tables.history).where(
        space.tables.history.article_id == article_id, space.tables.history.id == entry_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def progress(
    session: AsyncSession, space: ArticleSpace, start: datetime, end: datetime
) -> Sequence[Any]:
    """Actions per department and person in [start, end)."""
    h = space.tables.history
    query = (
        select(h.department, h.actor_name, h.action, func.count(func.distinct(h.article_id)))
        .where(h.at >= start, h.at < end)
        .group_by(h.department, h.actor_name, h.action)
        .order_by(h.department, h.actor_name)
    )
    return (await session.execute(query)).all()


async def published_by_author(
    session: AsyncSession, space: ArticleSpace, start: datetime, end: datetime
) -> Sequence[Any]:
    """Articles that went on line in [start, end), per author's department and name."""
    h, a = space.tables.history, space.tables.article
    query = (
        select(a.department, a.author_name, func.count(func.distinct(a.id)))
        .join(h, h.article_id == a.id)
        .where(h.action == "published", h.at >= start, h.at < end)
        .group_by(a.department, a.author_name)
    )
    return (await session.execute(query)).all()


async def attachments(session: AsyncSession, space: ArticleSpace, article_id: int) -> Sequence[Any]:
    query = (
        select(space.tables.attachment)
        .where(space.tables.attachment.article_id == article_id)
        .order_by(space.tables.attachment.id)
    )
    return (await session.execute(query)).scalars().all()


async def attachment(session: AsyncSession, space: ArticleSpace, article_id: int, attachment_id: int) -> Any:
    query = (
        select(space.tables.attachment)
        .options(undefer(space.tables.attachment.content))
        .where(space.tables.attachment.article_id == article_id, space.tables.attachment.id == attachment_id)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def delete_attachment(
    session: AsyncSession, space: ArticleSpace, article_id: int, attachment_id: int
) -> int:
    result = await session.execute(
        delete(space.tables.attachment).where(
            space.tables.attachment.article_id == article_id, space.tables.attachment.id == attachment_id
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def live(session: AsyncSession, space: ArticleSpace, article_id: int) -> Any:
    return await session.get(space.tables.live, article_id)


async def remove_live(session: AsyncSession, space: ArticleSpace, article_id: int) -> int:
    result = await session.execute(
        delete(space.tables.live).where(space.tables.live.article_id == article_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def touch(session: AsyncSession, space: ArticleSpace, article_id: int, now: datetime) -> None:
    await session.execute(
        update(space.tables.article).where(space.tables.article.id == article_id).values(updated_at=now)
    )


# Counting every match of a very common term costs more than the page itself: "1000+" is enough.
COUNT_CAP = 1000
_LISTING = ("article_id", "category", "title", "summary", "tags", "published_at")


def _listing_columns(space: ArticleSpace) -> list[Any]:
    return [getattr(space.tables.live, name) for name in _LISTING]


async def latest(
    session: AsyncSession, space: ArticleSpace, *, category: str | None, limit: int, offset: int = 0
) -> Sequence[Row[Any]]:
    query = (
        select(*_listing_columns(space))
        .order_by(space.tables.live.published_at.desc(), space.tables.live.article_id.desc())
        .limit(limit)
        .offset(offset)
    )
    if category:
        query = query.where(space.tables.live.category == category)
    return (await session.execute(query)).all()


async def count_live(session: AsyncSession, space: ArticleSpace, *, category: str | None) -> int:
    query = select(func.count()).select_from(space.tables.live)
    if category:
        query = query.where(space.tables.live.category == category)
    return int((await session.execute(query)).scalar_one())


async def search(
    session: AsyncSession,
    space: ArticleSpace,
    query_expr: Any,
    *,
    category: str | None,
    limit: int,
    offset: int = 0,
    by_date: bool = False,
) -> tuple[Sequence[Any], int]:
    """Published pages matching the tsquery, best (or, `by_date`, newest) first, and how many
    match, counted up to COUNT_CAP."""
    matches = space.tables.live.search_vector.op("@@")(query_expr)
    where = and_(matches, space.tables.live.category == category) if category else matches
    if by_date:
        order: list[ColumnElement[Any]] = [
            space.tables.live.published_at.desc(),
            space.tables.live.article_id.desc(),
        ]
        columns = _listing_columns(space)
    else:
        score = rank(space.tables.live.search_vector, query_expr).label("score")
        order = [literal_column("score").desc(), space.tables.live.published_at.desc()]
        columns = [*_listing_columns(space), score]
    rows = (
        await session.execute(select(*columns).where(where).order_by(*order).limit(limit).offset(offset))
    ).all()
    capped = select(space.tables.live.article_id).where(where).limit(COUNT_CAP + 1).subquery()
    total = int((await session.execute(select(func.count()).select_from(capped))).scalar_one())
    return rows, total


async def all_live(session: AsyncSession, space: ArticleSpace) -> Sequence[Any]:
    return (
        (await session.execute(select(space.tables.live).order_by(space.tables.live.article_id)))
        .scalars()
        .all()
    )
