"""The Litestar application: `create_app(settings)` wires every part together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from pharmreg.administration import ROUTE_HANDLERS as ADMINISTRATION_ROUTES
from pharmreg.applications import ROUTE_HANDLERS as APPLICATION_ROUTES
from pharmreg.authority import ROUTE_HANDLERS as AUTHORITY_ROUTES
from pharmreg.authority import Matter
from pharmreg.consultations import ROUTE_HANDLERS as CONSULTATION_ROUTES
from pharmreg.divisions import DivisionApiController, DivisionIndex
from pharmreg.forum import ROUTE_HANDLERS as FORUM_ROUTES
from pharmreg.identity import ROUTE_HANDLERS as IDENTITY_ROUTES
from pharmreg.identity import Position, UnitApiController, session_cookie_name
from pharmreg.kit.backing import OutageLog, unavailable_service
from pharmreg.kit.logging import configure_logging, get_logger
from pharmreg.office import ROUTE_HANDLERS as OFFICE_ROUTES
from pharmreg.portal import (
    ContactsController,
    NationalPortalController,
    ProvincePortalController,
    QueryController,
    RegionController,
    SitesController,
    signed_in,
)
from pharmreg.practice import PracticeUnitApiController
from pharmreg.publishing import ROUTE_HANDLERS as PUBLISHING_ROUTES
from pharmreg.register import ROUTE_HANDLERS as REGISTER_ROUTES
from pharmreg.settings import Settings
from pharmreg.supervision import (
    NATIONAL_SUPERVISION_ROUTES,
    RISK_ROUTES,
    STATISTICS_ROUTES,
    NationalExportsController,
    ProvinceExportsController,
    SupervisionApiController,
)
from pharmreg.tenancy import TenantApiController, TenantDirectory, load_directory
from pharmreg.web.auth import SessionMiddleware
from pharmreg.web.boundaries import BoundaryRequest, InputBoundaryMiddleware
from pharmreg.web.csrf import CsrfMiddleware, cookie_name
from pharmreg.web.errors import EXCEPTION_HANDLERS
from pharmreg.web.health import HealthController
from pharmreg.web.middleware import (
    BoostedDownloadMiddleware,
    HeadAsGetMiddleware,
    HostHeaderMiddleware,
    HostTenantMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from pharmreg.web.openapi import document_api_errors
from pharmreg.web.platform import Platform, dependencies
from pharmreg.web.proxies import ForwardedHeadersMiddleware, TrustedProxies
from pharmreg.web.templating import template_config
from pharmreg.wiring import build_resources
from pharmreg.workflow import ROUTE_HANDLERS as WORKFLOW_ROUTES

log = get_logger(__name__)
DIRECTORY_REFRESH_SECONDS = 5.0


class StartupError(RuntimeError):
    """The platform cannot start; the message names what is missing."""


async def build_platform(settings: Settings) -> Platform:
    """Connect to PostgreSQL and Redis and load what every request reads from memory."""
    resources = build_resources(settings)
    try:
        async with resources.db.national() as session:
            divisions = await DivisionIndex.load(session)
            directory = await load_directory(session)
    except Exception as exc:
        await resources.close()
        raise StartupError(
            f"无法读取平台数据库（{type(exc).__name__}）：请确认 DATABASE_URL 可连接，"
            "并已运行 `pharmreg setup` 完成迁移"
        ) from exc
    if not len(directory):
        log.warning("startup.no_tenants", hint="run `pharmreg setup`")
    return Platform.build(resources, divisions, directory)


async def _refresh_directory(platform: Platform) -> None:
    """Re-read the registry regularly so that enabling or disabling a tenant reaches every worker."""
    outages = OutageLog(log, "directory")
    while True:
        await asyncio.sleep(DIRECTORY_REFRESH_SECONDS)
        try:
            async with platform.db.national() as session:
                platform.directory = await load_directory(session)
        except Exception as exc:  # keep serving with the last good registry
            if unavailable_service(exc) is None:
                log.warning("directory.refresh_failed", error=str(exc))
            else:
                outages.down("postgres", exc)
        else:
            outages.up("postgres")


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
            SitesController,
            ContactsController,
            TenantApiController,
            DivisionApiController,
            SupervisionApiController,
            ProvinceExportsController,
            NationalExportsController,
            *STATISTICS_ROUTES,
            PracticeUnitApiController,
            UnitApiController,
            *IDENTITY_ROUTES,
            *OFFICE_ROUTES,
            *AUTHORITY_ROUTES,
            *WORKFLOW_ROUTES,
            *REGISTER_ROUTES,
            *ADMINISTRATION_ROUTES,
            *APPLICATION_ROUTES,
            *PUBLISHING_ROUTES,
            *FORUM_ROUTES,
            *CONSULTATION_ROUTES,
            *RISK_ROUTES,
            *NATIONAL_SUPERVISION_ROUTES,
            create_static_files_router(path="/static", directories=[settings.web_dir / "static"]),
        ],
        dependencies=dependencies(),
        # Above the largest attachment a province may allow (20 MB) plus the multipart overhead,
        # so an oversize file reaches the handler's own, clearer message.
        request_max_body_size=24 * 1024 * 1024,
        lifespan=[lifespan],
        middleware=[
            SessionMiddleware(),
            CsrfMiddleware(
                secret=settings.secret_key,
                secure=settings.is_production,
                session_cookie=session_cookie_name(secure=settings.is_production),
                binding_cookie=cookie_name("pharmreg_csrf", secure=settings.is_production),
                public_url=settings.public_url,
            ),
            InputBoundaryMiddleware(),
        ],
        request_class=BoundaryRequest,
        plugins=[HTMXPlugin()],
        template_config=template_config(
            settings.web_dir,
            position_label=lambda value: Position(value).label,
            matter_label=lambda value: Matter(value).label,
            signed_in=signed_in,
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

    document_api_errors(app)
    # These must see the request before the router does, so they wrap the whole app: outermost
    # the request id and log line, then security headers on every answer, the client's address,
    # the checked Host header, the province served under it, a file reached by a boosted link
    # handed to the browser, and HEAD answered as GET.
    routed = HostTenantMiddleware(
        BoostedDownloadMiddleware(HeadAsGetMiddleware(app.asgi_handler)), current_directory
    )
    app.asgi_handler = RequestContextMiddleware(
        SecurityHeadersMiddleware(
            ForwardedHeadersMiddleware(
                HostHeaderMiddleware(routed), TrustedProxies(settings.trusted_proxies)
            ),
            production=settings.is_production,
        )
    )
    return app
