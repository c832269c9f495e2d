"""National reference data: qualification certificates and continuing-education credits."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase


class Qualification(NationalBase):
    """One qualification certificate (执业药师职业资格证书) from the national exam data."""

    __tablename__ = "qualification"
    __table_args__ = (Index("ix_qualification_person", "id_number", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    obtained_on: Mapped[date] = mapped_column(Date)
    education: Mapped[str | None] = mapped_column(String(20))
    major: Mapped[str | None] = mapped_column(String(60))
    # Exam subject results: [{"subject": ..., "year": 2023, "score": 85.0}, ...]
    subjects: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CeCredit(NationalBase):
    """Continuing-education credits of one person for one year and part, from one issuer."""

    __tablename__ = "ce_credit"
    __table_args__ = (
        # An issuer never reports the same certificate twice: a repeat is a duplicate.
        UniqueConstraint("issuer", "certificate_no"),
        Index("ix_ce_credit_person_year", "id_number", "year"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(16))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    issuer: Mapped[str] = mapped_column(String(100))
    certificate_no: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
