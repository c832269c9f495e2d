"""Who is signed in: the session from its cookie, and the account re-read on every request.

Re-reading the account (posts, unit, active flag) means a withdrawn post or a deactivated
officer takes effect on the next click, not at the next sign-in.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from pharmreg.identity import (
    Principal,
    load_applicant_account,
    load_officer_account,
    load_staff_account,
    security_rules,
    session_cookie_name,
)
from pharmreg.web.platform import Platform


def session_token(scope: Scope, *, secure: bool) -> str | None:
    """The session cookie's value. Litestar's lenient parser, not SimpleCookie: another site's
    odd cookie on the same domain (JSON, spaces) must not hide ours."""
    cookies = ASGIConnection[Any, Any, Any, Any](scope).cookies
    return cookies.get(session_cookie_name(secure=secure)) or None


async def load_account(platform: Platform, principal: Principal) -> Any:
    """The account behind a session, or None if it is gone, inactive or its tenant is closed."""
    if principal.kind == "officer":
        tenant = platform.directory.get(principal.tenant)
        if tenant is None:
            return None
        async with platform.db.tenant(tenant.schema, tenant.placement) as session:
            rules = await security_rules(session)
            account: Any = await load_officer_account(
                session, tenant.slug, uuid.UUID(principal.user_id), rules, platform.permissions
            )
    else:
        async with platform.db.national() as session:
            rules = await security_rules(session)
            if principal.kind == "staff":
                account = await load_staff_account(session, uuid.UUID(principal.user_id), rules)
            else:
                account = await load_applicant_account(session, uuid.UUID(principal.user_id), rules)
    return account if account is not None and account.active else None


_NO_SESSION = re.compile(r"^/static/|^/health$|^/ready$|^/api/schema")


def _without_session(scope: Scope) -> bool:
    """Static files, probes and the API schema never need the visitor's session."""
    return _NO_SESSION.match(scope["path"]) is not None


class SessionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    should_bypass_for_scope = staticmethod(_without_session)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        platform: Platform = scope["app"].state.platform
        state = scope.setdefault("state", {})
        token = session_token(scope, secure=platform.settings.is_production)
        session = await platform.sessions.load(token) if token else None
        account = await load_account(platform, session.principal) if session else None
        if session is not None and account is None:
            await platform.sessions.destroy(token)
            session = None
        state["session"] = session
        state["session_token"] = token if session else None
        state["account"] = account
        await next_app(scope, receive, send)
