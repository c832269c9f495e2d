"""Messages handed to the SMS provider; the development provider keeps them here to read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase


class SentMessage(NationalBase):
    __tablename__ = "sent_message"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    tenant_slug: Mapped[str] = mapped_column(String(41), index=True)
    mobile: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
    provider: Mapped[str] = mapped_column(String(32))
