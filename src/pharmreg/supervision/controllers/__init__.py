"""Pages and API of the supervision context: the national figures (JSON) and the exports of
statistics reports, for a province's statistics and for the national supervision."""

from pharmreg.supervision.controllers.api import SupervisionApiController
from pharmreg.supervision.controllers.exports import NationalExportsController, ProvinceExportsController

__all__ = ["NationalExportsController", "ProvinceExportsController", "SupervisionApiController"]
