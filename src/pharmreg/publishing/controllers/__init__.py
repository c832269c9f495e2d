"""Route handlers of publishing: the portals' article pages and the publishing desks."""

from pharmreg.publishing.controllers.articles import ROUTE_HANDLERS

__all__ = ["ROUTE_HANDLERS"]
