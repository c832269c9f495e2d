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
