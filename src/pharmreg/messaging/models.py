"""Text messages handed to the SMS provider (kept by the development provider), and the
officers' message center."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase


class SentMessage(NationalBase):
    __tablename__ = "sent_message"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    tenant_slug: Mapped[str] = mapped_column(String(41), index=True)
    mobile: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
    provider: Mapped[str] = mapped_column(String(32))


class OfficeMessage(TenantBase):
    """消息中心: a system notification or a direct message to one officer of the province."""

    __tablename__ = "office_message"
    __table_args__ = (Index("ix_office_message_inbox", "recipient_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"))
    # None for system notifications (new tasks, deadline warnings).
    sender_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id", ondelete="SET NULL"))
    sender_name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when national staff wrote it (kind "national"), so that the officer can answer.
    sender_staff_id: Mapped[uuid.UUID | None] = mapped_column()
    # What became of a notification's subject since (a task claimed by a colleague, moved to
    # another unit, completed): the notice is settled and no longer leads anywhere.
    resolution: Mapped[str | None] = mapped_column(String(200))


class StaffMessage(NationalBase):
    """消息中心 of national staff: messages from provinces' officers and from colleagues."""

    __tablename__ = "staff_message"
    __table_args__ = (Index("ix_staff_message_inbox", "recipient_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("national.staff.id", ondelete="CASCADE"))
    sender_name: Mapped[str] = mapped_column(String(100))
    # Who can be answered: an officer (their province and id) or a national colleague.
    sender_tenant: Mapped[str | None] = mapped_column(String(41))
    sender_officer_id: Mapped[uuid.UUID | None] = mapped_column()
    sender_staff_id: Mapped[uuid.UUID | None] = mapped_column()
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
