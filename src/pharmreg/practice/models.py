"""Practice units (执业单位): where pharmacists work, per tenant."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import TenantBase


class PracticeUnit(TenantBase):
    __tablename__ = "practice_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(32))
    licence_no: Mapped[str] = mapped_column(String(64))
    licence_valid_until: Mapped[date] = mapped_column(Date)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(200))
    principal: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'active'"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
