"""Every query of the tenancy context."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pharmreg.kit.clock import utcnow
from pharmreg.tenancy.models import Tenant


async def all_tenants(session: AsyncSession) -> Sequence[Tenant]:
    return (await session.scalars(select(Tenant).order_by(Tenant.sort_order, Tenant.slug))).all()


async def get_tenant(session: AsyncSession, slug: str) -> Tenant | None:
    return await session.get(Tenant, slug)


async def upsert_tenant(
    session: AsyncSession, *, values: dict[str, Any], keep_on_update: tuple[str, ...]
) -> None:
    """Insert a tenant, or update it except for `keep_on_update` (operational state)."""
    statement = insert(Tenant).values(**values)
    changed = {k: statement.excluded[k] for k in values if k != "slug" and k not in keep_on_update}
    statement = statement.on_conflict_do_update(
        index_elements=[Tenant.slug], set_={**changed, "updated_at": utcnow()}
    )
    await session.execute(statement)


async def set_enabled(session: AsyncSession, slug: str, enabled: bool) -> None:
    await session.execute(
        update(Tenant).where(Tenant.slug == slug).values(enabled=enabled, updated_at=utcnow())
    )


async def mark_provisioned(session: AsyncSession, slug: str, revision: str | None) -> None:
    await session.execute(
        update(Tenant)
        .where(Tenant.slug == slug)
        .values(
            provisioned_at=func.coalesce(Tenant.provisioned_at, utcnow()),
            schema_revision=revision,
            updated_at=utcnow(),
        )
    )


async def schema_exists(connection: AsyncConnection, schema: str) -> bool:
    found = await connection.scalar(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
    )
    return found is not None


async def schema_revision(connection: AsyncConnection, schema: str) -> str | None:
    """The Alembic revision a schema is at, or None if it was never migrated."""
    table = await connection.scalar(
        text("SELECT to_regclass(:name)"), {"name": f'"{schema}".alembic_version'}
    )
    if table is None:
        return None
    # The schema name comes from tenant_schema(), which admits only [a-z0-9_] slugs.
    revision = await connection.scalar(
        text(f'SELECT version_num FROM "{schema}".alembic_version')  # noqa: S608
    )
    return str(revision) if revision is not None else None


async def lock_schema(connection: AsyncConnection, schema: str) -> None:
    """Serialise migrations of one schema across processes, for this transaction."""
    await connection.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": "pharmreg.migrate." + schema}
    )


async def set_site_links(session: AsyncSession, slug: str, links: dict[str, Any]) -> None:
    await session.execute(
        update(Tenant).where(Tenant.slug == slug).values(site_links=links, updated_at=utcnow())
    )
