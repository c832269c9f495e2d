"""Route handlers of workflow: task pages, process configuration and the working-day calendar."""

from pharmreg.workflow.controllers.calendar import WorkdayController
from pharmreg.workflow.controllers.processes import ProcessAdminController
from pharmreg.workflow.controllers.tasks import OfficeTasksController

ROUTE_HANDLERS = [OfficeTasksController, ProcessAdminController, WorkdayController]

__all__ = ["ROUTE_HANDLERS"]
