"""Route handlers of the administration context."""

from pharmreg.administration.controllers.authority import AuthorityController
from pharmreg.administration.controllers.disputes import DisputesController
from pharmreg.administration.controllers.national import NationalConsoleController, NationalStaffController
from pharmreg.administration.controllers.practice_units import PracticeUnitsController
from pharmreg.administration.controllers.users import (
    AuditController,
    SecurityController,
    UnitsController,
    UsersController,
)

ROUTE_HANDLERS = [
    UsersController,
    UnitsController,
    SecurityController,
    AuditController,
    AuthorityController,
    NationalConsoleController,
    NationalStaffController,
    PracticeUnitsController,
    DisputesController,
]

__all__ = ["ROUTE_HANDLERS"]
