"""`pharmreg import`: reference data from CSV or XLSX files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from pharmreg.cli.common import CliError, async_command, load_settings, with_db
from pharmreg.kit.db import Database


def _unit_columns() -> Sequence[Any]:
    from pharmreg.practice import UNIT_COLUMNS

    return UNIT_COLUMNS


def _qualification_columns() -> Sequence[Any]:
    from pharmreg.qualifications import QUALIFICATION_COLUMNS

    return QUALIFICATION_COLUMNS


def _credit_columns() -> Sequence[Any]:
    from pharmreg.qualifications import CREDIT_COLUMNS

    return CREDIT_COLUMNS


class _TableImport(click.Command):
    """An import whose help lists exactly the columns, and header spellings, the import accepts."""

    def __init__(self, *args: Any, columns: Callable[[], Sequence[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns  # called only for --help: the contexts load when a command runs

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from pharmreg.kit.tabular import describe_columns

        super().format_help_text(ctx, formatter)
        with formatter.section("列（按表头识别，顺序不限，其他列忽略）"):
            formatter.write_dl(describe_columns(self.columns()))


def _read_file(path: Path, columns: Sequence[Any]) -> list[Any]:
    from pharmreg.kit.tabular import TabularError, read_table

    try:
        return list(read_table(path.read_bytes(), path.name, columns))
    except TabularError as exc:
        raise CliError(f"{path.name}：{exc}") from None


def _read_unit_file(path: Path) -> list[Any]:
    from pharmreg.kit.tabular import TabularError
    from pharmreg.practice import read_unit_file

    try:
        return read_unit_file(path.read_bytes(), path.name)
    except TabularError as exc:
        raise CliError(f"{path.name}：{exc}") from None


def _report(added: int, updated: int, errors: list[str], *, duplicates: int = 0, read: int = 0) -> None:
    if errors:
        shown = "\n  ".join(errors[:50])
        more = f"\n  ……另有 {len(errors) - 50} 行有误" if len(errors) > 50 else ""
        raise CliError(f"文件有 {len(errors)} 行有误，未导入任何数据：\n  {shown}{more}")
    click.echo(
        f"读取 {read} 行：新增 {added}，更新 {updated}" + (f"，重复跳过 {duplicates}" if duplicates else "")
    )


@click.group("import")
def group() -> None:
    """Reference data from CSV or XLSX files: imported whole or not at all."""


@group.command("qualifications", cls=_TableImport, columns=_qualification_columns)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@async_command
async def import_qualifications_command(file: Path) -> None:
    """National qualification certificates from a CSV or .xlsx file; a record with the same
    certificate number is corrected. Nothing is imported if any line is refused."""
    settings = load_settings()
    rows = _read_file(file, _qualification_columns())

    async def work(db: Database) -> None:
        from pharmreg.qualifications import import_qualifications

        async with db.national() as session, session.begin():
            report = await import_qualifications(session, rows)
            if report.errors:
                await session.rollback()
        _report(report.added, report.updated, report.errors, read=report.read)

    await with_db(settings, work)


@group.command("ce-credits", cls=_TableImport, columns=_credit_columns)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@async_command
async def import_credits_command(file: Path) -> None:
    """Continuing-education credits from a CSV or .xlsx file; a certificate its issuer already
    reported is skipped as a duplicate. Nothing is imported if any line is refused."""
    settings = load_settings()
    rows = _read_file(file, _credit_columns())

    async def work(db: Database) -> None:
        from pharmreg.qualifications import import_ce_credits

        async with db.national() as session, session.begin():
            report = await import_ce_credits(session, rows)
            if report.errors:
                await session.rollback()
        _report(report.added, 0, report.errors, duplicates=report.duplicates, read=report.read)

    await with_db(settings, work)


@group.command("practice-units", cls=_TableImport, columns=_unit_columns)
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@async_command
async def import_units_command(slug: str, file: Path) -> None:
    """A province's practice units (信用代码, 单位名称, 单位类型, 许可证编号, 有效期至, 所在地代码, 地址);
    the same rules as 执业单位 → 批量导入 in the back office."""
    settings = load_settings()
    rows = _read_unit_file(file)

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.practice import import_practice_units
        from pharmreg.tenancy import load_directory, tenant_divisions

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        tenant = directory.get(slug)
        if tenant is None or tenant.is_national:
            raise CliError(f"没有省份 {slug}（`pharmreg tenants list` 列出全部）")
        territory = {d.code for d in tenant_divisions(tenant, directory, index)}
        async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            report = await import_practice_units(session, rows, in_territory=territory.__contains__)
            if report.errors:
                await session.rollback()
        _report(report.added, report.updated, report.errors, read=report.read)

    await with_db(settings, work)
