"""GB/T 2260 administrative divisions with their validity, in the national schema."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, SmallInteger, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase


class Division(NationalBase):
    __tablename__ = "division"
    __table_args__ = (
        Index("ix_division_parent_code", "parent_code"),
        Index("ix_division_province_code_level", "province_code", "level"),
    )

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(SmallInteger)  # 1 province, 2 city, 3 county
    parent_code: Mapped[str | None] = mapped_column(String(6))
    province_code: Mapped[str] = mapped_column(String(6))
    # 市辖区, 县 and 省直辖县级行政区划 group counties but are not administrations.
    is_grouping: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    valid_from: Mapped[date | None] = mapped_column(Date)  # None: in force before the first snapshot
    valid_to: Mapped[date | None] = mapped_column(Date)  # None: still in force


class ReferenceDataset(NationalBase):
    """Which version of a committed reference file is loaded, so loading can be skipped."""

    __tablename__ = "reference_dataset"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
