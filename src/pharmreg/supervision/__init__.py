"""National supervision: figures and analytic facts fed from every province through the outbox."""

# The report catalog first: it pulls in the supervision figures, which build on its types.
from pharmreg.supervision import query, reports
from pharmreg.supervision.catalog import REPORTS
from pharmreg.supervision.controllers import (
    STATISTICS_ROUTES,
    NationalExportsController,
    ProvinceExportsController,
    SupervisionApiController,
)
from pharmreg.supervision.jobs import (
    analytic_facts_recount,
    export_report,
    purge_old_exports,
    rebuild_facts,
    reconcile_province,
    reconcile_province_figures,
    recount_facts,
)
from pharmreg.supervision.pages import NATIONAL_SUPERVISION_ROUTES
from pharmreg.supervision.risk import RISK_ROUTES, RISK_RULE_LABELS, scan_risk_flags, scan_risks
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
    "NATIONAL_SUPERVISION_ROUTES",
    "REPORTS",
    "RISK_ROUTES",
    "RISK_RULE_LABELS",
    "STATISTICS_ROUTES",
    "AnalyticFacts",
    "AnalyticFactsProjection",
    "Drift",
    "FactDrift",
    "FactFeed",
    "FactFreshness",
    "NationalExportsController",
    "PersonHasher",
    "ProvinceExportsController",
    "ProvinceFigures",
    "ProvinceFiguresProjection",
    "SupervisionApiController",
    "analytic_facts_recount",
    "export_report",
    "fact_freshness",
    "practice_field",
    "province_figures",
    "purge_old_exports",
    "rebuild_facts",
    "reconcile_province",
    "reconcile_province_figures",
    "recount_facts",
    "scan_risk_flags",
    "scan_risks",
]
