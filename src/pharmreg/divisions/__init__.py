"""GB/T 2260 administrative divisions: loading, validity, look-up by code and name."""

from pharmreg.divisions.controllers import DivisionApiController
from pharmreg.divisions.schemas import AddressMatch, DivisionRead, DivisionSearchResult
from pharmreg.divisions.service import (
    DivisionFileError,
    DivisionIndex,
    LoadResult,
    load_divisions,
    parse_division_file,
)

__all__ = [
    "AddressMatch",
    "DivisionApiController",
    "DivisionFileError",
    "DivisionIndex",
    "DivisionRead",
    "DivisionSearchResult",
    "LoadResult",
    "load_divisions",
    "parse_division_file",
]
