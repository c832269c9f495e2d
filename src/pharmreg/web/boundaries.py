"""Where the boundary rules of `kit.boundaries` meet every request: paths, queries, forms and JSON.

Handlers read what passed: an id out of range answers "not found" before any handler or the
database sees it, text that cannot be stored is refused with one Chinese message before
anything is written, and codes typed in full width arrive in ASCII.

- Path parameters: every integer (`{x:int}`) must be an id in range; text parameters are
  normalised like form fields (`/verify/<full-width number>`).
- Query strings and form fields (urlencoded or multipart): unstorable characters refused in
  names, values and file names; fields named `id` or `*_id` holding digits must be ids in
  range; every value normalised by `normalise_field` except secrets, which are compared exactly.
- JSON bodies: the same rules for every string, at any depth.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar.datastructures import FormMultiDict, UploadFile
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.plugins.htmx import HTMXRequest
from litestar.types import ASGIApp, Receive, Scope, Send

from pharmreg.kit.boundaries import UNSTORABLE_MESSAGE, id_in_range, normalise_field, parse_id, unstorable
from pharmreg.kit.errors import UserError

# Secrets are compared as typed; changing them here would lock out a password set with them.
_SECRET = re.compile(r"password|_csrf_token")
_ID_FIELD = re.compile(r"(^|_)id$")
_UNREADABLE = "提交的内容无法读取（编码不是 UTF-8 或格式有误），请刷新页面后重新提交；本次未保存任何内容"


def _refuse() -> UserError:
    return UserError(detail=UNSTORABLE_MESSAGE)


def _field(name: str, value: str) -> str:
    """One query or form field through the rules: refused, or passed on normalised."""
    if unstorable(name) or unstorable(value):
        raise _refuse()
    if _SECRET.search(name):
        return value
    folded = normalise_field(value)
    if _ID_FIELD.search(name) and folded.isdigit() and parse_id(folded) is None:
        raise NotFoundException()  # an id no object can have answers like a missing one
    return folded


def _json(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        return _field(key, value)
    if isinstance(value, list):
        return [_json(item, key) for item in value]
    if isinstance(value, dict):
        return {_field("", str(k)): _json(v, str(k)) for k, v in value.items()}
    return value


class BoundaryRequest(HTMXRequest):
    """The request every handler receives: its form and JSON body have passed the boundary rules."""

    _checked_form: FormMultiDict | None = None

    async def form(self) -> FormMultiDict:
        if self._checked_form is None:
            try:
                parsed = await super().form()
            except UnicodeDecodeError:  # a multipart part that is not UTF-8 text
                raise UserError(detail=_UNREADABLE) from None
            items: list[tuple[str, Any]] = []
            for name, value in parsed.multi_items():
                if isinstance(value, UploadFile):
                    if unstorable(name) or unstorable(value.filename or ""):
                        raise _refuse()
                    items.append((name, value))
                else:
                    items.append((name, _field(name, str(value))))
            self._checked_form = FormMultiDict(items)
        return self._checked_form

    async def json(self) -> Any:
        return _json(await super().json())


class InputBoundaryMiddleware(ASGIMiddleware):
    """Path parameters and the query string, checked once routing has parsed the path."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        params: dict[str, Any] = scope.get("path_params") or {}
        for name, value in params.items():
            if isinstance(value, int) and not isinstance(value, bool) and not id_in_range(value):
                raise NotFoundException()
            if isinstance(value, str):
                if unstorable(value):
                    raise NotFoundException()
                params[name] = normalise_field(value)
        raw: bytes = scope.get("query_string", b"")
        if raw:
            pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
            checked = [(name, _field(name, value)) for name, value in pairs]
            if checked != pairs:
                scope["query_string"] = urlencode(checked).encode("ascii")
        await next_app(scope, receive, send)
