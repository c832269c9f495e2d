"""National reference data the register relies on: qualification certificates and CE credits."""

from pharmreg.qualifications.schemas import (
    CREDIT_COLUMNS,
    QUALIFICATION_COLUMNS,
    Category,
    CePart,
    CeYear,
    ImportReport,
    QualificationRead,
    categories_label,
)
from pharmreg.qualifications.service import (
    ce_years,
    credits_of,
    demo_accounts,
    exam_results,
    find_qualification,
    import_ce_credits,
    import_qualifications,
    qualifications_of,
)

__all__ = [
    "CREDIT_COLUMNS",
    "QUALIFICATION_COLUMNS",
    "Category",
    "CePart",
    "CeYear",
    "CreditRead",
    "ExamResult",
    "ImportReport",
    "QualificationRead",
    "categories_label",
    "ce_years",
    "credits_of",
    "demo_accounts",
    "exam_results",
    "find_qualification",
    "import_ce_credits",
    "import_qualifications",
    "qualifications_of",
]
