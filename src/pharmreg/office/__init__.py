"""The officers' back office (网上审批): sign-in, to-do and done lists, own account, address book."""

from pharmreg.office.controllers import ROUTE_HANDLERS, officer_realm

__all__ = ["ROUTE_HANDLERS", "officer_realm"]
