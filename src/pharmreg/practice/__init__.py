"""Practice units (执业单位): pharmacies, wholesalers, manufacturers and medical institutions."""

from pharmreg.practice.controllers import PracticeUnitApiController
from pharmreg.practice.rules import UNIT_STATES, UNIT_STATUSES, registration_barrier, state_label, unit_state
from pharmreg.practice.schemas import PracticeUnitCreate, PracticeUnitRead, UnitImport, UnitType
from pharmreg.practice.service import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    UNIT_CHANGED,
    UNIT_COLUMNS,
    UNIT_REGISTERED,
    PracticeUnitError,
    count_practice_units,
    import_practice_units,
    list_practice_units,
    practice_unit,
    practice_unit_by_uscc,
    read_unit_file,
    register_practice_unit,
    unit_facts,
    unit_types,
    update_practice_unit,
)

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "UNIT_CHANGED",
    "UNIT_COLUMNS",
    "UNIT_REGISTERED",
    "UNIT_STATES",
    "UNIT_STATUSES",
    "PracticeUnitApiController",
    "PracticeUnitCreate",
    "PracticeUnitError",
    "PracticeUnitRead",
    "UnitImport",
    "UnitType",
    "count_practice_units",
    "import_practice_units",
    "list_practice_units",
    "practice_unit",
    "practice_unit_by_uscc",
    "read_unit_file",
    "register_practice_unit",
    "registration_barrier",
    "state_label",
    "unit_facts",
    "unit_state",
    "unit_types",
    "update_practice_unit",
]
