"""Approval authority: delegation records (the truth) and the rules projected from them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import TenantBase


class Delegation(TenantBase):
    """A unit hands one matter, for part of the territory, to another unit for a period."""

    __tablename__ = "authority_delegation"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="period"),
        CheckConstraint("grantor_unit_id <> delegate_unit_id", name="distinct_units"),
        Index("ix_authority_delegation_delegate_matter", "delegate_unit_id", "matter"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grantor_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    delegate_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    matter: Mapped[str] = mapped_column(String(32))
    territory: Mapped[list[str]] = mapped_column(ARRAY(String(6)))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)
    may_redelegate: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("authority_delegation.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Taking back sets valid_to (now or later) and records who decided it and why.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class AuthorityRule(TenantBase):
    """One Casbin policy line; rebuilt from the delegations in the same transaction."""

    __tablename__ = "authority_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(6))
    domain: Mapped[str] = mapped_column(String(6))
    matter: Mapped[str] = mapped_column(String(32))
    effect: Mapped[str] = mapped_column(String(5))  # "allow" or "deny"
    source: Mapped[str] = mapped_column(String(20))  # "base" or "delegation:<id>"


class AuthorityState(TenantBase):
    """Version of the projection (single row): every process reloads when it moves."""

    __tablename__ = "authority_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    projected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The next time a delegation starts or ends: the projection must be rebuilt then.
    next_change_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkDelegation(TenantBase):
    """工作委托: an officer's tasks handled by a colleague of the same unit for a period."""

    __tablename__ = "work_delegation"
    __table_args__ = (
        CheckConstraint("valid_to > valid_from", name="period"),
        CheckConstraint("from_officer_id <> to_officer_id", name="distinct_officers"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id"), index=True)
    to_officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id"), index=True)
    matters: Mapped[list[str] | None] = mapped_column(ARRAY(String(32)))  # None: every matter
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
