"""The public portal: national and provincial home pages (publishing and Q&A come later)."""

from pharmreg.portal.controllers import NationalPortalController, ProvincePortalController

__all__ = ["NationalPortalController", "ProvincePortalController"]
