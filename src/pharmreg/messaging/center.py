"""消息中心: system notifications (new tasks, deadline warnings) and direct messages between the
officers of one province, with unread counts; and the national staff's own message center, with
messages both ways between national staff and the provinces' officers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.clock import utcnow
from pharmreg.kit.spaces import Space, Spaces
from pharmreg.messaging import repository
from pharmreg.messaging.models import OfficeMessage, StaffMessage

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
    sender_staff_id: uuid.UUID | None = None
    sender_id: uuid.UUID | None = None
    # Set when the notification's subject moved on (see `resolve_notifications`): no link then.
    resolution: str | None = None


class StaffMessageRead(msgspec.Struct):
    id: int
    sender_name: str
    sender_tenant: str | None
    sender_officer_id: uuid.UUID | None
    sender_staff_id: uuid.UUID | None
    subject: str
    body: str
    at: datetime
    read: bool


def message_errors(subject: str, body: str) -> dict[str, str]:
    """A message's subject and body checked: errors by field, in Chinese."""
    errors = {}
    if not 1 <= len(subject.strip()) <= 120:
        errors["subject"] = "主题应为 1–120 个字"
    if not 1 <= len(body.strip()) <= 2000:
        errors["body"] = "内容应为 1–2000 个字"
    return errors


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
        sender_staff_id=row.sender_staff_id,
        sender_id=row.sender_id,
        resolution=row.resolution,
    )


async def resolve_notifications(
    session: AsyncSession, link: str, note: str, *, keep: uuid.UUID | None = None
) -> int:
    """The notifications about `link` are stale (the task left their pool): mark them read with
    what became of it, so they no longer count as unread nor lead to what the reader cannot open.

    `keep` is the one person still concerned (the colleague who claimed the task): their notice
    is only marked read.
    """
    return await repository.resolve(session, link, note[:200], utcnow(), keep=keep)


def send_from_national(
    session: AsyncSession,
    *,
    staff_id: uuid.UUID,
    staff_name: str,
    recipient_id: uuid.UUID,
    subject: str,
    body: str,
) -> None:
    """National staff write to an officer (in the officer's province's session)."""
    repository.add(
        session,
        OfficeMessage(
            recipient_id=recipient_id,
            sender_id=None,
            sender_name=f"国家局 · {staff_name}"[:50],
            sender_staff_id=staff_id,
            kind="national",
            subject=subject[:120],
            body=body[:2000],
            link=None,
        ),
    )


def send_to_staff(
    session: AsyncSession,
    *,
    recipient_id: uuid.UUID,
    sender_name: str,
    subject: str,
    body: str,
    sender_tenant: str | None = None,
    sender_officer_id: uuid.UUID | None = None,
    sender_staff_id: uuid.UUID | None = None,
) -> None:
    """A message to national staff (in a national session), from an officer or a national colleague."""
    repository.add(
        session,
        StaffMessage(
            recipient_id=recipient_id,
            sender_name=sender_name[:100],
            sender_tenant=sender_tenant,
            sender_officer_id=sender_officer_id,
            sender_staff_id=sender_staff_id,
            subject=subject[:120],
            body=body[:2000],
        ),
    )


def _staff_read(row: StaffMessage) -> StaffMessageRead:
    return StaffMessageRead(
        id=row.id,
        sender_name=row.sender_name,
        sender_tenant=row.sender_tenant,
        sender_officer_id=row.sender_officer_id,
        sender_staff_id=row.sender_staff_id,
        subject=row.subject,
        body=row.body,
        at=row.at,
        read=row.read_at is not None,
    )


MessageT = TypeVar("MessageT", OfficeMessage, StaffMessage)
ReadT = TypeVar("ReadT", MessageRead, StaffMessageRead)


@dataclass(frozen=True, slots=True)
class Mailbox(Generic[MessageT, ReadT]):
    """The messages table of one kind of message center, and how its rows are shown."""

    table: type[MessageT]
    show: Callable[[MessageT], ReadT]


# National staff's message center (the national schema) and the officers' (each province's).
MAILBOXES = Spaces(
    national_tables=Mailbox(StaffMessage, _staff_read),
    province_tables=Mailbox(OfficeMessage, _read),
)


async def inbox(
    session: AsyncSession,
    space: Space[Mailbox[MessageT, ReadT]],
    recipient_id: uuid.UUID,
    *,
    limit: int = 100,
) -> list[ReadT]:
    mailbox = space.tables
    return [
        mailbox.show(m) for m in await repository.inbox(session, mailbox.table, recipient_id, limit=limit)
    ]


async def unread_count(
    session: AsyncSession, space: Space[Mailbox[MessageT, ReadT]], recipient_id: uuid.UUID
) -> int:
    return await repository.unread(session, space.tables.table, recipient_id)


async def open_message(
    session: AsyncSession, space: Space[Mailbox[MessageT, ReadT]], recipient_id: uuid.UUID, message_id: int
) -> ReadT | None:
    """One of the recipient's own messages, marked read; None for anyone else's (or none)."""
    mailbox = space.tables
    row = await repository.message(session, mailbox.table, recipient_id, message_id)
    if row is None:
        return None
    if row.read_at is None:
        await repository.mark_read(session, mailbox.table, row.id, utcnow())
    read = mailbox.show(row)
    read.read = True
    return read
