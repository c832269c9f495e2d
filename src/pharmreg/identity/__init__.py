"""Who acts: bureau units, officers and their posts, applicants, national staff."""

from pharmreg.identity.controllers import UnitApiController
from pharmreg.identity.passwords import hash_password, verify_password
from pharmreg.identity.positions import Position
from pharmreg.identity.schemas import (
    ApplicantCreate,
    OfficerCreate,
    OfficerRead,
    StaffCreate,
    UnitRead,
    UnitSeed,
)
from pharmreg.identity.service import (
    APPLICANT_REGISTERED,
    OFFICER_CREATED,
    UNIT_CREATED,
    UnknownUnitError,
    count_officers,
    count_units,
    create_officer,
    create_staff,
    create_units,
    list_officers,
    list_units,
    plan_units,
    register_applicant,
)

__all__ = [
    "APPLICANT_REGISTERED",
    "OFFICER_CREATED",
    "UNIT_CREATED",
    "ApplicantCreate",
    "OfficerCreate",
    "OfficerRead",
    "Position",
    "StaffCreate",
    "UnitApiController",
    "UnitRead",
    "UnitSeed",
    "UnknownUnitError",
    "count_officers",
    "count_units",
    "create_officer",
    "create_staff",
    "create_units",
    "hash_password",
    "list_officers",
    "list_units",
    "plan_units",
    "register_applicant",
    "verify_password",
]
