"""Alembic environment of one tenant schema.

Scripts in this tree are schema-agnostic. The runner passes the connection and the target
schema in ``config.attributes``; the schema is selected with ``SET LOCAL search_path`` on
that dedicated, unpooled migration connection, inside its transaction. Application code never
does this: it binds tenants with ``schema_translate_map``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from pharmreg.schema import tenant_metadata

config = context.config


def run(connection: Connection, schema: str) -> None:
    connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
    # Autogenerate reflects "the default schema": the tenant's, for this run only (the dialect
    # object is shared by the engine's connections, so it is restored afterwards).
    previous = connection.dialect.default_schema_name
    connection.dialect.default_schema_name = schema
    try:
        _configure_and_run(connection)
    finally:
        connection.dialect.default_schema_name = previous


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=tenant_metadata,
        # No version_table_schema: with the search_path above, the version table lands in the
        # tenant schema and autogenerate recognises it as its own.
        include_schemas=False,
        compare_type=True,
        compare_server_default=True,
    )
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
