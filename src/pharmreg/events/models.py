"""The transactional outbox (in every schema) and the delivery bookkeeping (national)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text, Uuid, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase


class _OutboxColumns:
    """An event written in the same transaction as the change it describes."""

    __tablename__ = "outbox"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            Index(
                "ix_outbox_pending",
                "tx_id",
                "id",
                postgresql_where=text("delivered_at IS NULL AND parked_at IS NULL"),
            ),
        )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    # Unique across schemas and their re-creations: what consumers deduplicate on.
    event_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, server_default=text("gen_random_uuid()"), unique=True)
    # The writing transaction: events are released only once every older transaction has
    # finished, so a slow transaction can never have its event overtaken by a later one.
    tx_id: Mapped[int] = mapped_column(BigInteger, server_default=text("pg_current_xact_id()::text::bigint"))
    topic: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    parked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TenantOutbox(_OutboxColumns, TenantBase):
    pass


class NationalOutbox(_OutboxColumns, NationalBase):
    pass


class ConsumedEvent(NationalBase):
    """Proof that a consumer applied an event: makes redelivery harmless."""

    __tablename__ = "consumed_event"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    source_schema: Mapped[str] = mapped_column(String(63))
    event_id: Mapped[int] = mapped_column(BigInteger)
    consumed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OutboxCursor(NationalBase):
    """How far each schema's events have reached the national side."""

    __tablename__ = "outbox_cursor"

    source_schema: Mapped[str] = mapped_column(String(63), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    last_delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last time the relay found nothing left to deliver: national figures are complete up to it.
    caught_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
