"""Creating and migrating schemas: an edge that owns its transactions, like a job.

Provisioning a tenant creates its schema, runs the tenant migrations and builds its bureau
units in one transaction on a connection of its own; the registry is then marked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pharmreg.divisions import DivisionIndex
from pharmreg.identity import create_units, plan_units
from pharmreg.kit.db import NATIONAL_SCHEMA, Database
from pharmreg.tenancy import repository
from pharmreg.tenancy.directory import TenantDirectory, TenantInfo
from pharmreg.tenancy.schema_migrations import MigrationOutcome, migrate_schema
from pharmreg.tenancy.service import tenant_divisions


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
    directory: TenantDirectory,
    index: DivisionIndex,
) -> MigrationOutcome:
    """Create (or bring to head) a tenant's schema and its bureau units, all or nothing."""
    if tenant.is_national:
        raise ValueError("the national tenant is migrated with the national tree")
    seeds = plan_units(
        province_code=tenant.division_code,
        authority_name=tenant.authority_name,
        divisions=tenant_divisions(tenant, directory, index),
    )

    async def build_units(connection: AsyncConnection) -> None:
        bound = await connection.execution_options(schema_translate_map={None: tenant.schema})
        session = AsyncSession(bind=bound)
        await create_units(session, seeds)
        await session.flush()

    engine = db.unpooled_engine(tenant.placement)
    try:
        async with engine.connect() as connection, connection.begin():
            outcome = await migrate_schema(
                connection, migrations_dir, tenant.schema, create=True, after_upgrade=build_units
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
    index: DivisionIndex,
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
            outcome = await provision_tenant(
                db, tenant, migrations_dir=migrations_dir, directory=directory, index=index
            )
            result = TenantMigration(tenant.slug, outcome)
        except Exception as exc:  # report and carry on with the other tenants
            result = TenantMigration(tenant.slug, None, f"{type(exc).__name__}: {exc}")
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
