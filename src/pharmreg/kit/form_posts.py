"""One shape for a form post: parse the form, write in one transaction, and either show the
form again with its errors or redirect (303) to where the result is seen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.db import transaction
from pharmreg.kit.forms import FormErrors

FormValues = dict[str, str]


async def form_values(request: Request[Any, Any, Any]) -> FormValues:
    """The submitted form's text fields."""
    return {k: str(v) for k, v in (await request.form()).items()}


async def post_form(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    write: Callable[[FormValues], Awaitable[object]],
    again: Callable[[FormValues, dict[str, str]], Awaitable[Response[Any]]],
    done: str,
) -> Response[Any]:
    """Run `write` with the form's values in one transaction of `session`, then redirect to
    `done`; if it refuses the form (FormErrors), answer `again(values, errors)` instead."""
    values = await form_values(request)
    try:
        async with transaction(session):
            await write(values)
    except FormErrors as exc:
        return await again(values, exc.errors)
    return Redirect(path=done, status_code=303)
