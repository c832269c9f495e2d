"""The audit log: append-only, per tenant, with a national copy fed through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase


class _AuditColumns:
    __tablename__ = "audit_log"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index(f"ix_{cls.__tablename__}_at", "at"), Index(f"ix_{cls.__tablename__}_action", "action"))

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(16))  # officer, staff, applicant, system, anonymous
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))


class TenantAuditEntry(_AuditColumns, TenantBase):
    pass


class NationalAuditEntry(_AuditColumns, NationalBase):
    """National accounts' entries plus a copy of every tenant's, for national staff."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            Index("ix_audit_log_at", "at"),
            Index("ix_audit_log_action", "action"),
            Index("ix_audit_log_tenant_at", "tenant_slug", "at"),
            UniqueConstraint("tenant_slug", "source_id"),
        )

    tenant_slug: Mapped[str] = mapped_column(String(41), server_default=text("'national'"))
    # The entry's id in its tenant's own log (None for entries written nationally).
    source_id: Mapped[int | None] = mapped_column(BigInteger)
