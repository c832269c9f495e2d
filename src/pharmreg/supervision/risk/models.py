"""Risk flags (空挂与频繁变更) about the national facts, and the national settings of their rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase


class RiskRuleSetting(NationalBase):
    """A rule's settings as national super-administrators last saved them; a rule without a row
    runs with its defaults."""

    __tablename__ = "risk_rule_setting"

    rule: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # Parameter name -> integer value; names the rule does not know are ignored.
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(String(100))


class RiskFlag(NationalBase):
    """One rule's finding about one subject (a person, a registration or a practice unit)."""

    __tablename__ = "risk_flag"
    __table_args__ = (
        UniqueConstraint("rule", "subject"),
        Index("ix_risk_flag_tenant_state", "tenant", "state"),
        Index("ix_risk_flag_state_rule", "state", "rule"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    # "person:<hash>", "registration:<tenant>:<id>" or "unit:<tenant>:<id>".
    subject: Mapped[str] = mapped_column(String(120))
    # The province concerned, and its own ids of what the flag is about.
    tenant: Mapped[str] = mapped_column(String(41))
    registration_id: Mapped[int | None] = mapped_column(Integer)
    practice_unit_id: Mapped[int | None] = mapped_column(Integer)
    person_hash: Mapped[str | None] = mapped_column(String(64))
    # open -> sent -> dismissed | confirmed
    state: Mapped[str] = mapped_column(String(16), server_default=text("'open'"))
    summary: Mapped[str] = mapped_column(String(300))
    # The facts behind the flag as the last scan found them: a list of items, each with a "key".
    evidence: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # Every evidence key ever seen: a resolved flag opens again only for a key not among them.
    seen_keys: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    # Whether the last scan still found the subject.
    matching: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    outcome_reason: Mapped[str | None] = mapped_column(String(500))


class RiskFlagEvent(NationalBase):
    """Append-only history of a flag: detected, evidence added, sent, dismissed, confirmed, reopened."""

    __tablename__ = "risk_flag_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("risk_flag.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(16))
    # Who acted ("national" staff or an officer of the province), by name; none for the scan.
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_place: Mapped[str | None] = mapped_column(String(41))
    note: Mapped[str | None] = mapped_column(String(500))
