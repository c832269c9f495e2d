"""Queries of the message centers (officers' in their province, national staff's) and of the
recorded text messages; a mailbox's queries take its table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.messaging.models import OfficeMessage, SentMessage, StaffMessage

MessageT = TypeVar("MessageT", OfficeMessage, StaffMessage)


def add(session: AsyncSession, message: OfficeMessage | StaffMessage) -> None:
    session.add(message)


async def inbox(
    session: AsyncSession, table: type[MessageT], recipient_id: uuid.UUID, *, limit: int
) -> Sequence[MessageT]:
    query = select(table).where(table.recipient_id == recipient_id).order_by(table.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def unread(session: AsyncSession, table: type[MessageT], recipient_id: uuid.UUID) -> int:
    query = select(func.count()).where(table.recipient_id == recipient_id, table.read_at.is_(None))
    return int(await session.scalar(query) or 0)


async def message(
    session: AsyncSession, table: type[MessageT], recipient_id: uuid.UUID, message_id: int
) -> MessageT | None:
    query = select(table).where(table.id == message_id, table.recipient_id == recipient_id)
    return await session.scalar(query)


async def mark_read(session: AsyncSession, table: type[MessageT], message_id: int, at: datetime) -> None:
    await session.execute(
        update(table).where(table.id == message_id, table.read_at.is_(None)).values(read_at=at)
    )


async def resolve(
    session: AsyncSession, link: str, note: str, at: datetime, *, keep: uuid.UUID | None
) -> int:
    """Settle the open system notifications pointing at `link` (all but `keep`'s, which is read)."""
    open_notices = (
        OfficeMessage.kind == "system",
        OfficeMessage.link == link,
        OfficeMessage.resolution.is_(None),
    )
    others = update(OfficeMessage).where(*open_notices)
    if keep is not None:
        others = others.where(OfficeMessage.recipient_id != keep)
        await session.execute(
            update(OfficeMessage)
            .where(*open_notices, OfficeMessage.recipient_id == keep, OfficeMessage.read_at.is_(None))
            .values(read_at=at)
        )
    result = await session.execute(
        others.values(resolution=note, read_at=func.coalesce(OfficeMessage.read_at, at))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def sent_messages(
    session: AsyncSession, *, tenant_slug: str | None, limit: int
) -> Sequence[SentMessage]:
    query = select(SentMessage).order_by(SentMessage.id.desc()).limit(limit)
    if tenant_slug is not None:
        query = query.where(SentMessage.tenant_slug == tenant_slug)
    return (await session.scalars(query)).all()
