"""The web edge: the Litestar application, middleware, error pages and templates."""

from pharmreg.web.app import StartupError, create_app

__all__ = ["StartupError", "create_app"]
