"""One shape for a form post: parse the form, write in one transaction, and either show the
form again with its errors or go on to where the result is seen (a 303 redirect, or a page
answered after the commit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.db import transaction
from pharmreg.kit.forms import FormErrors

FormValues = dict[str, str]
T = TypeVar("T")


async def form_values(request: Request[Any, Any, Any]) -> FormValues:
    """The submitted form's text fields."""
    return {k: str(v) for k, v in (await request.form()).items()}


def see_other(path: str) -> Response[Any]:
    """The redirect (303) after a form post to where its result is seen."""
    return Redirect(path=path, status_code=303)


async def post_form(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    *,
    write: Callable[[FormValues], Awaitable[T]],
    again: Callable[[FormValues, dict[str, str]], Awaitable[Response[Any]]],
    done: str | Callable[[T], Awaitable[Response[Any]]],
) -> Response[Any]:
    """Run `write` with the form's values in one transaction of `session`; if it refuses the
    form (FormErrors), answer `again(values, errors)`; if what it writes to is not there
    (LookupError), 404. After the commit, redirect to `done` (a path), or answer
    `done(what write returned)`, which does what must follow the commit."""
    values = await form_values(request)
    try:
        async with transaction(session):
            result = await write(values)
    except FormErrors as exc:
        return await again(values, exc.errors)
    except LookupError:
        raise NotFoundException() from None
    if isinstance(done, str):
        return see_other(done)
    return await done(result)
