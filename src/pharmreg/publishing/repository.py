"""Every query of the content system; each takes the space whose tables it reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from pharmreg.publishing.search import rank
from pharmreg.publishing.spaces import Space


async def article(session: AsyncSession, space: Space, article_id: int, *, lock: bool = False) -> Any:
    query = select(space.article).where(space.article.id == article_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def articles(
    session: AsyncSession,
    space: Space,
    *,
    statuses: Sequence[str] | None = None,
    author_id: uuid.UUID | None = None,
    unit_code: str | None = None,
    category: str | None = None,
    limit: int = 200,
) -> Sequence[Any]:
    query = (
        select(space.article).order_by(space.article.updated_at.desc(), space.article.id.desc()).limit(limit)
    )
    if statuses:
        query = query.where(space.article.status.in_(statuses))
    if author_id is not None:
        query = query.where(space.article.author_id == author_id)
    if unit_code is not None:
        query = query.where(space.article.unit_code == unit_code)
    if category:
        query = query.where(space.article.category == category)
    return (await session.execute(query)).scalars().all()


async def any_article(session: AsyncSession, space: Space) -> bool:
    return (await session.execute(select(space.article.id).limit(1))).first() is not None


async def live_ids(session: AsyncSession, space: Space, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    rows = await session.execute(select(space.live.article_id).where(space.live.article_id.in_(ids)))
    return set(rows.scalars())


async def due_scheduled(session: AsyncSession, space: Space, now: datetime) -> Sequence[int]:
    query = select(space.article.id).where(
        space.article.status == "scheduled", space.article.publish_at <= now
    )
    return (await session.execute(query)).scalars().all()


async def count_by_status(
    session: AsyncSession, space: Space, *, unit_code: str | None = None
) -> dict[str, int]:
    query = select(space.article.status, func.count()).group_by(space.article.status)
    if unit_code is not None:
        query = query.where(space.article.unit_code == unit_code)
    return {row[0]: row[1] for row in (await session.execute(query)).all()}


async def scheduled_before(session: AsyncSession, space: Space, until: datetime) -> int:
    query = select(func.count()).where(space.article.status == "scheduled", space.article.publish_at <= until)
    return int((await session.execute(query)).scalar_one())


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def history(session: AsyncSession, space: Space, article_id: int) -> Sequence[Any]:
    query = (
        select(space.history).where(space.history.article_id == article_id).order_by(space.history.id.desc())
    )
    return (await session.execute(query)).scalars().all()


async def history_entry(session: AsyncSession, space: Space, article_id: int, entry_id: int) -> Any:
    query = select(space.history).where(space.history.article_id == article_id, space.history.id == entry_id)
    return (await session.execute(query)).scalar_one_or_none()


async def progress(session: AsyncSession, space: Space, start: datetime, end: datetime) -> Sequence[Any]:
    """Actions per department and person in [start, end)."""
    h = space.history
    query = (
        select(h.department, h.actor_name, h.action, func.count(func.distinct(h.article_id)))
        .where(h.at >= start, h.at < end)
        .group_by(h.department, h.actor_name, h.action)
        .order_by(h.department, h.actor_name)
    )
    return (await session.execute(query)).all()


async def published_by_author(
    session: AsyncSession, space: Space, start: datetime, end: datetime
) -> Sequence[Any]:
    """Articles that went on line in [start, end), per author's department and name."""
    h, a = space.history, space.article
    query = (
        select(a.department, a.author_name, func.count(func.distinct(a.id)))
        .join(h, h.article_id == a.id)
        .where(h.action == "published", h.at >= start, h.at < end)
        .group_by(a.department, a.author_name)
    )
    return (await session.execute(query)).all()


async def attachments(session: AsyncSession, space: Space, article_id: int) -> Sequence[Any]:
    query = (
        select(space.attachment)
        .where(space.attachment.article_id == article_id)
        .order_by(space.attachment.id)
    )
    return (await session.execute(query)).scalars().all()


async def attachment(session: AsyncSession, space: Space, article_id: int, attachment_id: int) -> Any:
    query = (
        select(space.attachment)
        .options(undefer(space.attachment.content))
        .where(space.attachment.article_id == article_id, space.attachment.id == attachment_id)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def delete_attachment(session: AsyncSession, space: Space, article_id: int, attachment_id: int) -> int:
    result = await session.execute(
        delete(space.attachment).where(
            space.attachment.article_id == article_id, space.attachment.id == attachment_id
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def live(session: AsyncSession, space: Space, article_id: int) -> Any:
    return await session.get(space.live, article_id)


async def remove_live(session: AsyncSession, space: Space, article_id: int) -> int:
    result = await session.execute(delete(space.live).where(space.live.article_id == article_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def touch(session: AsyncSession, space: Space, article_id: int, now: datetime) -> None:
    await session.execute(update(space.article).where(space.article.id == article_id).values(updated_at=now))


# Counting every match of a very common term costs more than the page itself: "1000+" is enough.
COUNT_CAP = 1000
_LISTING = ("article_id", "category", "title", "summary", "tags", "published_at")


def _listing_columns(space: Space) -> list[Any]:
    return [getattr(space.live, name) for name in _LISTING]


async def latest(
    session: AsyncSession, space: Space, *, category: str | None, limit: int, offset: int = 0
) -> Sequence[Row[Any]]:
    query = (
        select(*_listing_columns(space))
        .order_by(space.live.published_at.desc(), space.live.article_id.desc())
        .limit(limit)
        .offset(offset)
    )
    if category:
        query = query.where(space.live.category == category)
    return (await session.execute(query)).all()


async def count_live(session: AsyncSession, space: Space, *, category: str | None) -> int:
    query = select(func.count()).select_from(space.live)
    if category:
        query = query.where(space.live.category == category)
    return int((await session.execute(query)).scalar_one())


async def search(
    session: AsyncSession,
    space: Space,
    query_expr: Any,
    *,
    category: str | None,
    limit: int,
    offset: int = 0,
    by_date: bool = False,
) -> tuple[Sequence[Any], int]:
    """Published pages matching the tsquery, best (or, `by_date`, newest) first, and how many
    match, counted up to COUNT_CAP."""
    matches = space.live.search_vector.op("@@")(query_expr)
    where = and_(matches, space.live.category == category) if category else matches
    if by_date:
        order = [space.live.published_at.desc(), space.live.article_id.desc()]
        columns = _listing_columns(space)
    else:
        score = rank(space.live.search_vector, query_expr).label("score")
        order = [literal_column("score").desc(), space.live.published_at.desc()]
        columns = [*_listing_columns(space), score]
    rows = (
        await session.execute(select(*columns).where(where).order_by(*order).limit(limit).offset(offset))
    ).all()
    capped = select(space.live.article_id).where(where).limit(COUNT_CAP + 1).subquery()
    total = int((await session.execute(select(func.count()).select_from(capped))).scalar_one())
    return rows, total


async def all_live(session: AsyncSession, space: Space) -> Sequence[Any]:
    return (await session.execute(select(space.live).order_by(space.live.article_id))).scalars().all()
