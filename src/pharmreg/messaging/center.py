"""消息中心: system notifications (new tasks, deadline warnings) and direct messages between the
officers of one province, with unread counts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.clock import utcnow
from pharmreg.messaging import repository
from pharmreg.messaging.models import OfficeMessage

SYSTEM_SENDER = "系统"


class MessageRead(msgspec.Struct):
    id: int
    kind: str
    sender_name: str
    subject: str
    body: str
    link: str | None
    at: datetime
    read: bool


def notify(
    session: AsyncSession,
    recipients: Iterable[uuid.UUID],
    *,
    subject: str,
    body: str,
    link: str | None = None,
) -> int:
    """A system notification to each recipient, in the caller's transaction."""
    count = 0
    for recipient in dict.fromkeys(recipients):
        repository.add(
            session,
            OfficeMessage(
                recipient_id=recipient,
                sender_id=None,
                sender_name=SYSTEM_SENDER,
                kind="system",
                subject=subject[:120],
                body=body[:2000],
                link=link,
            ),
        )
        count += 1
    return count


def send_direct(
    session: AsyncSession,
    *,
    sender_id: uuid.UUID,
    sender_name: str,
    recipient_id: uuid.UUID,
    subject: str,
    body: str,
) -> None:
    repository.add(
        session,
        OfficeMessage(
            recipient_id=recipient_id,
            sender_id=sender_id,
            sender_name=sender_name,
            kind="direct",
            subject=subject[:120],
            body=body[:2000],
            link=None,
        ),
    )


def _read(row: OfficeMessage) -> MessageRead:
    return MessageRead(
        id=row.id,
        kind=row.kind,
        sender_name=row.sender_name,
        subject=row.subject,
        body=row.body,
        link=row.link,
        at=row.at,
        read=row.read_at is not None,
    )


async def inbox(session: AsyncSession, officer_id: uuid.UUID, *, limit: int = 100) -> list[MessageRead]:
    return [_read(m) for m in await repository.inbox(session, officer_id, limit=limit)]


async def unread_count(session: AsyncSession, officer_id: uuid.UUID) -> int:
    return await repository.unread(session, officer_id)


async def open_message(session: AsyncSession, officer_id: uuid.UUID, message_id: int) -> MessageRead | None:
    """One of the officer's own messages, marked read; None for anyone else's (or none)."""
    row = await repository.message(session, officer_id, message_id)
    if row is None:
        return None
    if row.read_at is None:
        await repository.mark_read(session, row.id, utcnow())
    read = _read(row)
    read.read = True
    return read
