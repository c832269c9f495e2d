"""What every command shares: settings, the database, and failures told in one message."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from pharmreg.kit.db import Database, ensure_database, redact_url
from pharmreg.settings import Settings, SettingsError

P = ParamSpec("P")
T = TypeVar("T")


class CliError(click.ClickException):
    """A failure explained in one message, without a traceback."""

    def format_message(self) -> str:
        return self.message


def load_settings() -> Settings:
    """The settings from the environment, or one message saying which one is wrong."""
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


async def with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` with a small database pool, explaining an unreachable database in one message."""
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


async def ensure_configured_database(settings: Settings) -> bool:
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


def status_label(status: str) -> str:
    """A migration outcome in the operator's words."""
    return {"created": "已创建", "upgraded": "已升级", "current": "已是最新"}.get(status, status)


async def migrate_tenant_schemas(
    settings: Settings, db: Database, directory: Any, index: Any, only: str | None
) -> int:
    """Migrate every tenant schema (or `only`), reporting each; returns how many failed."""
    from pharmreg.tenancy import TenantMigration, migrate_tenants
    from pharmreg.wiring import tenant_preparation

    def show(result: TenantMigration) -> None:
        if result.outcome is None:
            click.echo(f"  {result.slug:<6} 失败：{result.error}", err=True)
        else:
            o = result.outcome
            change = f"{o.before or '-'} → {o.after}"
            click.echo(f"  {result.slug:<6} {status_label(o.status)}  {change}  {o.seconds:.2f} 秒")

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


async def deliver_once(settings: Settings, db: Database) -> int:
    """Deliver every pending outbox event once; returns how many were delivered."""
    from pharmreg.wiring import build_relay

    return await build_relay(db, settings, listen=False).pass_once()
