"""Every query of the audit context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit.models import NationalAuditEntry, TenantAuditEntry
from pharmreg.audit.schemas import AuditQuery


async def add_tenant_entry(session: AsyncSession, values: dict[str, Any]) -> TenantAuditEntry:
    entry = TenantAuditEntry(**values)
    session.add(entry)
    await session.flush()
    return entry


def add_national_entry(session: AsyncSession, values: dict[str, Any]) -> None:
    session.add(NationalAuditEntry(**values))


async def copy_tenant_entry(session: AsyncSession, values: dict[str, Any]) -> None:
    """Copy a tenant's entry into the national log once, however often it is delivered."""
    statement = insert(NationalAuditEntry).values(**values).on_conflict_do_nothing()
    await session.execute(statement)


def _filtered(model: type[TenantAuditEntry] | type[NationalAuditEntry], query: AuditQuery) -> Any:
    statement = select(model).order_by(model.at.desc(), model.id.desc()).limit(query.limit)
    if query.action:
        statement = statement.where(model.action == query.action)
    if query.since:
        statement = statement.where(model.at >= query.since)
    if query.until:
        statement = statement.where(model.at < query.until)
    if query.text:
        pattern = "%" + query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                model.summary.ilike(pattern, escape="\\"),
                model.actor_name.ilike(pattern, escape="\\"),
                model.target.ilike(pattern, escape="\\"),
            )
        )
    return statement


async def search_tenant(session: AsyncSession, query: AuditQuery) -> Sequence[TenantAuditEntry]:
    return (await session.scalars(_filtered(TenantAuditEntry, query))).all()


async def search_national(session: AsyncSession, query: AuditQuery) -> Sequence[NationalAuditEntry]:
    statement = _filtered(NationalAuditEntry, query)
    if query.tenant_slug:
        statement = statement.where(NationalAuditEntry.tenant_slug == query.tenant_slug)
    return (await session.scalars(statement)).all()
