"""The models against the migrated schemas: what autogenerate would change, and new revisions
written from that difference. Sits above every context, beside the table registry it reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncConnection

from pharmreg.kit.db import NATIONAL_SCHEMA
from pharmreg.schema import national_metadata, tenant_metadata
from pharmreg.tenancy import NATIONAL_TREE, alembic_config, migrate_schema


@dataclass(frozen=True, slots=True)
class Comparison:
    """The models of one schema and the options alembic compares them with."""

    metadata: MetaData
    options: dict[str, Any]


def _national_name(name: str | None, kind: str, _parent: dict[str, Any]) -> bool:
    return kind != "schema" or name == NATIONAL_SCHEMA


@contextmanager
def reflecting(connection: Connection, schema: str) -> Iterator[Comparison]:
    """Set `connection` up to reflect `schema` for as long as the block runs.

    Used by the migrations' environments and by the comparison below, so that an upgrade, a
    check and a new revision all see a schema the same way.
    """
    if schema == NATIONAL_SCHEMA:
        yield Comparison(
            national_metadata,
            {
                "version_table_schema": NATIONAL_SCHEMA,
                "include_schemas": True,
                "include_name": _national_name,
                "compare_type": True,
                "compare_server_default": True,
            },
        )
        return
    # Tenant scripts are schema-agnostic: the schema is selected on the dedicated, unpooled
    # migration connection, inside its transaction (application code binds tenants with
    # schema_translate_map instead). With no version_table_schema, the version table lands in
    # the tenant schema and autogenerate recognises it as its own.
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
    # Autogenerate reflects "the default schema": the tenant's, for this block only, since the
    # dialect object is shared by every connection of the engine.
    previous = connection.dialect.default_schema_name
    connection.dialect.default_schema_name = schema
    try:
        yield Comparison(
            tenant_metadata,
            {"include_schemas": False, "compare_type": True, "compare_server_default": True},
        )
    finally:
        connection.dialect.default_schema_name = previous


def _compare(connection: Connection, schema: str) -> list[object]:
    with reflecting(connection, schema) as comparison:
        context = MigrationContext.configure(connection, opts=comparison.options)
        return list(compare_metadata(context, comparison.metadata))


async def differences_from_models(connection: AsyncConnection, schema: str) -> list[object]:
    """What autogenerate would change in `schema`; empty when migrations match the models."""
    return await connection.run_sync(_compare, schema)


def _revision(connection: Connection, config: Config, schema: str, message: str) -> str:
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    script = command.revision(config, message=message, autogenerate=True)
    scripts = script if isinstance(script, list) else [script]
    return ", ".join(s.path for s in scripts if s is not None)


async def autogenerate_revision(
    connection: AsyncConnection, migrations_dir: Path, tree: str, message: str
) -> str:
    """Write a new revision from the models' difference to head; the database is untouched.

    Runs in a transaction the caller rolls back: a scratch schema is brought to head, compared
    and dropped with the rollback.
    """
    schema = NATIONAL_SCHEMA if tree == NATIONAL_TREE else "tenant_autogenerate"
    await migrate_schema(connection, migrations_dir, schema, create=True)
    return await connection.run_sync(_revision, alembic_config(migrations_dir, tree), schema, message)
