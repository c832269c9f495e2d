"""ASGI middleware that runs before routing: request context and host-based tenants."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pharmreg.kit.logging import get_logger
from pharmreg.tenancy import TenantDirectory

log = get_logger("pharmreg.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Paths that are the same on every host; everything else on a province host is that province's.
GLOBAL_PREFIXES = ("/static/", "/health", "/ready", "/api/", "/favicon.ico", "/p/")


class RequestContextMiddleware:
    """Gives every request an id (kept from X-Request-ID when sane), logs its outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()


class HostTenantMiddleware:
    """On a province's own host name, serve that province's pages at the site root.

    `gd.example.gov.cn/` is routed as `/p/gd/`; global paths (static files, health, the
    JSON API) stay as they are. Runs before routing, which is why it wraps the whole app.
    """

    def __init__(self, app: ASGIApp, directory: Callable[[], TenantDirectory]) -> None:
        self.app = app
        self.directory = directory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            tenant = self.directory().for_host(host) if host else None
            path: str = scope["path"]
            if tenant is not None and not path.startswith(GLOBAL_PREFIXES):
                prefix = f"/p/{tenant.slug}"
                scope["path"] = prefix + path
                scope["raw_path"] = (prefix + path).encode()
        await self.app(scope, receive, send)
