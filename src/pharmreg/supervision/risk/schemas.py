"""Risk flags as pages and the scan report see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class FlagRead(msgspec.Struct, frozen=True):
    id: int
    rule: str
    rule_label: str
    tenant: str
    registration_id: int | None
    practice_unit_id: int | None
    state: str
    state_label: str
    summary: str
    evidence: list[dict[str, Any]]
    matching: bool
    detected_at: datetime
    updated_at: datetime
    outcome_reason: str | None


class FlagEventRead(msgspec.Struct, frozen=True):
    at: datetime
    kind: str
    kind_label: str
    actor_name: str | None
    actor_place: str | None
    note: str | None


class ScanReport(msgspec.Struct):
    """Per rule: subjects found, flags opened, flags given new evidence, resolved flags reopened."""

    found: dict[str, int] = msgspec.field(default_factory=dict)
    opened: dict[str, int] = msgspec.field(default_factory=dict)
    updated: dict[str, int] = msgspec.field(default_factory=dict)
    reopened: dict[str, int] = msgspec.field(default_factory=dict)
