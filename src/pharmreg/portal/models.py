"""What a province keeps for its public pages: its own sites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import TenantBase


class SiteLink(TenantBase):
    """A site the province's administrator set (人事考试网, 继续教育 …) over the catalogue's."""

    __tablename__ = "site_link"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(300))
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
