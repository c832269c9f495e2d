"""ASGI middleware that runs before routing: request context, the Host header, host-based
tenants, HEAD requests and the security headers of every answer."""

from __future__ import annotations

import html
import ipaddress
import re
import secrets
import time
import uuid
from collections.abc import Callable

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pharmreg.kit.logging import get_logger
from pharmreg.tenancy import TenantDirectory
from pharmreg.web.errors import api_error, is_api_path

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


# A host name (letters, digits, hyphens; underscores as some internal names have them; one
# trailing dot allowed), an IPv4 address, or a bracketed IPv6 address; then an optional port.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(rf"^(?P<name>{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{{1,5}}))?$")
BAD_HOST_MESSAGE = "请求的主机名（Host）无效"


def normalise_host(value: str) -> str | None:
    """The Host header in canonical form (lower case, no trailing dot), or None if malformed."""
    match = _HOST.fullmatch(value.strip().lower())
    if match is None:
        return None
    name, port = match["name"].removesuffix("."), match["port"]
    if len(name) > 253:
        return None
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
    if port is not None and not 0 < int(port) < 65536:
        return None
    return f"{name}:{port}" if port is not None else name


async def send_plain_error(scope: Scope, send: Send, status: int, message: str) -> None:
    """An error answered before the application is reached: JSON for the API, a short page otherwise."""
    request_id = scope.get("state", {}).get("request_id", "")
    if is_api_path(scope.get("path", "")):
        body = msgspec.json.encode(api_error(status, message, request_id))
        content_type = b"application/json"
    else:
        text = html.escape(message)
        body = (
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{text}</title></head><body><h1>{text}</h1>"
            "<p>请检查网址后重新访问。</p></body></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


class HostHeaderMiddleware:
    """Refuses a malformed or repeated Host header (400) and puts the checked, canonical one in
    its place, so that nothing further on (tenant by host, origin checks, URLs) reads raw input."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if not hosts:  # HTTP/1.0: the server's own address stands in
            await self.app(scope, receive, send)
            return
        host = normalise_host(hosts[0].decode("latin-1")) if len(hosts) == 1 else None
        if host is None:
            log.info("http.bad_host", host=b", ".join(hosts)[:200].decode("latin-1"))
            await send_plain_error(scope, send, 400, BAD_HOST_MESSAGE)
            return
        scope["headers"] = [(name, value) for name, value in scope["headers"] if name != b"host"] + [
            (b"host", host.encode())
        ]
        await self.app(scope, receive, send)


class HeadAsGetMiddleware:
    """HEAD works wherever GET does: the GET answer's status and headers, without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A copy: the server keeps its own scope (method HEAD) and sends no body either way.
        await self.app({**scope, "method": "GET"}, receive, headers_only)


class BoostedDownloadMiddleware:
    """A file reached by a boosted link is opened by the browser itself, not swapped into the page.

    htmx boosts every link of a page; a link to a PDF or a spreadsheet that was not marked
    `hx-boost="false"` would otherwise show the file's bytes as the page. The answer becomes an
    `HX-Redirect` to the same address, which the browser then loads (and downloads) natively.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == ScopeType.HTTP else {}
        if headers.get(b"hx-boosted") != b"true" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        redirected = False

        async def pages_only(message: Message) -> None:
            nonlocal redirected
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] == 200 and not kind.startswith(b"text/html"):
                    redirected = True
                    target = scope["path"] + (
                        f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else ""
                    )
                    message = {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"hx-redirect", target.encode("latin-1")), (b"content-length", b"0")],
                    }
            elif message["type"] == "http.response.body" and redirected:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, pages_only)


class SecurityHeadersMiddleware:
    """Security headers on every answer; pages also get a Content-Security-Policy.

    Scripts come only from this site (htmx, Trix and our own files, no inline code, no eval);
    styles too, plus the `<style>` elements Trix inserts, which carry the page's nonce
    (`csp_nonce()` in templates). In production browsers are also told to use HTTPS only.
    """

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    @staticmethod
    def policy(nonce: str) -> str:
        return "; ".join(
            (
                "default-src 'self'",
                "script-src 'self'",
                f"style-src 'self' 'nonce-{nonce}'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'self'",
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
                ]
                if content_type.startswith(b"text/html"):
                    extra.append((b"content-security-policy", self.policy(nonce).encode()))
                if self.production:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers + [(n, v) for n, v in extra if n not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
