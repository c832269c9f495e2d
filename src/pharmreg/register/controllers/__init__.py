"""Route handlers of the register: the officers' register pages and the registration rules."""

from pharmreg.register.controllers.registrations import OfficeRegisterController
from pharmreg.register.controllers.rules import RegistrationRulesController

ROUTE_HANDLERS = [OfficeRegisterController, RegistrationRulesController]

__all__ = ["ROUTE_HANDLERS"]
