"""The tenant registry: every province and the national super-tenant, with placement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase


class Tenant(NationalBase):
    __tablename__ = "tenant"

    slug: Mapped[str] = mapped_column(String(41), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "province" or "national"
    name: Mapped[str] = mapped_column(String(50))
    authority_name: Mapped[str] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    placement: Mapped[str] = mapped_column(String(40), server_default=text("'primary'"))
    hosts: Mapped[list[str]] = mapped_column(ARRAY(String(255)), server_default=text("'{}'"))
    territory: Mapped[list[str]] = mapped_column(ARRAY(String(6)), server_default=text("'{}'"))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    links: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    contact: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # The province administrator's own links (over the catalogue's), fed from the province's
    # `site_link` table through the outbox; never touched by a catalogue sync.
    site_links: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    config_sha256: Mapped[str] = mapped_column(String(64))
    provisioned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    schema_revision: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
