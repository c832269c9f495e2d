"""Recording security-relevant actions, and searching them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import repository
from pharmreg.audit.actions import ACTIONS, action_label
from pharmreg.audit.models import NationalAuditEntry, TenantAuditEntry
from pharmreg.audit.schemas import Actor, AuditQuery, AuditRead
from pharmreg.events import Event, record_event

AUDIT_RECORDED = "audit.recorded"
_COPIED_FIELDS = (
    "at",
    "action",
    "actor_kind",
    "actor_id",
    "actor_name",
    "target",
    "summary",
    "details",
    "ip",
    "request_id",
)


async def record_tenant_audit(
    session: AsyncSession,
    *,
    action: str,
    actor: Actor,
    summary: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the tenant's log in the caller's transaction; a copy reaches the national log."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    entry = await repository.add_tenant_entry(session, _values(action, actor, summary, target, details))
    record_event(session, AUDIT_RECORDED, {"entry_id": entry.id, **_jsonable(entry)})


def record_national_audit(
    session: AsyncSession,
    *,
    action: str,
    actor: Actor,
    summary: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the national log (national staff and applicants) in the caller's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    repository.add_national_entry(session, _values(action, actor, summary, target, details))


def _values(
    action: str, actor: Actor, summary: str, target: str | None, details: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "action": action,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "target": target,
        "summary": summary[:500],
        "details": details or {},
        "ip": actor.ip,
        "request_id": actor.request_id,
    }


def _jsonable(entry: TenantAuditEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in _COPIED_FIELDS}
    values["at"] = entry.at.isoformat() if entry.at else None
    return values


class NationalAuditCopy:
    """Consumer: keeps the national audit log complete for national staff."""

    name = "audit.national_copy"
    topics = frozenset({AUDIT_RECORDED})

    async def apply(self, session: AsyncSession, event: Event) -> None:
        payload = dict(event.payload)
        source_id = payload.pop("entry_id")
        at = payload.pop("at")
        values = {name: payload.get(name) for name in _COPIED_FIELDS if name != "at"}
        values["at"] = datetime.fromisoformat(at) if at else event.created_at
        await repository.copy_tenant_entry(
            session, {**values, "tenant_slug": event.source.slug, "source_id": source_id}
        )


async def search_tenant_audit(session: AsyncSession, query: AuditQuery, tenant_slug: str) -> list[AuditRead]:
    return [_read(e, tenant_slug) for e in await repository.search_tenant(session, query)]


async def search_national_audit(session: AsyncSession, query: AuditQuery) -> list[AuditRead]:
    return [_read(e, e.tenant_slug) for e in await repository.search_national(session, query)]


def _read(entry: TenantAuditEntry | NationalAuditEntry, tenant_slug: str) -> AuditRead:
    return AuditRead(
        id=entry.id,
        at=entry.at,
        tenant_slug=tenant_slug,
        action=entry.action,
        action_label=action_label(entry.action),
        actor_kind=entry.actor_kind,
        actor_name=entry.actor_name,
        target=entry.target,
        summary=entry.summary,
        details=entry.details,
        ip=entry.ip,
    )
