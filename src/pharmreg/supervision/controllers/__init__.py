"""Pages and API of the supervision context: the national figures (JSON), a province's statistics
and the custom query, and the exports of statistics reports."""

from pharmreg.supervision.controllers.api import SupervisionApiController
from pharmreg.supervision.controllers.exports import NationalExportsController, ProvinceExportsController
from pharmreg.supervision.controllers.statistics import NationalQueryController, StatisticsController

STATISTICS_ROUTES = [StatisticsController, NationalQueryController]

__all__ = [
    "STATISTICS_ROUTES",
    "NationalExportsController",
    "NationalQueryController",
    "ProvinceExportsController",
    "StatisticsController",
    "SupervisionApiController",
]
