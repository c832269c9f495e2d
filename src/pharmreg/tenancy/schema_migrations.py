"""Running the two Alembic trees: the national schema and each tenant schema."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateSchema

from pharmreg.kit.db import NATIONAL_SCHEMA, async_url
from pharmreg.tenancy import repository

NATIONAL_TREE = "national"
TENANT_TREE = "tenant"


@dataclass(frozen=True, slots=True)
class MigrationOutcome:
    schema: str
    before: str | None
    after: str | None
    status: str  # "created", "upgraded" or "current"
    seconds: float


def alembic_config(migrations_dir: Path, tree: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir / tree))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def head_revision(migrations_dir: Path, tree: str) -> str | None:
    """The single head of a tree (None while it has no revisions); several heads are an error."""
    heads = ScriptDirectory.from_config(alembic_config(migrations_dir, tree)).get_heads()
    if len(heads) > 1:
        raise RuntimeError(f"migration tree {tree} has {len(heads)} heads: {heads}")
    return heads[0] if heads else None


def _upgrade(connection: Connection, config: Config, schema: str) -> None:
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    command.upgrade(config, "head")


async def migrate_schema(
    connection: AsyncConnection,
    migrations_dir: Path,
    schema: str,
    *,
    create: bool,
    after_upgrade: Callable[[AsyncConnection], Awaitable[None]] | None = None,
) -> MigrationOutcome:
    """Bring one schema to head inside the caller's transaction on `connection`.

    Creating the schema, every migration and `after_upgrade` share that transaction, so a
    failure leaves nothing behind: no half-created schema, no half-applied migration.
    """
    started = time.perf_counter()
    tree = NATIONAL_TREE if schema == NATIONAL_SCHEMA else TENANT_TREE
    await repository.lock_schema(connection, schema)
    existed = await repository.schema_exists(connection, schema)
    if not existed:
        if not create:
            raise LookupError(f"schema {schema} does not exist")
        await connection.execute(CreateSchema(schema))
    before = await repository.schema_revision(connection, schema) if existed else None
    head = head_revision(migrations_dir, tree)
    if before == head:
        status = "current"
    else:
        config = alembic_config(migrations_dir, tree)
        await connection.run_sync(_upgrade, config, schema)
        status = "created" if not existed else "upgraded"
    if after_upgrade is not None:
        await after_upgrade(connection)
    after = await repository.schema_revision(connection, schema)
    return MigrationOutcome(schema, before, after, status, time.perf_counter() - started)


def run_with_cli_connection(run: Callable[[Connection], None]) -> None:
    """For `alembic` used directly: connect with DATABASE_URL and run in one transaction."""

    async def main() -> None:
        engine = create_async_engine(async_url(os.environ["DATABASE_URL"]), poolclass=NullPool)
        try:
            async with engine.connect() as connection, connection.begin():
                await connection.run_sync(run)
        finally:
            await engine.dispose()

    asyncio.run(main())
