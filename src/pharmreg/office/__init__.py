"""The back offices (网上审批 and the national console's own pages): officers' and national
staff's sign-in, the officer's home, the address book and the message centre."""

from pharmreg.office.controllers import ROUTE_HANDLERS

__all__ = ["ROUTE_HANDLERS"]
