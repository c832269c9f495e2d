"""Entry point for ASGI servers: `uvicorn --factory pharmreg.web.asgi:create_from_env`."""

from __future__ import annotations

from litestar import Litestar

from pharmreg.settings import Settings
from pharmreg.web.app import create_app


def create_from_env() -> Litestar:
    return create_app(Settings.from_env())
