"""National reference data the register relies on: qualification certificates and CE credits."""

from pharmreg.qualifications.schemas import (
    Category,
    CePart,
    CeYear,
    ImportReport,
    QualificationRead,
    categories_label,
)
from pharmreg.qualifications.service import (
    ce_years,
    demo_accounts,
    find_qualification,
    import_ce_credits,
    import_qualifications,
    qualifications_of,
)

__all__ = [
    "Category",
    "CePart",
    "CeYear",
    "ImportReport",
    "QualificationRead",
    "categories_label",
    "ce_years",
    "demo_accounts",
    "find_qualification",
    "import_ce_credits",
    "import_qualifications",
    "qualifications_of",
]
