"""National supervision: figures fed from every province through the outbox."""

from pharmreg.supervision.controllers import SupervisionApiController
from pharmreg.supervision.jobs import reconcile_province, reconcile_province_figures
from pharmreg.supervision.schemas import Drift, ProvinceFigures
from pharmreg.supervision.service import (
    ProvinceFiguresProjection,
    province_figures,
)

__all__ = [
    "Drift",
    "ProvinceFigures",
    "ProvinceFiguresProjection",
    "SupervisionApiController",
    "province_figures",
    "reconcile_province",
    "reconcile_province_figures",
]
