"""Risk flags of hanging certificates and frequent changes (空挂与频繁变更): configurable rules over
the national facts, and the flags' verification by the province concerned."""

from pharmreg.supervision.risk.controllers import NationalRiskController, OfficeRiskController
from pharmreg.supervision.risk.jobs import scan_risk_flags
from pharmreg.supervision.risk.rules import RULES, UNIT_TYPE_SCOPES, RuleSettingsError, check_settings
from pharmreg.supervision.risk.schemas import FlagRead, ScanReport
from pharmreg.supervision.risk.service import rule_settings, scan_risks

RISK_ROUTES = (NationalRiskController, OfficeRiskController)
RISK_RULE_LABELS = {name: rule.label for name, rule in RULES.items()}

__all__ = [
    "RISK_ROUTES",
    "RISK_RULE_LABELS",
    "RULES",
    "UNIT_TYPE_SCOPES",
    "FlagRead",
    "NationalRiskController",
    "OfficeRiskController",
    "RuleSettingsError",
    "ScanReport",
    "check_settings",
    "rule_settings",
    "scan_risk_flags",
    "scan_risks",
]
