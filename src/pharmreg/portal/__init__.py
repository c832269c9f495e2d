"""The public portal: national and provincial home pages, the visitor's province with its
sites, and the bureaus' contacts (publishing and Q&A come later)."""

from pharmreg.portal.controllers import NationalPortalController, ProvincePortalController
from pharmreg.portal.entries import SignedIn, signed_in
from pharmreg.portal.queries import QueryController
from pharmreg.portal.regions import REGION_COOKIE, RegionController, guess_province

__all__ = [
    "REGION_COOKIE",
    "NationalPortalController",
    "ProvincePortalController",
    "QueryController",
    "RegionController",
    "SignedIn",
    "guess_province",
    "signed_in",
]
