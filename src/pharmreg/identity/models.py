"""Who acts: bureau units and officers (per tenant), applicants and national staff (national)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase


class BureauUnit(TenantBase):
    """A regulator's office: the province bureau, a city bureau or a county bureau."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(6))
    email: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Officer(TenantBase):
    __tablename__ = "officer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    mobile: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set when an administrator chose the password: the officer must replace it at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The TOTP secret, encrypted with a key derived from the platform secret; None: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_last_step: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OfficerPosition(TenantBase):
    """A post (岗位) held by an officer."""

    __tablename__ = "officer_position"

    officer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("officer.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    granted_by: Mapped[str | None] = mapped_column(String(64))


class Applicant(NationalBase):
    """A pharmacist's own account: one per ID document nationwide."""

    __tablename__ = "applicant"
    __table_args__ = (UniqueConstraint("id_type", "id_number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    mobile: Mapped[str] = mapped_column(String(11), index=True, unique=True)  # also a login
    # When a code sent to `mobile` was typed back; None: never confirmed.
    mobile_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When and how the real name was verified (e.g. "qualification"); None: registered before
    # registration asked for proof.
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NationalStaff(NationalBase):
    """Staff of the national super-tenant (NMPA and its certification centre)."""

    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    department: Mapped[str] = mapped_column(String(100))
    # "staff" or "superadmin"; a super-administrator is only ever made from the command line.
    role: Mapped[str] = mapped_column(String(16), server_default=text("'staff'"))
    mobile: Mapped[str | None] = mapped_column(String(11))
    password_hash: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_last_step: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class _SecurityColumns:
    """Security settings of one tenant (or of the national accounts): a single row, id 1."""

    __tablename__ = "security_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_idle_minutes: Mapped[int] = mapped_column(Integer, server_default=text("30"))
    session_absolute_hours: Mapped[int] = mapped_column(Integer, server_default=text("12"))
    lockout_threshold: Mapped[int] = mapped_column(Integer, server_default=text("5"))
    lockout_window_minutes: Mapped[int] = mapped_column(Integer, server_default=text("15"))
    lockout_minutes: Mapped[int] = mapped_column(Integer, server_default=text("15"))
    password_min_length: Mapped[int] = mapped_column(Integer, server_default=text("10"))
    password_min_classes: Mapped[int] = mapped_column(Integer, server_default=text("3"))
    password_max_age_days: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Who must sign in with a second factor (TOTP): "none", "admins" or "all".
    totp_required: Mapped[str] = mapped_column(String(16), server_default=text("'none'"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(String(64))


class TenantSecuritySetting(_SecurityColumns, TenantBase):
    pass


class NationalSecuritySetting(_SecurityColumns, NationalBase):
    pass


class PublicContact(TenantBase):
    """An officer listed on the public contacts page of their unit, with a work phone and duties.

    Only what is here is ever shown: never the officer's own mobile or e-mail."""

    __tablename__ = "public_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officer.id", ondelete="CASCADE"), unique=True)
    work_phone: Mapped[str] = mapped_column(String(40))
    duties: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class _SignInFailureColumns:
    """Failed sign-ins in the current window, counted three ways: one account from one source
    (an address, or a browser where the account signed in before), one account from every
    source (subject, "*"), and one address on every account ("*", source)."""

    __tablename__ = "sign_in_failure"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # officer, staff, applicant
    # "a:<account id>", or "l:<login>" for a login that names no account; "*": every account.
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    # "ip:<address>" or "d:<device digest>"; "*": every source.
    source: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The account holder was last told of failures at this time (account-wide rows only).
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)


class TenantSignInFailure(_SignInFailureColumns, TenantBase):
    pass


class NationalSignInFailure(_SignInFailureColumns, NationalBase):
    pass


class AccountDispute(NationalBase):
    """账号申诉: someone who proved their identity says the account bound to their ID document
    is not theirs. A province's officers decide; one province never sees another's."""

    __tablename__ = "account_dispute"
    __table_args__ = (Index("ix_account_dispute_province", "province", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The claimant follows the dispute with this code; only its hash is kept.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    province: Mapped[str] = mapped_column(String(41))  # the tenant slug that decides
    status: Mapped[str] = mapped_column(String(16), server_default=text("'open'"))  # open, upheld, rejected
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("applicant.id"), index=True)
    # The claimant, as proven: real name verified, mobile confirmed by a code.
    name: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    certificate_no: Mapped[str] = mapped_column(String(40))
    verified_by: Mapped[str] = mapped_column(String(32))
    mobile: Mapped[str] = mapped_column(String(11))
    mobile_confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    statement: Mapped[str] = mapped_column(Text)
    # The account as it was when the dispute was filed.
    account_name: Mapped[str] = mapped_column(String(50))
    account_mobile: Mapped[str] = mapped_column(String(11))
    account_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    filed_ip: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column()
    decided_by_name: Mapped[str | None] = mapped_column(String(50))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class DisputeDocument(NationalBase):
    """An identity document a claimant uploaded, checked by its content."""

    __tablename__ = "dispute_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("account_dispute.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # id_front, id_back, other
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The first officer who opened it (every opening is in the audit log).
    first_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_opened_by: Mapped[str | None] = mapped_column(String(50))
