"""Cross-site request forgery: tokens bound to the visitor's session, and an Origin check.

A form's token is an HMAC of the session token (signed in) or of a random pre-session binding
cookie (anonymous forms: sign-in, registration, password reset, public forms). An attacker who
plants their own binding cookie and token in a victim's browser gets nowhere once the victim is
signed in: the token must match the victim's session, which the attacker cannot know. Every
unsafe request must also come from one of the site's own origins (the request's host, the
public address, a province's host names), told by `Origin`, else `Referer`.

Templates keep using `csrf_input` and `csrf_token()`; every answer also carries the token valid
for the next request in `X-CSRF-Token`, which the site script hands to htmx after a navigation
that signed the visitor in or out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, Headers
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from pharmreg.kit.logging import get_logger

log = get_logger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "x-csrf-token"
FIELD = "_csrf_token"
_BINDING = re.compile(r"^[A-Za-z0-9_-]{43}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def cookie_name(base: str, *, secure: bool) -> str:
    """`__Host-` names in production: the browser keeps such a cookie to this host, Secure, Path=/,
    so neither a sibling host nor plain HTTP can plant one."""
    return f"__Host-{base}" if secure else base


def parse_origin(value: str) -> Origin | None:
    """(scheme, host, port) of an Origin or Referer value; None for "null" or anything unreadable."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower().rstrip("."), port or _DEFAULT_PORTS[parts.scheme]


def own_origin(scope: Scope) -> Origin | None:
    """The origin the request was addressed to (Host was checked by HostHeaderMiddleware)."""
    scheme = scope.get("scheme", "http")
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
    if host is None:
        server = scope.get("server")
        if not server:
            return None
        host = f"{server[0]}:{server[1]}"
    return parse_origin(f"{scheme}://{host}")


# The JSON API is read-only and cookie-less; probes and static files change nothing.
_EXEMPT = re.compile(r"^/api/|^/health$|^/ready$|^/static/")


def _exempt(scope: Scope) -> bool:
    return _EXEMPT.match(scope["path"]) is not None


class CsrfMiddleware(ASGIMiddleware):
    """Refuses unsafe requests without a token bound to this visitor or from another origin (403)."""

    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(_exempt)

    def __init__(
        self, *, secret: str, secure: bool, session_cookie: str, public_url: str, binding_cookie: str
    ) -> None:
        self._key = hashlib.sha256(f"pharmreg csrf:{secret}".encode()).digest()
        self._secure = secure
        self._session_cookie = session_cookie
        self._binding_cookie = binding_cookie
        self._public = parse_origin(public_url) if public_url else None

    def token(self, *, session_token: str | None, binding: str) -> str:
        """The token for a signed-in session, or for an anonymous visitor's binding cookie."""
        subject = f"session:{session_token}" if session_token else f"anonymous:{binding}"
        digest = hmac.new(self._key, subject.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def allowed_origins(self, scope: Scope) -> set[Origin]:
        own = own_origin(scope)
        allowed = {origin for origin in (own, self._public) if origin is not None}
        platform = getattr(scope["app"].state, "platform", None)
        hosts: Iterable[str] = (
            (h for tenant in platform.directory.all() for h in tenant.hosts) if platform is not None else ()
        )
        for host in hosts:
            for base in allowed.copy():  # a province's host, served by this same site
                allowed.add((base[0], host.lower(), base[2]))
        return allowed

    def origin_problem(self, scope: Scope) -> str | None:
        """Why the request's origin is refused, or None when it is one of ours."""
        headers = Headers.from_scope(scope)
        claimed = headers.get("origin") or headers.get("referer")
        if not claimed:
            # Browsers send Origin with every form post; only plain HTTP clients (scripts, old
            # tools) omit both, and the token still protects them. Over HTTPS, Referer is
            # reliable, so its absence is refused.
            return "no origin" if scope.get("scheme") == "https" else None
        origin = parse_origin(claimed)
        if origin is None or origin not in self.allowed_origins(scope):
            return f"origin {claimed[:100]!r}"
        return None

    async def _carries(self, scope: Scope, receive: Receive, expected: str) -> bool | None:
        """Whether the request carries `expected`: in htmx's header, else in the form field.
        None when it carries no token at all."""
        request: Request[Any, Any, Any] = Request(scope, receive)
        submitted = request.headers.get(HEADER) or ""
        if submitted and hmac.compare_digest(submitted, expected):
            return True
        content_type, _ = request.content_type
        if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
            # Parsed once: the handler reads the same form from the scope afterwards.
            field = str((await request.form()).get(FIELD) or "")
            if field and hmac.compare_digest(field, expected):
                return True
            submitted = submitted or field
        return False if submitted else None

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        cookies = ASGIConnection[Any, Any, Any, Any](scope).cookies
        binding = cookies.get(self._binding_cookie)
        fresh_binding = None
        if binding is None or not _BINDING.fullmatch(binding):
            binding = fresh_binding = secrets.token_urlsafe(32)
        session_token = scope.get("state", {}).get("session_token")
        current = self.token(session_token=session_token, binding=binding)
        if scope.get("method", "GET") not in SAFE_METHODS:
            problem = self.origin_problem(scope)
            if problem is None:
                carries = await self._carries(scope, receive, current)
                if not carries:
                    problem = "token missing" if carries is None else "token not bound to this visitor"
            if problem is not None:
                log.warning("csrf.refused", reason=problem, path=scope["path"], signed_in=bool(session_token))
                raise PermissionDeniedException("CSRF check failed")
        ScopeState.from_scope(scope).csrf_token = current
        await next_app(scope, receive, self._sending(send, binding, fresh_binding, session_token, current))

    def _sending(
        self, send: Send, binding: str, fresh_binding: str | None, session_token: str | None, current: str
    ) -> Send:
        """Sets a new binding cookie and `X-CSRF-Token`; when the answer signs the visitor in or
        out, the token in its page is swapped for the one that matches the new session."""
        replace: tuple[bytes, bytes] | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal replace
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                following = self.token(
                    session_token=self._next_session(headers, session_token), binding=binding
                )
                if fresh_binding is not None:
                    cookie = Cookie(
                        key=self._binding_cookie,
                        value=fresh_binding,
                        path="/",
                        httponly=True,
                        secure=self._secure,
                        samesite="lax",
                    )
                    headers.append((b"set-cookie", cookie.to_header(header="").encode()))
                headers.append((HEADER.encode(), following.encode()))
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if following != current and content_type.startswith(b"text/html"):
                    replace = (current.encode(), following.encode())  # same length: Content-Length holds
                message["headers"] = headers
            elif message["type"] == "http.response.body" and replace is not None:
                message["body"] = message.get("body", b"").replace(*replace)
            await send(message)

        return send_wrapper

    def _next_session(self, headers: list[tuple[bytes, bytes]], session_token: str | None) -> str | None:
        """The session the browser holds after this answer's cookies are applied."""
        for name, value in headers:
            if name.lower() != b"set-cookie":
                continue
            text = value.decode("latin-1")
            key, _, rest = text.partition("=")
            if key.strip() != self._session_cookie:
                continue
            cookie_value = rest.split(";", 1)[0].strip().strip('"')
            cleared = not cookie_value or re.search(r";\s*max-age=0\b", text, re.IGNORECASE) is not None
            session_token = None if cleared else cookie_value
        return session_token
