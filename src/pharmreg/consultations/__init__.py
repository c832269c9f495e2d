"""答疑解惑 and 投诉建议: the FAQ knowledge base, consultations and complaints from the public,
their routing, handling, transfer and publication as Q&A."""

from pharmreg.consultations.controllers import ROUTE_HANDLERS
from pharmreg.consultations.jobs import remind_complaints
from pharmreg.consultations.samples import load_consultation_samples
from pharmreg.consultations.service import ENQUIRY_FACT, enquiry_facts

__all__ = [
    "ENQUIRY_FACT",
    "ROUTE_HANDLERS",
    "enquiry_facts",
    "load_consultation_samples",
    "remind_complaints",
]
