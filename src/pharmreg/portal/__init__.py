"""The public portal: national and provincial home pages, the visitor's province with its
sites, and the bureaus' contacts (publishing and Q&A come later)."""

from pharmreg.portal.controllers.home import NationalPortalController, ProvincePortalController
from pharmreg.portal.controllers.queries import QueryController
from pharmreg.portal.controllers.regions import REGION_COOKIE, RegionController, guess_province
from pharmreg.portal.controllers.sites import ContactsController, SitesController
from pharmreg.portal.entries import SignedIn, signed_in
from pharmreg.portal.service import SITES_CHANGED, SiteLinksProjection

__all__ = [
    "REGION_COOKIE",
    "SITES_CHANGED",
    "ContactsController",
    "NationalPortalController",
    "ProvincePortalController",
    "QueryController",
    "RegionController",
    "SignedIn",
    "SiteLinksProjection",
    "SitesController",
    "guess_province",
    "place_chain",
    "signed_in",
    "unit_contacts",
]
