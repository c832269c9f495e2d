"""The security settings form, one for a province's administrators and for the national
super-administrators: each schema keeps its own rules, each realm its own page around the form."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.identity import (
    SECURITY_LIMITS,
    TOTP_REQUIRED,
    SecurityRules,
    security_rules,
    update_security_rules,
)
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.rendering import render


def _page(
    request: HTMXRequest,
    template: str,
    frame: dict[str, Any],
    values: SecurityRules | FormValues,
    errors: dict[str, str],
    *,
    saved: bool,
    status_code: int = 200,
) -> Template:
    """`template` with the realm's `frame` (realm, who, section) around the settings."""
    context = {
        **frame,
        "values": values,
        "limits": SECURITY_LIMITS,
        "totp_choices": TOTP_REQUIRED,
        "errors": errors,
        "saved": saved,
    }
    return render(request, template, context, status_code=status_code)


async def show_security(
    request: HTMXRequest, session: AsyncSession, template: str, frame: dict[str, Any]
) -> Template:
    return _page(request, template, frame, await security_rules(session), {}, saved=False)


async def save_security(
    request: HTMXRequest, session: AsyncSession, actor: Actor, template: str, frame: dict[str, Any]
) -> Response[Any]:
    """Save the settings and show them saved (the same page), or the form again with its errors."""

    async def write(values: FormValues) -> SecurityRules:
        return await update_security_rules(session, values, actor=actor)

    async def again(values: FormValues, errors: dict[str, str]) -> Template:
        return _page(request, template, frame, values, errors, saved=False, status_code=400)

    async def done(rules: SecurityRules) -> Template:
        return _page(request, template, frame, rules, {}, saved=True)

    return await post_form(request, session, write=write, again=again, done=done)
