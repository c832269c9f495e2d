"""`pharmreg db`: compare the schemas with the models, autogenerate migrations."""

from __future__ import annotations

import sys

import click

from pharmreg.cli.common import async_command, ensure_configured_database, load_settings, with_db
from pharmreg.kit.db import Database


@click.group("db")
def group() -> None:
    """Schema checks and new migrations."""


@group.command("check")
@async_command
async def db_check() -> None:
    """Compare the migrated schemas with the models; exits 1 if they differ."""
    settings = load_settings()

    async def work(database: Database) -> int:
        from pharmreg.autogenerate import differences_from_models
        from pharmreg.tenancy import load_directory

        async with database.national() as session:
            directory = await load_directory(session)
        schemas = ["national"] + [
            t.schema for t in directory.provinces(include_disabled=True) if t.provisioned
        ]
        problems = 0
        engine = database.unpooled_engine()
        try:
            for schema in schemas:
                async with engine.connect() as connection, connection.begin():
                    diff = await differences_from_models(connection, schema)
                    await connection.rollback()
                if diff:
                    problems += 1
                    click.echo(f"{schema}: {len(diff)} 处差异")
                    for item in diff:
                        click.echo(f"    {item}")
        finally:
            await engine.dispose()
        click.echo(f"检查了 {len(schemas)} 个 schema，{problems} 个与模型不一致")
        return problems

    if await with_db(settings, work):
        sys.exit(1)


@group.command("revision")
@click.argument("tree", type=click.Choice(["national", "tenant"]))
@click.option("-m", "--message", required=True, help="What the migration does.")
@async_command
async def db_revision(tree: str, message: str) -> None:
    """Autogenerate a migration for TREE from the models (the database is left unchanged)."""
    settings = load_settings()
    await ensure_configured_database(settings)

    async def work(database: Database) -> str:
        from pharmreg.autogenerate import autogenerate_revision

        engine = database.unpooled_engine()
        try:
            async with engine.connect() as connection:
                transaction = await connection.begin()
                try:
                    return await autogenerate_revision(connection, settings.migrations_dir, tree, message)
                finally:
                    await transaction.rollback()
        finally:
            await engine.dispose()

    path = await with_db(settings, work)
    click.echo(f"已生成：{path}")
