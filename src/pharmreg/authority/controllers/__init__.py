"""Route handlers of authority: an officer's own work delegations."""

from pharmreg.authority.controllers.account import OfficeAccountController

ROUTE_HANDLERS = [OfficeAccountController]

__all__ = ["ROUTE_HANDLERS"]
