"""The security settings form, one for a province's administrators and for the national
super-administrators: each schema keeps its own rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
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

# The page of one schema's settings: its values (rules or the typed form), errors and saved flag.
SecurityPage = Callable[..., Template]


def security_values(
    values: SecurityRules | FormValues, errors: dict[str, str], *, saved: bool
) -> dict[str, Any]:
    """The values of the security settings page."""
    return {
        "values": values,
        "limits": SECURITY_LIMITS,
        "totp_choices": TOTP_REQUIRED,
        "errors": errors,
        "saved": saved,
    }


async def security_page(session: AsyncSession, page: SecurityPage) -> Template:
    return page(security_values(await security_rules(session), {}, saved=False))


async def save_security(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor, page: SecurityPage
) -> Response[Any]:
    """Save the settings and show them saved (the same page), or the form again with its errors."""

    async def write(values: FormValues) -> SecurityRules:
        return await update_security_rules(session, values, actor=actor)

    async def again(values: FormValues, errors: dict[str, str]) -> Template:
        return page(security_values(values, errors, saved=False), status_code=400)

    async def done(rules: SecurityRules) -> Template:
        return page(security_values(rules, {}, saved=True))

    return await post_form(request, session, write=write, again=again, done=done)
