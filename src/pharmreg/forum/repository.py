"""Queries of the forum, each on the space it is given: a province's boards or the national board."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.forum.models import ForumSpace


async def boards(session: AsyncSession, space: ForumSpace) -> Sequence[tuple[Any, int, datetime | None]]:
    """Every board with its number of threads and latest activity, in their order."""
    counts = (
        select(
            space.tables.thread.board_id,
            func.count().label("threads"),
            func.max(space.tables.thread.last_activity_at).label("latest"),
        )
        .group_by(space.tables.thread.board_id)
        .subquery()
    )
    query = (
        select(space.tables.board, func.coalesce(counts.c.threads, 0), counts.c.latest)
        .outerjoin(counts, counts.c.board_id == space.tables.board.id)
        .order_by(space.tables.board.closed, space.tables.board.position, space.tables.board.id)
    )
    return [(row[0], int(row[1]), row[2]) for row in (await session.execute(query)).all()]


async def board(session: AsyncSession, space: ForumSpace, board_id: int) -> Any | None:
    return await session.get(space.tables.board, board_id)


async def board_stats(session: AsyncSession, space: ForumSpace, board_id: int) -> tuple[int, datetime | None]:
    query = select(func.count(), func.max(space.tables.thread.last_activity_at)).where(
        space.tables.thread.board_id == board_id
    )
    row = (await session.execute(query)).one()
    return int(row[0]), row[1]


async def next_board_position(session: AsyncSession, space: ForumSpace) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(space.tables.board.position), 0))) or 0) + 1


async def board_title_taken(
    session: AsyncSession, space: ForumSpace, title: str, *, except_id: int = 0
) -> bool:
    query = (
        select(space.tables.board.id)
        .where(space.tables.board.title == title, space.tables.board.id != except_id)
        .limit(1)
    )
    return await session.scalar(query) is not None


async def threads(
    session: AsyncSession, space: ForumSpace, board_id: int, *, offset: int, limit: int
) -> Sequence[Any]:
    """A page of a board's threads: pinned first, then by latest activity."""
    query = (
        select(space.tables.thread)
        .where(space.tables.thread.board_id == board_id)
        .order_by(
            space.tables.thread.pinned.desc(),
            space.tables.thread.last_activity_at.desc(),
            space.tables.thread.id.desc(),
        )
        .offset(offset)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def thread(
    session: AsyncSession, space: ForumSpace, thread_id: int, *, for_update: bool = False
) -> Any | None:
    query = select(space.tables.thread).where(space.tables.thread.id == thread_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def replies(
    session: AsyncSession, space: ForumSpace, thread_id: int, *, offset: int, limit: int
) -> Sequence[Any]:
    """A page of a thread's replies, oldest first."""
    query = (
        select(space.tables.post)
        .where(space.tables.post.thread_id == thread_id)
        .order_by(space.tables.post.id)
        .offset(offset)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def reply_total(session: AsyncSession, space: ForumSpace, thread_id: int) -> int:
    return int(
        await session.scalar(select(func.count()).where(space.tables.post.thread_id == thread_id)) or 0
    )


async def post(
    session: AsyncSession, space: ForumSpace, post_id: int, *, for_update: bool = False
) -> Any | None:
    query = select(space.tables.post).where(space.tables.post.id == post_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def count_reply(session: AsyncSession, space: ForumSpace, thread_id: int, at: datetime) -> None:
    """One more reply: counted in the database, so that simultaneous replies all count."""
    await session.execute(
        update(space.tables.thread)
        .where(space.tables.thread.id == thread_id)
        .values(reply_count=space.tables.thread.reply_count + 1, last_activity_at=at)
    )
