"""`pharmreg tenants`: the tenant registry."""

from __future__ import annotations

import click

from pharmreg.cli.common import CliError, async_command, load_settings, migrate_tenant_schemas, with_db
from pharmreg.kit.db import Database


@click.group("tenants")
def group() -> None:
    """The tenant registry: list, sync from tenants/, provision, enable, disable, route."""


@group.command("list")
@async_command
async def tenants_list() -> None:
    """Every tenant with its state, schema and placement."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        click.echo(f"{'slug':<9}{'名称':<14}{'代码':<8}{'schema':<16}{'位置':<9}状态")
        for t in directory.all():
            state = ("启用" if t.enabled else "停用") + ("" if t.provisioned or t.is_national else "，未开通")
            click.echo(f"{t.slug:<9}{t.name:<14}{t.division_code:<8}{t.schema:<16}{t.placement:<9}{state}")

    await with_db(settings, work)


@group.command("sync")
@async_command
async def tenants_sync() -> None:
    """Check tenants/*/tenant.toml and write them into the registry."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_catalogue, sync_catalogue

        entries = load_catalogue(settings.tenants_dir)
        async with db.national() as session, session.begin():
            index = await DivisionIndex.load(session)
            report = await sync_catalogue(session, entries, index)
        click.echo(f"新增：{', '.join(report.added) or '无'}")
        click.echo(f"更新：{', '.join(report.updated) or '无'}")
        click.echo(f"未变化：{len(report.unchanged)} 个")
        if report.not_in_catalogue:
            click.echo(f"目录中已没有（保留未动）：{', '.join(report.not_in_catalogue)}")

    await with_db(settings, work)


@group.command("provision")
@click.argument("slug")
@async_command
async def tenants_provision(slug: str) -> None:
    """Create SLUG's schema, migrate it and build its bureau units, all in one transaction."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        tenant = directory.any_state(slug)
        if tenant is None or tenant.is_national:
            raise CliError(
                f"未知租户 {slug}（先把 tenants/{slug}/tenant.toml 同步进注册表：pharmreg tenants sync）"
            )
        if await migrate_tenant_schemas(settings, db, directory, index, only=slug):
            raise CliError(f"租户 {slug} 开通失败，未留下任何部分结果")

    await with_db(settings, work)


@group.command("disable")
@click.argument("slug")
@async_command
async def tenants_disable(slug: str) -> None:
    """Stop serving SLUG; its schema and data are kept."""
    await _set_enabled(slug, False)
    click.echo(f"已停用 {slug}（数据保留；各进程 5 秒内生效）")


@group.command("enable")
@click.argument("slug")
@async_command
async def tenants_enable(slug: str) -> None:
    """Serve SLUG again."""
    await _set_enabled(slug, True)
    click.echo(f"已启用 {slug}")


async def _set_enabled(slug: str, enabled: bool) -> None:
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.tenancy import set_enabled

        async with db.national() as session, session.begin():
            await set_enabled(session, slug, enabled)

    await with_db(settings, work)


@group.command("route")
@click.argument("division_code")
@async_command
async def tenants_route(division_code: str) -> None:
    """Which tenant handles matters located in DIVISION_CODE."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import RoutingError, load_directory, route_division

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        try:
            division, tenant = route_division(directory, index, division_code)
        except RoutingError as exc:
            raise CliError(str(exc)) from None
        click.echo(f"{division.full_name}（{division.code}）→ {tenant.authority_name}（{tenant.slug}）")

    await with_db(settings, work)
