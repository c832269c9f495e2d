"""Pages and JSON API of the supervision context."""

from pharmreg.supervision.controllers.api import SupervisionApiController
from pharmreg.supervision.controllers.statistics import NationalQueryController, StatisticsController

STATISTICS_ROUTES = [StatisticsController, NationalQueryController]

__all__ = ["STATISTICS_ROUTES", "NationalQueryController", "StatisticsController", "SupervisionApiController"]
