"""`pharmreg divisions`: load and look up the GB/T 2260 administrative divisions."""

from __future__ import annotations

import click

from pharmreg.cli.common import CliError, async_command, load_settings, with_db
from pharmreg.kit.db import Database


@click.group("divisions")
def group() -> None:
    """GB/T 2260 divisions: load the committed file, look codes and names up."""


@group.command("load")
@click.option("--force", is_flag=True, help="Load even if this version is already loaded.")
@async_command
async def divisions_load(force: bool) -> None:
    """Load tenants/reference/divisions.tsv into the national schema."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import load_divisions

        async with db.national() as session, session.begin():
            result = await load_divisions(
                session, settings.tenants_dir / "reference" / "divisions.tsv", force=force
            )
        click.echo(f"{result.rows} 条{'（未变化，跳过）' if result.skipped else '已导入'}")

    await with_db(settings, work)


@group.command("show")
@click.argument("code")
@async_command
async def divisions_show(code: str) -> None:
    """One division by code, including retired codes."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.kit.codes import CodeError, check_division_code

        try:
            check_division_code(code)
        except CodeError as exc:
            raise CliError(str(exc)) from None
        async with db.national() as session:
            index = await DivisionIndex.load(session)
        division = index.get(code)
        if division is None:
            raise CliError(f"未找到行政区划代码 {code}")
        validity = "现行" if division.current else f"已于 {division.valid_to} 前停用"
        click.echo(f"{division.code} {division.full_name}（{validity}）")
        for child in index.children(code):
            click.echo(f"  {child.code} {child.name}")

    await with_db(settings, work)


@group.command("search")
@click.argument("prefix")
@async_command
async def divisions_search(prefix: str) -> None:
    """Current divisions whose name starts with PREFIX."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex

        async with db.national() as session:
            index = await DivisionIndex.load(session)
        results = index.search(prefix, 50)
        for division in results:
            click.echo(f"{division.code} {division.full_name}")
        if not results:
            click.echo(f"没有名称以“{prefix}”开头的现行行政区划")

    await with_db(settings, work)
