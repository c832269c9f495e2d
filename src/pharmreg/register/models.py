"""The register: each province's registrations with their immutable history, and the
national index that holds one active registration per person across all provinces."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase


class Registration(TenantBase):
    """A pharmacist's registration in this province (active, or closed with its reason)."""

    __tablename__ = "registration"
    __table_args__ = (
        Index(
            "uq_registration_active_person",
            "person_key",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_registration_expiry", "valid_until", postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[str] = mapped_column(String(50), index=True)
    applicant_id: Mapped[uuid.UUID | None] = mapped_column()
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(1))
    # 学历 and 专业 from the application form (older registrations may not have them).
    education: Mapped[str | None] = mapped_column(String(20))
    major: Mapped[str | None] = mapped_column(String(40))
    categories: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(32))
    practice_unit_id: Mapped[int] = mapped_column(ForeignKey("practice_unit.id"), index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6))
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    qualification_nos: Mapped[str] = mapped_column(String(100))
    first_registered_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'active'"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(200))
    # A cross-province transfer: where it came from or went to.
    origin_tenant: Mapped[str | None] = mapped_column(String(41))
    destination_tenant: Mapped[str | None] = mapped_column(String(41))
    # Expiry reminders already sent (90, 60, 30 days), so a re-run sends none twice.
    reminded_days: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RegistrationHistory(TenantBase):
    """Append-only: every registration, change, renewal, transfer and cancellation."""

    __tablename__ = "registration_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    application_ref: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    # Published in the province's results (公示): approvals and cancellations.
    public: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class CertificateCounter(TenantBase):
    """The last certificate number used per year, for the configurable number pattern."""

    __tablename__ = "certificate_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class RegistrationSetting(TenantBase):
    """The province's registration rules (one row, id 1); the defaults follow domain practice."""

    __tablename__ = "registration_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    validity_years: Mapped[int] = mapped_column(SmallInteger, server_default=text("5"))
    renewal_lead_days: Mapped[int] = mapped_column(SmallInteger, server_default=text("30"))
    certificate_pattern: Mapped[str] = mapped_column(
        String(60), server_default=text("'{province}{year}{seq:06d}'")
    )
    reissue_enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    age_warning: Mapped[int] = mapped_column(SmallInteger, server_default=text("70"))
    ce_public: Mapped[int] = mapped_column(SmallInteger, server_default=text("10"))
    ce_professional: Mapped[int] = mapped_column(SmallInteger, server_default=text("20"))
    # Unit type -> allowed scopes; empty means the platform default mapping.
    unit_type_scopes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    max_attachment_mb: Mapped[int] = mapped_column(SmallInteger, server_default=text("5"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(String(64))


class CeRequirement(TenantBase):
    """Credits required for one year, when a province sets that year apart from its default."""

    __tablename__ = "ce_requirement"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    public: Mapped[int] = mapped_column(SmallInteger)
    professional: Mapped[int] = mapped_column(SmallInteger)


class RegisterEntry(NationalBase):
    """The national index of registrations: what public verification shows, and the
    database-held rule that a person has at most one active registration nationwide."""

    __tablename__ = "register_entry"
    __table_args__ = (
        UniqueConstraint("tenant", "registration_id"),
        Index(
            "uq_register_entry_active_person",
            "person_key",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_key: Mapped[str] = mapped_column(String(50), index=True)
    tenant: Mapped[str] = mapped_column(String(41))
    registration_id: Mapped[int] = mapped_column(Integer)
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    categories: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(32))
    unit_name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(50))
    division_code: Mapped[str] = mapped_column(String(6))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Public sanctions (e.g. a confirmed hanging-certificate case), shown by verification.
    sanctions: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OpenCase(NationalBase):
    """A person's application that is in progress somewhere: at most one per person nationwide."""

    __tablename__ = "open_case"

    person_key: Mapped[str] = mapped_column(String(50), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(41))
    application_ref: Mapped[str] = mapped_column(String(40))
    matter: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NationalResult(NationalBase):
    """结果公示 across provinces: each province's published decisions (registrations, transfers in,
    cancellations), fed from its outbox. Only public facts: never an ID number or contact detail."""

    __tablename__ = "published_result"
    __table_args__ = (
        Index("ix_published_result_recent", "effective_on", "id"),
        Index("ix_published_result_tenant_recent", "tenant", "effective_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # The outbox event it came from: a redelivery can never add it twice.
    event_uuid: Mapped[uuid.UUID] = mapped_column(unique=True)
    tenant: Mapped[str] = mapped_column(String(41))
    registration_id: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(50), index=True)
    certificate_no: Mapped[str] = mapped_column(String(40), index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(6))
    categories: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(300))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
