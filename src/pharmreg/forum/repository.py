"""Queries of the forum, on a province's tables or the national ones (`ForumTables`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.forum.models import ForumTables


async def boards(session: AsyncSession, t: ForumTables) -> Sequence[tuple[Any, int, datetime | None]]:
    """Every board with its number of threads and latest activity, in their order."""
    counts = (
        select(
            t.thread.board_id,
            func.count().label("threads"),
            func.max(t.thread.last_activity_at).label("latest"),
        )
        .group_by(t.thread.board_id)
        .subquery()
    )
    query = (
        select(t.board, func.coalesce(counts.c.threads, 0), counts.c.latest)
        .outerjoin(counts, counts.c.board_id == t.board.id)
        .order_by(t.board.closed, t.board.position, t.board.id)
    )
    return [(row[0], int(row[1]), row[2]) for row in (await session.execute(query)).all()]


async def board(session: AsyncSession, t: ForumTables, board_id: int) -> Any | None:
    return await session.get(t.board, board_id)


async def board_stats(session: AsyncSession, t: ForumTables, board_id: int) -> tuple[int, datetime | None]:
    query = select(func.count(), func.max(t.thread.last_activity_at)).where(t.thread.board_id == board_id)
    row = (await session.execute(query)).one()
    return int(row[0]), row[1]


async def next_board_position(session: AsyncSession, t: ForumTables) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(t.board.position), 0))) or 0) + 1


async def board_title_taken(session: AsyncSession, t: ForumTables, title: str, *, except_id: int = 0) -> bool:
    query = select(t.board.id).where(t.board.title == title, t.board.id != except_id).limit(1)
    return await session.scalar(query) is not None


async def threads(
    session: AsyncSession, t: ForumTables, board_id: int, *, offset: int, limit: int
) -> Sequence[Any]:
    """A page of a board's threads: pinned first, then by latest activity."""
    query = (
        select(t.thread)
        .where(t.thread.board_id == board_id)
        .order_by(t.thread.pinned.desc(), t.thread.last_activity_at.desc(), t.thread.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def thread(
    session: AsyncSession, t: ForumTables, thread_id: int, *, for_update: bool = False
) -> Any | None:
    query = select(t.thread).where(t.thread.id == thread_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def replies(
    session: AsyncSession, t: ForumTables, thread_id: int, *, offset: int, limit: int
) -> Sequence[Any]:
    """A page of a thread's replies, oldest first."""
    query = (
        select(t.post).where(t.post.thread_id == thread_id).order_by(t.post.id).offset(offset).limit(limit)
    )
    return (await session.scalars(query)).all()


async def reply_total(session: AsyncSession, t: ForumTables, thread_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(t.post.thread_id == thread_id)) or 0)


async def post(
    session: AsyncSession, t: ForumTables, post_id: int, *, for_update: bool = False
) -> Any | None:
    query = select(t.post).where(t.post.id == post_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def count_reply(session: AsyncSession, t: ForumTables, thread_id: int, at: datetime) -> None:
    """One more reply: counted in the database, so that simultaneous replies all count."""
    await session.execute(
        update(t.thread)
        .where(t.thread.id == thread_id)
        .values(reply_count=t.thread.reply_count + 1, last_activity_at=at)
    )
