"""Set-up: list the settings, set the platform up, migrate every schema."""

from __future__ import annotations

import functools

import click

from pharmreg.cli.common import (
    CliError,
    async_command,
    deliver_once,
    ensure_configured_database,
    load_settings,
    migrate_tenant_schemas,
    status_label,
    with_db,
)
from pharmreg.cli.supervision import build_missing_facts
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, redact_url
from pharmreg.settings import Settings
from pharmreg.wiring import authority_model


@click.command("settings")
def show_settings() -> None:
    """List every setting: environment variable, default and meaning."""
    for env, default, text in Settings.describe():
        click.echo(f"{env}\n    default: {default}\n    {text}\n")


@click.command()
@click.option("--demo", is_flag=True, help="Also load the demo data set (refused in production).")
@async_command
async def setup(demo: bool) -> None:
    """Create the database if needed, migrate the national schema, load divisions, sync the
    tenant catalogue, provision and migrate every tenant, and optionally load demo data.
    Safe to run again: finished steps are skipped."""
    settings = load_settings()
    if demo and settings.is_production:
        raise CliError("生产环境不能加载演示数据")
    created = await ensure_configured_database(settings)
    if created:
        click.echo(f"已创建数据库 {redact_url(settings.database_url)}")
    await with_db(settings, functools.partial(_setup, settings, demo))


async def _setup(settings: Settings, demo: bool, db: Database) -> None:
    from pharmreg.demo import load_demo
    from pharmreg.divisions import DivisionIndex, load_divisions
    from pharmreg.tenancy import (
        load_catalogue,
        load_directory,
        migrate_national,
        sync_catalogue,
    )

    outcome = await migrate_national(db, settings.migrations_dir)
    click.echo(f"全国库：{status_label(outcome.status)}（版本 {outcome.after}，{outcome.seconds:.2f} 秒）")
    async with db.national() as session, session.begin():
        loaded = await load_divisions(session, settings.tenants_dir / "reference" / "divisions.tsv")
    click.echo(f"行政区划：{loaded.rows} 条{'（未变化，跳过）' if loaded.skipped else '已导入'}")
    entries = load_catalogue(settings.tenants_dir)
    async with db.national() as session, session.begin():
        index = await DivisionIndex.load(session)
        report = await sync_catalogue(session, entries, index)
    click.echo(
        f"租户目录：新增 {len(report.added)}，更新 {len(report.updated)}，未变化 {len(report.unchanged)}"
    )
    if report.not_in_catalogue:
        click.echo(f"  注意：注册表中有目录里已没有的租户（保留未动）：{', '.join(report.not_in_catalogue)}")
    async with db.national() as session:
        directory = await load_directory(session)
    failed = await migrate_tenant_schemas(settings, db, directory, index, only=None)
    if demo:
        async with db.national() as session:
            directory = await load_directory(session)
        demo_report = await load_demo(
            db, directory, index, today=china_today(), authority_model=authority_model(settings)
        )
        click.echo(
            f"演示数据：工作人员 {demo_report.officers}，执业单位 {demo_report.practice_units}，"
            f"申请人 {demo_report.applicants}，全国用户 {demo_report.staff}，待办案件 {demo_report.tasks}，"
            f"门户信息 {demo_report.articles}，注册历史 {demo_report.history_registrations} 人"
            f"（{demo_report.history_events} 个注册事件）"
            "（已存在的不重复创建）"
        )
    delivered = await deliver_once(settings, db)
    click.echo(f"事件投递：{delivered} 条")
    built = await build_missing_facts(settings, db)
    if built:
        click.echo(f"统计分析数据：已为 {len(built)} 个省份首次生成")
    # The risk rules over the facts just delivered (idempotent; nightly in the worker afterwards).
    from pharmreg.supervision import scan_risks

    async with db.national() as session, session.begin():
        risks = await scan_risks(session, today=china_today())
    click.echo(f"风险线索：新增 {sum(risks.opened.values())} 条（已有的不重复生成）")
    if failed:
        raise CliError(f"{failed} 个租户迁移失败，见上方说明")


@click.command()
@click.option("--tenant", "only", metavar="SLUG", help="Migrate only this tenant.")
@click.option("--national-only", is_flag=True, help="Migrate only the national schema.")
@async_command
async def migrate(only: str | None, national_only: bool) -> None:
    """Bring the national schema and every tenant schema to the latest migration.

    Schemas already at head are skipped; each tenant's result is reported."""
    settings = load_settings()
    await ensure_configured_database(settings)

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory, migrate_national

        if only is None:
            outcome = await migrate_national(db, settings.migrations_dir)
            click.echo(f"全国库：{status_label(outcome.status)}（版本 {outcome.after}）")
        if national_only:
            return
        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        if only is not None and directory.any_state(only) is None:
            raise CliError(f"未知租户 {only}")
        if await migrate_tenant_schemas(settings, db, directory, index, only):
            raise CliError("有租户迁移失败，见上方说明")

    await with_db(settings, work)
