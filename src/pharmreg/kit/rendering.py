"""One URL, two renderings: the full page, or for htmx requests the fragment it includes."""

from __future__ import annotations

from typing import Any

from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template


def render(
    request: HTMXRequest,
    page: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Template:
    """The page, or only `fragment` (a `_partial.html` the page includes) for htmx requests."""
    wants_fragment = bool(request.htmx) and not request.htmx.boosted
    name = fragment if fragment is not None and wants_fragment else page
    return Template(template_name=name, context=context, status_code=status_code)
