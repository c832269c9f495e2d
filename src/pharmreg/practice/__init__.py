"""Practice units (执业单位): pharmacies, wholesalers, manufacturers and medical institutions."""

from pharmreg.practice.controllers import PracticeUnitApiController
from pharmreg.practice.schemas import PracticeUnitCreate, PracticeUnitRead, UnitType
from pharmreg.practice.service import (
    UNIT_REGISTERED,
    PracticeUnitError,
    count_practice_units,
    import_practice_units,
    list_practice_units,
    practice_unit,
    practice_unit_by_uscc,
    register_practice_unit,
    update_practice_unit,
)

__all__ = [
    "UNIT_REGISTERED",
    "PracticeUnitApiController",
    "PracticeUnitCreate",
    "PracticeUnitError",
    "PracticeUnitRead",
    "UnitType",
    "count_practice_units",
    "import_practice_units",
    "list_practice_units",
    "practice_unit",
    "practice_unit_by_uscc",
    "register_practice_unit",
    "update_practice_unit",
]
