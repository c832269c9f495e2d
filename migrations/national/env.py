"""Alembic environment of the national schema.

The runner in ``pharmreg.tenancy`` passes an open connection (inside its transaction) in
``config.attributes["connection"]``; ``alembic -c migrations/alembic.ini -n national ...``
connects with DATABASE_URL instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from pharmreg.autogenerate import reflecting
from pharmreg.kit.db import NATIONAL_SCHEMA

config = context.config


def run(connection: Connection) -> None:
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{NATIONAL_SCHEMA}"'))
    with reflecting(connection, NATIONAL_SCHEMA) as comparison:
        context.configure(connection=connection, target_metadata=comparison.metadata, **comparison.options)
        with context.begin_transaction():
            context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from pharmreg.tenancy import run_with_cli_connection

    run_with_cli_connection(run)
