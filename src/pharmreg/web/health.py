"""Liveness and readiness endpoints for load balancers and operators."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text

from pharmreg.kit.logging import get_logger
from pharmreg.web.platform import Platform

log = get_logger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    """Each backing service: "ok", or "error" while it cannot be reached."""

    status: str
    postgres: str
    redis: str


class HealthController(Controller):
    tags = ["运行状态"]  # noqa: RUF012 - Litestar reads this class attribute

    @get("/health", summary="存活检查：进程能否响应")
    async def health(self) -> Health:
        return Health(status="ok")

    @get(
        "/ready",
        summary="就绪检查：PostgreSQL 与 Redis 是否可用",
        responses={
            503: ResponseSpec(
                Readiness,
                description="PostgreSQL 或 Redis 不可用（字段值为 error 者）",
                generate_examples=False,
            )
        },
    )
    async def ready(self, platform: NamedDependency[Platform]) -> Response[Readiness]:
        postgres, redis = await asyncio.gather(_check_postgres(platform), _check_redis(platform))
        ok = postgres == "ok" and redis == "ok"
        body = Readiness(status="ok" if ok else "unavailable", postgres=postgres, redis=redis)
        return Response(body, status_code=200 if ok else 503)


async def _check_postgres(platform: NamedDependency[Platform]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            async with platform.db.engine().connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the log keeps the detail
        log.warning("ready.postgres_failed", error=str(exc))
        return "error"
    return "ok"


async def _check_redis(platform: NamedDependency[Platform]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await platform.redis.ping()
    except Exception as exc:  # any failure means "not ready"; the log keeps the detail
        log.warning("ready.redis_failed", error=str(exc))
        return "error"
    return "ok"
