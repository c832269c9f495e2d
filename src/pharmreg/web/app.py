"""The Litestar application: `create_app(settings)` wires every part together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from redis.asyncio import Redis

from pharmreg.administration import ROUTE_HANDLERS as ADMINISTRATION_ROUTES
from pharmreg.applications import ROUTE_HANDLERS as APPLICATION_ROUTES
from pharmreg.authority import Matter
from pharmreg.consultations import ROUTE_HANDLERS as CONSULTATION_ROUTES
from pharmreg.divisions import DivisionApiController, DivisionIndex
from pharmreg.forum import ROUTE_HANDLERS as FORUM_ROUTES
from pharmreg.identity import ROUTE_HANDLERS as IDENTITY_ROUTES
from pharmreg.identity import Position, UnitApiController
from pharmreg.kit.db import Database
from pharmreg.kit.logging import configure_logging, get_logger
from pharmreg.office import ROUTE_HANDLERS as OFFICE_ROUTES
from pharmreg.portal import (
    NationalPortalController,
    ProvincePortalController,
    QueryController,
    RegionController,
)
from pharmreg.practice import PracticeUnitApiController
from pharmreg.publishing import ROUTE_HANDLERS as PUBLISHING_ROUTES
from pharmreg.settings import Settings
from pharmreg.supervision import SupervisionApiController
from pharmreg.tenancy import TenantApiController, TenantDirectory, load_directory
from pharmreg.web.auth import SessionMiddleware
from pharmreg.web.boundaries import BoundaryRequest, InputBoundaryMiddleware
from pharmreg.web.errors import EXCEPTION_HANDLERS
from pharmreg.web.health import HealthController
from pharmreg.web.middleware import HostTenantMiddleware, RequestContextMiddleware
from pharmreg.web.platform import Platform, dependencies
from pharmreg.web.templating import template_config

log = get_logger(__name__)
DIRECTORY_REFRESH_SECONDS = 5.0


class StartupError(RuntimeError):
    """The platform cannot start; the message names what is missing."""


async def build_platform(settings: Settings) -> Platform:
    """Connect to PostgreSQL and Redis and load what every request reads from memory."""
    db = Database(
        settings.database_url,
        placements=settings.placements,
        pool_size=settings.db_pool_size,
        statement_cache_size=settings.db_statement_cache_size,
    )
    redis = Redis.from_url(settings.redis_url)
    try:
        async with db.national() as session:
            divisions = await DivisionIndex.load(session)
            directory = await load_directory(session)
    except Exception as exc:
        await db.dispose()
        await redis.aclose()
        raise StartupError(
            f"无法读取平台数据库（{type(exc).__name__}）：请确认 DATABASE_URL 可连接，"
            "并已运行 `pharmreg setup` 完成迁移"
        ) from exc
    if not len(directory):
        log.warning("startup.no_tenants", hint="run `pharmreg setup`")
    return Platform.build(settings, db, redis, divisions, directory)


async def _refresh_directory(platform: Platform) -> None:
    """Re-read the registry regularly so that enabling or disabling a tenant reaches every worker."""
    while True:
        await asyncio.sleep(DIRECTORY_REFRESH_SECONDS)
        try:
            async with platform.db.national() as session:
                platform.directory = await load_directory(session)
        except Exception as exc:  # keep serving with the last good registry
            log.warning("directory.refresh_failed", error=str(exc))


def create_app(settings: Settings) -> Litestar:
    configure_logging(settings.log_level, settings.log_format)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            platform = await build_platform(settings)
        except StartupError as exc:
            log.error("startup.failed", reason=str(exc))
            raise
        app.state.platform = platform
        # What start-up built (templates, the division index, policies) lives as long as the
        # process: moved out of the collector's reach, full collections no longer stall requests
        # for ~70 ms (measured by ops/bench/applications.py).
        gc.freeze()
        stop = asyncio.Event()
        background = [
            asyncio.create_task(_refresh_directory(platform)),
            asyncio.create_task(platform.policies.listen(stop)),
        ]
        log.info("startup.ready", tenants=len(platform.directory), divisions=len(platform.divisions))
        try:
            yield
        finally:
            stop.set()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await platform.db.dispose()
            await platform.redis.aclose()

    app = Litestar(
        route_handlers=[
            HealthController,
            NationalPortalController,
            ProvincePortalController,
            RegionController,
            QueryController,
            TenantApiController,
            DivisionApiController,
            SupervisionApiController,
            PracticeUnitApiController,
            UnitApiController,
            *IDENTITY_ROUTES,
            *OFFICE_ROUTES,
            *ADMINISTRATION_ROUTES,
            *APPLICATION_ROUTES,
            *PUBLISHING_ROUTES,
            *FORUM_ROUTES,
            *CONSULTATION_ROUTES,
            create_static_files_router(path="/static", directories=[settings.web_dir / "static"]),
        ],
        dependencies=dependencies(),
        # Above the largest attachment a province may allow (20 MB) plus the multipart overhead,
        # so an oversize file reaches the handler's own, clearer message.
        request_max_body_size=24 * 1024 * 1024,
        lifespan=[lifespan],
        middleware=[SessionMiddleware(), InputBoundaryMiddleware()],
        request_class=BoundaryRequest,
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="pharmreg_csrf",
            header_name="x-csrf-token",
            cookie_secure=settings.is_production,
            cookie_samesite="lax",
            # The JSON API is read-only and cookie-less; health checks come from load balancers.
            exclude=["^/api/", "^/health$", "^/ready$"],
        ),
        plugins=[HTMXPlugin()],
        template_config=template_config(
            settings.web_dir,
            position_label=lambda value: Position(value).label,
            matter_label=lambda value: Matter(value).label,
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="执业药师注册管理平台 API",
            version="1.0",
            description="pharmreg JSON API. All messages are in Simplified Chinese.",
            path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        state=State({}),
        debug=False,
        logging_config=None,  # logging is configured once, in configure_logging
    )

    def current_directory() -> TenantDirectory:
        platform: Platform = app.state.platform
        return platform.directory

    # Host mapping must see the request before the router does, so it wraps the whole app.
    app.asgi_handler = RequestContextMiddleware(HostTenantMiddleware(app.asgi_handler, current_directory))
    return app
