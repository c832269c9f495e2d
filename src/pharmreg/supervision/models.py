"""National read models fed from the provinces through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase


class ProvinceStat(NationalBase):
    """One figure of one province, e.g. how many practice units it has."""

    __tablename__ = "province_stat"

    tenant_slug: Mapped[str] = mapped_column(String(41), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
