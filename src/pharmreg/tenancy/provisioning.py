"""Creating and migrating schemas: an edge that owns its transactions, like a job.

Provisioning a tenant creates its schema, runs the tenant migrations and prepares what the
tenant needs before first use (its bureau units and base authority, supplied by the caller
as `prepare`), all in one transaction on a connection of its own; the registry is then marked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pharmreg.kit.db import NATIONAL_SCHEMA, Database
from pharmreg.tenancy import repository
from pharmreg.tenancy.directory import TenantDirectory, TenantInfo
from pharmreg.tenancy.schema_migrations import MigrationOutcome, migrate_schema

# Prepares a freshly migrated tenant schema (units, base authority...), in its transaction.
Prepare = Callable[[AsyncSession, TenantInfo], Awaitable[None]]


async def migrate_national(db: Database, migrations_dir: Path) -> MigrationOutcome:
    engine = db.unpooled_engine()
    try:
        async with engine.connect() as connection, connection.begin():
            return await migrate_schema(connection, migrations_dir, NATIONAL_SCHEMA, create=True)
    finally:
        await engine.dispose()


async def provision_tenant(
    db: Database,
    tenant: TenantInfo,
    *,
    migrations_dir: Path,
    prepare: Prepare,
) -> MigrationOutcome:
    """Create (or bring to head) a tenant's schema and prepare it, all or nothing."""
    if tenant.is_national:
        raise ValueError("the national tenant is migrated with the national tree")

    async def prepare_schema(connection: AsyncConnection) -> None:
        bound = await connection.execution_options(schema_translate_map={None: tenant.schema})
        async with AsyncSession(bind=bound) as session:
            await prepare(session, tenant)
            await session.flush()

    engine = db.unpooled_engine(tenant.placement)
    try:
        async with engine.connect() as connection, connection.begin():
            outcome = await migrate_schema(
                connection, migrations_dir, tenant.schema, create=True, after_upgrade=prepare_schema
            )
    finally:
        await engine.dispose()
    async with db.national() as session, session.begin():
        await repository.mark_provisioned(session, tenant.slug, outcome.after)
    return outcome


@dataclass(frozen=True, slots=True)
class TenantMigration:
    slug: str
    outcome: MigrationOutcome | None
    error: str | None = None


async def migrate_tenants(
    db: Database,
    *,
    migrations_dir: Path,
    directory: TenantDirectory,
    prepare: Prepare,
    only: str | None = None,
    on_result: Callable[[TenantMigration], None] | None = None,
) -> list[TenantMigration]:
    """Provision or upgrade every province of the registry (or only one), one at a time."""
    tenants = directory.provinces(include_disabled=True)
    if only is not None:
        tenants = [t for t in tenants if t.slug == only]
        if not tenants:
            raise LookupError(f"未知租户 {only}")
    results = []
    for tenant in tenants:
        try:
            outcome = await provision_tenant(db, tenant, migrations_dir=migrations_dir, prepare=prepare)
            result = TenantMigration(tenant.slug, outcome)
        except Exception as exc:  # report and carry on with the other tenants
            result = TenantMigration(tenant.slug, None, f"{type(exc).__name__}: {exc}")
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
