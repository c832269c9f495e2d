"""Alembic environment of the national schema.

The runner in ``pharmreg.tenancy`` passes an open connection (inside its transaction) in
``config.attributes["connection"]``; ``alembic -c migrations/alembic.ini -n national ...``
connects with DATABASE_URL instead.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, text

from pharmreg.kit.db import NATIONAL_SCHEMA
from pharmreg.schema import national_metadata

config = context.config


def include_name(name: str | None, type_: str, _parent: dict[str, Any]) -> bool:
    return type_ != "schema" or name == NATIONAL_SCHEMA


def run(connection: Connection) -> None:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{NATIONAL_SCHEMA}"'))
    context.configure(
        connection=connection,
        target_metadata=national_metadata,
        version_table_schema=NATIONAL_SCHEMA,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from pharmreg.tenancy import run_with_cli_connection

    run_with_cli_connection(run)
