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
    Integer,
    SmallInteger,
    String,
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
