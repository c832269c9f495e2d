"""The `pharmreg` command line: set-up, migrations, tenants, divisions, demo data, users.

Commands import the platform's contexts inside their functions so that `--help` and
`settings` answer at once without loading the whole application.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, ensure_database, redact_url
from pharmreg.kit.logging import configure_logging
from pharmreg.settings import Settings, SettingsError

P = ParamSpec("P")
T = TypeVar("T")


class CliError(click.ClickException):
    """A failure explained in one message, without a traceback."""

    def format_message(self) -> str:
        return self.message


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise CliError(f"配置错误：{exc}（运行 `pharmreg settings` 查看全部配置项）") from None


def async_command(func: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async click command, turning known failures into one clear message."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        from pharmreg.divisions import DivisionFileError
        from pharmreg.tenancy import CatalogueError

        try:
            return asyncio.run(func(*args, **kwargs))
        except KeyboardInterrupt:
            click.echo("\n已中断", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`pharmreg ... | head`): stop quietly, like other tools.
            sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - silences the flush at exit
            sys.exit(0)
        except CatalogueError as exc:
            raise CliError("租户目录有误：\n  " + "\n  ".join(exc.problems)) from None
        except DivisionFileError as exc:
            raise CliError(f"行政区划数据有误：{exc}") from None
        except (OSError, ConnectionError) as exc:
            raise CliError(f"无法连接数据库或 Redis：{exc}") from None
        except LookupError as exc:
            raise CliError(str(exc.args[0]) if exc.args else str(exc)) from None

    return wrapper


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    from pharmreg.wiring import database

    db = database(settings, pool_size=2)
    try:
        return await work(db)
    except Exception as exc:
        problem = _connection_problem(exc)
        if problem is not None:
            raise CliError(f"无法连接数据库 {redact_url(settings.database_url)}：{problem}") from None
        raise
    finally:
        await db.dispose()


async def _ensure_database(settings: Settings) -> bool:
    """Create the configured database if missing, turning failures into one message."""
    try:
        return await ensure_database(settings.database_url)
    except Exception as exc:
        problem = _connection_problem(exc)
        if problem is None:
            raise
        raise CliError(f"无法连接数据库 {redact_url(settings.database_url)}：{problem}") from None


def _connection_problem(exc: BaseException) -> str | None:
    """A one-line explanation if `exc` (or what caused it) means the database is unreachable."""
    import asyncpg

    chain: BaseException | None = exc
    while chain is not None:
        if isinstance(chain, asyncpg.InvalidCatalogNameError):
            return "数据库不存在，请先运行 `pharmreg setup`"
        if isinstance(chain, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
            return "用户名或密码错误，或该用户无权登录"
        if isinstance(chain, asyncpg.InsufficientPrivilegeError):
            return "该用户无权创建数据库，请由管理员先创建"
        if isinstance(chain, OSError) and not isinstance(chain, BrokenPipeError):
            return f"{chain.strerror or chain}；请确认 PostgreSQL 已启动且 DATABASE_URL 正确"
        chain = chain.__cause__ or chain.__context__
    return None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pharmreg: registration platform for licensed pharmacists (执业药师注册管理平台).

    Configuration comes from the environment (DATABASE_URL, REDIS_URL, PHARMREG_*);
    `pharmreg settings` lists every variable. A fresh machine needs only `ops/run`.
    """
    configure_logging("WARNING", "console")


@main.command("settings")
def show_settings() -> None:
    """List every setting: environment variable, default and meaning."""
    for env, default, text in Settings.describe():
        click.echo(f"{env}\n    default: {default}\n    {text}\n")


# --------------------------------------------------------------------------- set-up


@main.command()
@click.option("--demo", is_flag=True, help="Also load the demo data set (refused in production).")
@async_command
async def setup(demo: bool) -> None:
    """Create the database if needed, migrate the national schema, load divisions, sync the
    tenant catalogue, provision and migrate every tenant, and optionally load demo data.
    Safe to run again: finished steps are skipped."""
    settings = _settings()
    if demo and settings.is_production:
        raise CliError("生产环境不能加载演示数据")
    created = await _ensure_database(settings)
    if created:
        click.echo(f"已创建数据库 {redact_url(settings.database_url)}")
    await _with_db(settings, functools.partial(_setup, settings, demo))


async def _setup(settings: Settings, demo: bool, db: Database) -> None:
    from pharmreg.demo import load_demo
    from pharmreg.divisions import DivisionIndex, load_divisions
    from pharmreg.tenancy import (
        load_catalogue,
        load_directory,
        migrate_national,
        sync_catalogue,
    )
    from pharmreg.wiring import authority_model

    outcome = await migrate_national(db, settings.migrations_dir)
    click.echo(f"全国库：{_status(outcome.status)}（版本 {outcome.after}，{outcome.seconds:.2f} 秒）")
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
    failed = await _migrate_tenants(settings, db, directory, index, only=None)
    if demo:
        async with db.national() as session:
            directory = await load_directory(session)
        demo_report = await load_demo(
            db, directory, index, today=china_today(), authority_model=authority_model(settings)
        )
        click.echo(
            f"演示数据：工作人员 {demo_report.officers}，执业单位 {demo_report.practice_units}，"
            f"申请人 {demo_report.applicants}，全国用户 {demo_report.staff}，待办案件 {demo_report.tasks}，"
            f"门户信息 {demo_report.articles}"
            "（已存在的不重复创建）"
        )
    delivered = await _deliver_once(settings, db)
    click.echo(f"事件投递：{delivered} 条")
    if failed:
        raise CliError(f"{failed} 个租户迁移失败，见上方说明")


def _status(status: str) -> str:
    return {"created": "已创建", "upgraded": "已升级", "current": "已是最新"}.get(status, status)


async def _migrate_tenants(
    settings: Settings, db: Database, directory: Any, index: Any, only: str | None
) -> int:
    from pharmreg.tenancy import TenantMigration, migrate_tenants
    from pharmreg.wiring import tenant_preparation

    def show(result: TenantMigration) -> None:
        if result.outcome is None:
            click.echo(f"  {result.slug:<6} 失败：{result.error}", err=True)
        else:
            o = result.outcome
            click.echo(
                f"  {result.slug:<6} {_status(o.status)}  {o.before or '-'} → {o.after}  {o.seconds:.2f} 秒"
            )

    click.echo("租户库：")
    results = await migrate_tenants(
        db,
        migrations_dir=settings.migrations_dir,
        directory=directory,
        prepare=tenant_preparation(directory, index),
        only=only,
        on_result=show,
    )
    return sum(1 for r in results if r.outcome is None)


async def _deliver_once(settings: Settings, db: Database) -> int:
    from pharmreg.wiring import build_relay

    return await build_relay(db, settings, listen=False).pass_once()


@main.command()
@click.option("--tenant", "only", metavar="SLUG", help="Migrate only this tenant.")
@click.option("--national-only", is_flag=True, help="Migrate only the national schema.")
@async_command
async def migrate(only: str | None, national_only: bool) -> None:
    """Bring the national schema and every tenant schema to the latest migration.

    Schemas already at head are skipped; each tenant's result is reported."""
    settings = _settings()
    await _ensure_database(settings)

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory, migrate_national

        if only is None:
            outcome = await migrate_national(db, settings.migrations_dir)
            click.echo(f"全国库：{_status(outcome.status)}（版本 {outcome.after}）")
        if national_only:
            return
        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        if only is not None and directory.any_state(only) is None:
            raise CliError(f"未知租户 {only}")
        if await _migrate_tenants(settings, db, directory, index, only):
            raise CliError("有租户迁移失败，见上方说明")

    await _with_db(settings, work)


# --------------------------------------------------------------------------- db


@main.group()
def db() -> None:
    """Schema checks and new migrations."""


@db.command("check")
@async_command
async def db_check() -> None:
    """Compare the migrated schemas with the models; exits 1 if they differ."""
    settings = _settings()

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

    if await _with_db(settings, work):
        sys.exit(1)


@db.command("revision")
@click.argument("tree", type=click.Choice(["national", "tenant"]))
@click.option("-m", "--message", required=True, help="What the migration does.")
@async_command
async def db_revision(tree: str, message: str) -> None:
    """Autogenerate a migration for TREE from the models (the database is left unchanged)."""
    settings = _settings()
    await _ensure_database(settings)

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

    path = await _with_db(settings, work)
    click.echo(f"已生成：{path}")


# --------------------------------------------------------------------------- tenants


@main.group()
def tenants() -> None:
    """The tenant registry: list, sync from tenants/, provision, enable, disable, route."""


@tenants.command("list")
@async_command
async def tenants_list() -> None:
    """Every tenant with its state, schema and placement."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        click.echo(f"{'slug':<9}{'名称':<14}{'代码':<8}{'schema':<16}{'位置':<9}状态")
        for t in directory.all():
            state = ("启用" if t.enabled else "停用") + ("" if t.provisioned or t.is_national else "，未开通")
            click.echo(f"{t.slug:<9}{t.name:<14}{t.division_code:<8}{t.schema:<16}{t.placement:<9}{state}")

    await _with_db(settings, work)


@tenants.command("sync")
@async_command
async def tenants_sync() -> None:
    """Check tenants/*/tenant.toml and write them into the registry."""
    settings = _settings()

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

    await _with_db(settings, work)


@tenants.command("provision")
@click.argument("slug")
@async_command
async def tenants_provision(slug: str) -> None:
    """Create SLUG's schema, migrate it and build its bureau units, all in one transaction."""
    settings = _settings()

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
        if await _migrate_tenants(settings, db, directory, index, only=slug):
            raise CliError(f"租户 {slug} 开通失败，未留下任何部分结果")

    await _with_db(settings, work)


@tenants.command("disable")
@click.argument("slug")
@async_command
async def tenants_disable(slug: str) -> None:
    """Stop serving SLUG; its schema and data are kept."""
    await _set_enabled(slug, False)
    click.echo(f"已停用 {slug}（数据保留；各进程 5 秒内生效）")


@tenants.command("enable")
@click.argument("slug")
@async_command
async def tenants_enable(slug: str) -> None:
    """Serve SLUG again."""
    await _set_enabled(slug, True)
    click.echo(f"已启用 {slug}")


async def _set_enabled(slug: str, enabled: bool) -> None:
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.tenancy import set_enabled

        async with db.national() as session, session.begin():
            await set_enabled(session, slug, enabled)

    await _with_db(settings, work)


@tenants.command("route")
@click.argument("division_code")
@async_command
async def tenants_route(division_code: str) -> None:
    """Which tenant handles matters located in DIVISION_CODE."""
    settings = _settings()

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

    await _with_db(settings, work)


# --------------------------------------------------------------------------- divisions


@main.group()
def divisions() -> None:
    """GB/T 2260 divisions: load the committed file, look codes and names up."""


@divisions.command("load")
@click.option("--force", is_flag=True, help="Load even if this version is already loaded.")
@async_command
async def divisions_load(force: bool) -> None:
    """Load tenants/reference/divisions.tsv into the national schema."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import load_divisions

        async with db.national() as session, session.begin():
            result = await load_divisions(
                session, settings.tenants_dir / "reference" / "divisions.tsv", force=force
            )
        click.echo(f"{result.rows} 条{'（未变化，跳过）' if result.skipped else '已导入'}")

    await _with_db(settings, work)


@divisions.command("show")
@click.argument("code")
@async_command
async def divisions_show(code: str) -> None:
    """One division by code, including retired codes."""
    settings = _settings()

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

    await _with_db(settings, work)


@divisions.command("search")
@click.argument("prefix")
@async_command
async def divisions_search(prefix: str) -> None:
    """Current divisions whose name starts with PREFIX."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.divisions import DivisionIndex

        async with db.national() as session:
            index = await DivisionIndex.load(session)
        results = index.search(prefix, 50)
        for division in results:
            click.echo(f"{division.code} {division.full_name}")
        if not results:
            click.echo(f"没有名称以“{prefix}”开头的现行行政区划")

    await _with_db(settings, work)


# --------------------------------------------------------------------------- demo, users, events


@main.group()
def demo() -> None:
    """The demo data set."""


@demo.command("load")
@async_command
async def demo_load() -> None:
    """Load the demo data (idempotent; refused in production)."""
    settings = _settings()
    if settings.is_production:
        raise CliError("生产环境不能加载演示数据")

    async def work(db: Database) -> None:
        from pharmreg.demo import load_demo
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory
        from pharmreg.wiring import authority_model

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        report = await load_demo(
            db, directory, index, today=china_today(), authority_model=authority_model(settings)
        )
        click.echo(
            f"工作人员 {report.officers}，执业单位 {report.practice_units}，申请人 {report.applicants}，"
            f"全国用户 {report.staff}，待办案件 {report.tasks}，门户信息 {report.articles}"
            "（已存在的不重复创建）"
        )

    await _with_db(settings, work)


@demo.command("logins")
@async_command
async def demo_logins() -> None:
    """Print the demo accounts and their shared password."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.demo import DEMO_PASSWORD, demo_logins
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        click.echo(f"所有演示账号的密码：{DEMO_PASSWORD}")
        for login in demo_logins(directory, index):
            click.echo(f"  {login.username:<24}{login.name:<6}{login.role}（{login.where}）")

    await _with_db(settings, work)


@demo.command("applicants")
@async_command
async def demo_applicants() -> None:
    """Print the demo pharmacists: sign-in mobile, name and qualification number."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.demo import DEMO_PASSWORD, demo_pharmacists

        async with db.national() as session:
            rows = await demo_pharmacists(session)
        click.echo(f"演示申请人在 /account/login 用手机号登录，密码：{DEMO_PASSWORD}")
        for mobile, name, certificate in rows:
            click.echo(f"  {mobile}  {name:<6}资格证书 {certificate}")

    await _with_db(settings, work)


@main.group()
def users() -> None:
    """Officer and national staff accounts."""


@users.command("list")
@click.option("--tenant", "slug", required=True, metavar="SLUG", help="The province whose officers to list.")
@async_command
async def users_list(slug: str) -> None:
    """Officers of a province with their units and posts."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.identity import Position, list_officers
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        tenant = directory.any_state(slug)
        if tenant is None or tenant.is_national or not tenant.provisioned:
            raise CliError(f"未知或未开通的租户 {slug}")
        async with db.tenant(tenant.schema, tenant.placement) as session:
            officers = await list_officers(session)
        for officer in officers:
            posts = "、".join(Position(p).label for p in officer.positions)
            click.echo(f"{officer.username:<24}{officer.name:<6}{officer.unit_name}  [{posts}]")
        click.echo(f"共 {len(officers)} 人")

    await _with_db(settings, work)


@users.command("create-officer")
@click.option("--tenant", "slug", required=True, metavar="SLUG")
@click.option("--username", required=True)
@click.option("--name", required=True, help="Full name in Chinese.")
@click.option(
    "--unit",
    "unit_code",
    required=True,
    metavar="CODE",
    help="Division code of the officer's unit.",
)
@click.option("--position", "positions", multiple=True, help="A post to grant; repeatable.")
@click.password_option(help="Prompted for when not given.")
@async_command
async def users_create_officer(
    slug: str, username: str, name: str, unit_code: str, positions: tuple[str, ...], password: str
) -> None:
    """Create an officer in a province's unit."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.identity import (
            OfficerCreate,
            Position,
            UnknownUnitError,
            create_officer,
            hash_password,
        )
        from pharmreg.tenancy import load_directory

        valid = {p.value for p in Position}
        unknown = [p for p in positions if p not in valid]
        if unknown:
            raise CliError(f"未知岗位：{', '.join(unknown)}；可选：{', '.join(sorted(valid))}")
        async with db.national() as session:
            directory = await load_directory(session)
        tenant = directory.any_state(slug)
        if tenant is None or tenant.is_national or not tenant.provisioned:
            raise CliError(f"未知或未开通的租户 {slug}")
        data = OfficerCreate(
            username=username,
            name=name,
            unit_division_code=unit_code,
            password_hash=hash_password(password),
            positions=positions,
        )
        async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            try:
                officer = await create_officer(session, data)
            except UnknownUnitError:
                raise CliError(f"{tenant.name}没有行政区划代码为 {unit_code} 的监管单位") from None
        if officer is None:
            raise CliError(f"用户名 {username} 已存在")
        click.echo(f"已创建 {username}（{name}）")

    await _with_db(settings, work)


@users.command("create-superadmin")
@click.option("--username", required=True)
@click.option("--name", required=True, help="Full name in Chinese.")
@click.option("--department", default="国家药品监督管理局", show_default=True)
@click.option("--mobile", default="", help="For password reset by SMS code.")
@click.password_option(help="Prompted for when not given.")
@async_command
async def users_create_superadmin(
    username: str, name: str, department: str, mobile: str, password: str
) -> None:
    """Create a platform super-administrator (the only way one can be made)."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.audit import SYSTEM
        from pharmreg.identity import StaffForm, create_staff_account, security_rules
        from pharmreg.kit.forms import FormErrors

        form = StaffForm(
            username=username, name=name, department=department, password=password, mobile=mobile
        )
        async with db.national() as session:
            try:
                async with session.begin():
                    rules = await security_rules(session)
                    await create_staff_account(session, form, rules=rules, actor=SYSTEM, role="superadmin")
            except FormErrors as exc:
                raise CliError("无法创建：" + "；".join(exc.errors.values())) from None
        click.echo(f"已创建超级管理员 {username}（{name}）")

    await _with_db(settings, work)


@main.group()
def events() -> None:
    """The outbox: what is waiting, and delivering it by hand."""


@events.command("status")
@async_command
async def events_status() -> None:
    """Undelivered and parked events per source, and how current the national figures are."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.events import count_pending, delivery_cursors, pending_summary
        from pharmreg.kit.clock import china_time
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            cursors = await delivery_cursors(session)
        any_parked = False
        for source in directory.event_sources():
            pending = await count_pending(db, source)
            parked = [e for e in await pending_summary(db, source) if e.parked]
            any_parked = any_parked or bool(parked)
            cursor = cursors.get(source.schema)
            as_of = china_time(cursor.caught_up_at if cursor else None, "%Y-%m-%d %H:%M:%S")
            click.echo(f"{source.slug:<9}待投递 {pending:<6}已搁置 {len(parked):<4}数据截至 {as_of}")
            for event in parked:
                click.echo(f"    #{event.id} {event.topic}：{event.last_error}")
        if any_parked:
            click.echo("搁置的事件在排除原因后用 `pharmreg events retry` 重新投递")

    await _with_db(settings, work)


@events.command("retry")
@click.argument("slug")
@click.option("--id", "event_id", type=int, help="Only this event (default: every parked event of SLUG).")
@async_command
async def events_retry(slug: str, event_id: int | None) -> None:
    """Put SLUG's parked events back in line, once the cause of their failure is fixed."""
    settings = _settings()

    async def work(db: Database) -> int:
        from pharmreg.events import release_parked
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        source = next((s for s in directory.event_sources() if s.slug == slug), None)
        if source is None:
            raise CliError(f"未知或未开通的租户 {slug}")
        return await release_parked(db, source, event_id)

    released = await _with_db(settings, work)
    if event_id is not None and not released:
        raise CliError(f"{slug} 没有编号为 {event_id} 的搁置事件")
    click.echo(f"已重新排队 {released} 条事件，将由 worker 投递")


@events.command("reconcile")
@click.option("--tenant", "only", metavar="SLUG", help="Only this province.")
@async_command
async def events_reconcile(only: str | None) -> None:
    """Recount each province's national figures from its own tables and correct any drift."""
    settings = _settings()

    async def work(db: Database) -> None:
        from pharmreg.events import SourceBusyError
        from pharmreg.supervision import reconcile_province
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        sources = [s for s in directory.event_sources() if not s.is_national and only in (None, s.slug)]
        if not sources:
            raise CliError(f"未知或未开通的租户 {only}")
        for source in sources:
            try:
                drift = await reconcile_province(db, source)
            except SourceBusyError:
                click.echo(
                    f"{source.slug:<9}尚有未投递或已搁置的事件，本次未核对（见 pharmreg events status）"
                )
                continue
            for item in drift:
                click.echo(f"{source.slug:<9}{item.metric}：{item.recorded} → {item.actual}")
        click.echo("核对完成")

    await _with_db(settings, work)


@events.command("deliver")
@async_command
async def events_deliver() -> None:
    """Deliver every pending event now (the worker does this continuously)."""
    settings = _settings()
    delivered = await _with_db(settings, functools.partial(_deliver_once, settings))
    click.echo(f"已投递 {delivered} 条")


# --------------------------------------------------------------------------- serve


async def _preflight(settings: Settings) -> None:
    """Refuse to start web workers against a database or Redis that cannot serve them."""
    from redis.asyncio import Redis
    from sqlalchemy import text

    async def database(db: Database) -> None:
        async with db.engine().connect() as connection:
            if await connection.scalar(text("SELECT to_regclass('national.tenant')")) is None:
                raise CliError("数据库尚未初始化：请先运行 `pharmreg setup`（或使用 ops/run）")

    await _with_db(settings, database)
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=3)
    try:
        await redis.ping()
    except Exception as exc:
        raise CliError(f"无法连接 Redis {redact_url(settings.redis_url)}：{exc}") from None
    finally:
        await redis.aclose()


# How `pharmreg serve` runs uvicorn. Forwarded headers are applied by the application, from
# PHARMREG_TRUSTED_PROXIES only, never by uvicorn (which trusts 127.0.0.1 by default).
UVICORN_OPTIONS: dict[str, Any] = {"log_config": None, "proxy_headers": False, "server_header": False}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application with uvicorn (the arq worker runs separately)."""
    import uvicorn

    settings = _settings()
    asyncio.run(_preflight(settings))  # fail here, once, with a clear message
    uvicorn.run(
        "pharmreg.web.asgi:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **UVICORN_OPTIONS,
    )


# --- reference data imports ------------------------------------------------------------------------


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


@main.group("import")
def import_group() -> None:
    """Reference data from CSV or XLSX files: imported whole or not at all."""


@import_group.command("qualifications", cls=_TableImport, columns=_qualification_columns)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@async_command
async def import_qualifications_command(file: Path) -> None:
    """National qualification certificates from a CSV or .xlsx file; a record with the same
    certificate number is corrected. Nothing is imported if any line is refused."""
    settings = _settings()
    rows = _read_file(file, _qualification_columns())

    async def work(db: Database) -> None:
        from pharmreg.qualifications import import_qualifications

        async with db.national() as session, session.begin():
            report = await import_qualifications(session, rows)
            if report.errors:
                await session.rollback()
        _report(report.added, report.updated, report.errors, read=report.read)

    await _with_db(settings, work)


@import_group.command("ce-credits", cls=_TableImport, columns=_credit_columns)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@async_command
async def import_credits_command(file: Path) -> None:
    """Continuing-education credits from a CSV or .xlsx file; a certificate its issuer already
    reported is skipped as a duplicate. Nothing is imported if any line is refused."""
    settings = _settings()
    rows = _read_file(file, _credit_columns())

    async def work(db: Database) -> None:
        from pharmreg.qualifications import import_ce_credits

        async with db.national() as session, session.begin():
            report = await import_ce_credits(session, rows)
            if report.errors:
                await session.rollback()
        _report(report.added, 0, report.errors, duplicates=report.duplicates, read=report.read)

    await _with_db(settings, work)


@import_group.command("practice-units", cls=_TableImport, columns=_unit_columns)
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@async_command
async def import_units_command(slug: str, file: Path) -> None:
    """A province's practice units (信用代码, 单位名称, 单位类型, 许可证编号, 有效期至, 所在地代码, 地址);
    the same rules as 执业单位 → 批量导入 in the back office."""
    settings = _settings()
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

    await _with_db(settings, work)
