"""Audit entries as callers write them and as searches return them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class Actor(msgspec.Struct, frozen=True):
    """Who did something: kind is officer, staff, applicant, system or anonymous."""

    kind: str
    id: str | None = None
    name: str | None = None
    ip: str | None = None
    request_id: str | None = None


SYSTEM = Actor(kind="system", name="系统")


class AuditRead(msgspec.Struct):
    id: int
    at: datetime
    tenant_slug: str
    action: str
    action_label: str
    actor_kind: str
    actor_name: str | None
    target: str | None
    summary: str
    details: dict[str, Any]
    ip: str | None


class AuditQuery(msgspec.Struct, frozen=True):
    text: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    tenant_slug: str | None = None
    limit: int = 100
