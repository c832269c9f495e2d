"""Entry point for ASGI servers: `uvicorn --factory --no-proxy-headers pharmreg.web.asgi:create_from_env`.

The application reads X-Forwarded-For itself, from PHARMREG_TRUSTED_PROXIES only; a server that
applied the headers on its own (uvicorn does by default, for 127.0.0.1) would bypass that.
"""

from __future__ import annotations

from litestar import Litestar

from pharmreg.settings import Settings
from pharmreg.web.app import create_app


def create_from_env() -> Litestar:
    return create_app(Settings.from_env())
