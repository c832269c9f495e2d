"""System administration (系统管理) for tenant administrators, and the national console."""

from pharmreg.administration.controllers import ROUTE_HANDLERS

__all__ = ["ROUTE_HANDLERS"]
