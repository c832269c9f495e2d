"""Consultations and complaints (per province), their history and attachments, the FAQ
knowledge base (national and per province), and the national query-code locator and Q&A."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pharmreg.kit.db import NationalBase, TenantBase


class ConsultationItem(TenantBase):
    """咨询 or 投诉建议 from the public, handled by one unit of the province."""

    __tablename__ = "consult_item"
    __table_args__ = (Index("ix_consult_item_unit_open", "unit_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # consultation | complaint
    category: Mapped[str] = mapped_column(String(32))
    division_code: Mapped[str] = mapped_column(String(6))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    # The submitter: confidential to the handling unit, never shown publicly.
    submitter_name: Mapped[str] = mapped_column(String(50))
    submitter_mobile: Mapped[str] = mapped_column(String(11))
    applicant_id: Mapped[uuid.UUID | None] = mapped_column()
    # sha256 of the normalised query code; the code itself is shown once and never stored.
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    # received -> replied; transferred: moved to another province (kept here read-only).
    status: Mapped[str] = mapped_column(String(16), server_default=text("'received'"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    due_on: Mapped[date | None] = mapped_column(Date)
    # The last deadline stage the handling unit was told about: "" | soon | overdue.
    reminded: Mapped[str] = mapped_column(String(16), server_default=text("''"))
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_by: Mapped[str | None] = mapped_column(String(50))
    transferred_to: Mapped[str | None] = mapped_column(String(100))
    origin: Mapped[str | None] = mapped_column(String(100))
    # Publication of the question and answer: none | draft | published, with public wording.
    publication: Mapped[str] = mapped_column(String(16), server_default=text("'none'"))
    public_question: Mapped[str | None] = mapped_column(Text)
    public_answer: Mapped[str | None] = mapped_column(Text)


class ConsultationEvent(TenantBase):
    """One entry of an item's history; `public` entries are shown to whoever holds the code."""

    __tablename__ = "consult_event"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("consult_item.id", ondelete="CASCADE"), index=True)
    item: Mapped[ConsultationItem] = relationship(lazy="raise")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(16))
    public: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    actor_name: Mapped[str] = mapped_column(String(100))


class ConsultationAttachment(TenantBase):
    __tablename__ = "consult_attachment"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("consult_item.id", ondelete="CASCADE"), index=True)
    item: Mapped[ConsultationItem] = relationship(lazy="raise")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class _FaqColumns:
    __tablename__ = "faq_entry"

    id: Mapped[int] = mapped_column(Integer, Identity(always=True), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(String(50))


class NationalFaqEntry(_FaqColumns, NationalBase):
    """A national FAQ entry, kept by national staff."""


class ProvinceFaqEntry(_FaqColumns, TenantBase):
    """A province's own FAQ entry, kept by its officers with the consultation post."""


class ConsultationLocator(NationalBase):
    """Where the item of a query code lives now (it moves when transferred to another province)."""

    __tablename__ = "consult_locator"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_slug: Mapped[str] = mapped_column(String(41))
    item_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set when the item is closed (replied): the code stops working after this moment.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PublishedAnswer(NationalBase):
    """A question and answer a province published (public wording only), for the national /qa."""

    __tablename__ = "consult_published"
    __table_args__ = (UniqueConstraint("tenant_slug", "item_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    tenant_slug: Mapped[str] = mapped_column(String(41), index=True)
    item_id: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
