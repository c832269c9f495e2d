"""`pharmreg serve`: check the database and Redis, then run uvicorn."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from pharmreg.cli.common import CliError, load_settings, with_db
from pharmreg.kit.db import Database, redact_url
from pharmreg.settings import Settings


async def _preflight(settings: Settings) -> None:
    """Refuse to start web workers against a database or Redis that cannot serve them."""
    from redis.asyncio import Redis
    from sqlalchemy import text

    async def database(db: Database) -> None:
        async with db.engine().connect() as connection:
            if await connection.scalar(text("SELECT to_regclass('national.tenant')")) is None:
                raise CliError("数据库尚未初始化：请先运行 `pharmreg setup`（或使用 ops/run）")

    await with_db(settings, database)
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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application with uvicorn (the arq worker runs separately)."""
    import uvicorn

    settings = load_settings()
    asyncio.run(_preflight(settings))  # fail here, once, with a clear message
    uvicorn.run(
        "pharmreg.web.asgi:create_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **UVICORN_OPTIONS,
    )
