"""Applications (网上申报) with their timeline, attachments and issued notices."""

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
    LargeBinary,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, deferred, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase

# Numbers application references; created by the migration, named here so the schema is translated.
application_ref_seq = Sequence("application_ref_seq", metadata=TenantBase.metadata)


class Application(TenantBase):
    """One application of a pharmacist to this province, from draft to decision."""

    __tablename__ = "application"
    __table_args__ = (
        Index("ix_application_applicant", "applicant_id", "status"),
        # The deadline view and the sweep: open cases by their next due date.
        Index(
            "ix_application_open_due",
            text("coalesce(statutory_due, acceptance_due)"),
            "id",
            postgresql_where=text("status IN ('submitted', 'processing') AND suspended IS false"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    applicant_id: Mapped[uuid.UUID] = mapped_column()
    person_key: Mapped[str] = mapped_column(String(50), index=True)
    applicant_name: Mapped[str] = mapped_column(String(50))
    # The applicant's identity as it stood when the application was made.
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    matter: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'draft'"))
    step: Mapped[str | None] = mapped_column(String(32))
    process_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    form: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # The registration this application acts on (change, renewal, cancellation, re-issue).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    # A cross-province change: the origin province and its registration.
    origin_tenant: Mapped[str | None] = mapped_column(String(41))
    origin_registration_id: Mapped[int | None] = mapped_column(Integer)
    practice_unit_id: Mapped[int | None] = mapped_column(ForeignKey("practice_unit.id"))
    division_code: Mapped[str | None] = mapped_column(String(6))
    supplement_used: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    suspended: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The day complete materials were received (resubmitting after a supplement notice resets it).
    received_on: Mapped[date | None] = mapped_column(Date)
    acceptance_due: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    statutory_due: Mapped[date | None] = mapped_column(Date)
    promised_due: Mapped[date | None] = mapped_column(Date)
    # A due date counted through a year whose holidays are not yet entered.
    due_provisional: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    paused_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The authority the materials were delivered to at the latest receipt, as printed on the
    # receipt (a city or county bureau acting under delegation carries the delegation mark).
    received_by: Mapped[str | None] = mapped_column(String(200))
    reminded: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it


class ApplicationEvent(TenantBase):
    """Append-only timeline of an application: every action, by whom, with what."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(String(24))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))
    step: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    items: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))


class Attachment(TenantBase):
    """An uploaded material, checked by content and kept with its SHA-256."""

    __tablename__ = "application_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    material: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Loaded only by the queries that serve the file; reading it anywhere else raises at once.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary), raiseload=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MaterialOpening(TenantBase):
    """An officer opened an uploaded material: who, when, which file and which version (SHA-256).

    Append-only (a trigger forbids changes): decisions on a case require that the deciding
    officer opened every material it holds, and this is the record of it.
    """

    __tablename__ = "material_opening"
    __table_args__ = (Index("ix_material_opening_case", "application_id", "officer_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("application_attachment.id"), index=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id"))
    officer_name: Mapped[str] = mapped_column(String(50))
    unit_name: Mapped[str] = mapped_column(String(100))
    # The case's step when it was opened (None between steps, e.g. while waiting for a supplement).
    step: Mapped[str | None] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Notice(TenantBase):
    """A notice issued on an application (受理, 补正, 不予受理, 准予, 不予): fixed once issued."""

    __tablename__ = "application_notice"
    __table_args__ = (UniqueConstraint("document_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    document_no: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ApplicantTenant(NationalBase):
    """The provinces in which an applicant has applications, so their lists read only those."""

    __tablename__ = "applicant_tenant"

    applicant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(41), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GuideOverride(TenantBase):
    """A province's own text for parts of a matter's guide (办事指南), over the national default."""

    __tablename__ = "guide_override"

    matter: Mapped[str] = mapped_column(String(32), primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
