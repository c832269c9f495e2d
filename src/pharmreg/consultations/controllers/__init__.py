"""答疑解惑 and 投诉建议: the public FAQ, Q&A, submission and tracking pages; the officers'
handling pages; FAQ upkeep by officers (their province) and national staff (national)."""

from pharmreg.consultations.controllers.faq import NationalFaqController, ProvinceFaqController
from pharmreg.consultations.controllers.office import ConsultationOfficeController
from pharmreg.consultations.controllers.portal import ConsultationPortalController

ROUTE_HANDLERS = [
    ConsultationPortalController,
    ConsultationOfficeController,
    ProvinceFaqController,
    NationalFaqController,
]
