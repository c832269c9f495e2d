"""Alembic environment of one tenant schema.

Scripts in this tree are schema-agnostic. The runner passes the connection and the target
schema in ``config.attributes``; ``pharmreg.autogenerate.reflecting`` selects that schema on
the dedicated, unpooled migration connection, inside its transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pharmreg.autogenerate import reflecting

config = context.config


def run(connection: Connection, schema: str) -> None:
    with reflecting(connection, schema) as comparison:
        context.configure(connection=connection, target_metadata=comparison.metadata, **comparison.options)
        with context.begin_transaction():
            context.run_migrations()


connection = config.attributes.get("connection")
schema = config.attributes.get("schema") or context.get_x_argument(as_dictionary=True).get("schema")
if not schema:
    raise SystemExit("the tenant tree needs a schema: pass -x schema=tenant_<slug>")
if connection is not None:
    run(connection, schema)
else:
    from pharmreg.tenancy import run_with_cli_connection

    run_with_cli_connection(lambda conn: run(conn, schema))
