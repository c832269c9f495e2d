"""Route handlers stay thin: each names at most a few parameters besides `self` and `request`."""

from __future__ import annotations

import inspect

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from pharmreg.settings import Settings
from pharmreg.web import create_app

# Path, query and dependency parameters all count; a realm's request bundle is one.
MOST_PARAMETERS = 5


def _parameters(handler: HTTPRouteHandler) -> list[str]:
    signature = inspect.signature(handler.fn)
    return [name for name in signature.parameters if name not in ("self", "request")]


def handlers_over_limit(app: Litestar) -> dict[str, list[str]]:
    """Every route handler over the limit, by qualified name, with what it takes."""
    over: dict[str, list[str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            names = _parameters(handler)
            if len(names) > MOST_PARAMETERS:
                over[handler.fn.__qualname__] = names
    return over


def test_no_handler_takes_more_than_five_parameters(settings: Settings) -> None:
    over = handlers_over_limit(create_app(settings))
    assert not over, "\n".join(f"{name} takes {len(p)}: {', '.join(p)}" for name, p in sorted(over.items()))
