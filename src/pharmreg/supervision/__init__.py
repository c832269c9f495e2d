"""National supervision: figures and analytic facts fed from every province through the outbox."""

from pharmreg.supervision import query, reports
from pharmreg.supervision.catalog import REPORTS
from pharmreg.supervision.controllers import STATISTICS_ROUTES, SupervisionApiController
from pharmreg.supervision.jobs import (
    analytic_facts_recount,
    rebuild_facts,
    reconcile_province,
    reconcile_province_figures,
    recount_facts,
)
from pharmreg.supervision.schemas import Drift, FactDrift, FactFreshness, ProvinceFigures
from pharmreg.supervision.service import (
    FIELD_LABELS,
    AnalyticFacts,
    AnalyticFactsProjection,
    FactFeed,
    PersonHasher,
    ProvinceFiguresProjection,
    fact_freshness,
    practice_field,
    province_figures,
)

# The statistics reports that exports can build again from their names.
REPORTS.update({kind.name: kind for kind in (*reports.REPORT_KINDS, *query.REPORT_KINDS)})

__all__ = [
    "FIELD_LABELS",
    "STATISTICS_ROUTES",
    "AnalyticFacts",
    "AnalyticFactsProjection",
    "Drift",
    "FactDrift",
    "FactFeed",
    "FactFreshness",
    "PersonHasher",
    "ProvinceFigures",
    "ProvinceFiguresProjection",
    "SupervisionApiController",
    "analytic_facts_recount",
    "fact_freshness",
    "practice_field",
    "province_figures",
    "rebuild_facts",
    "reconcile_province",
    "reconcile_province_figures",
    "recount_facts",
]
