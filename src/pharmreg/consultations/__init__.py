"""答疑解惑 and 投诉建议: the FAQ knowledge base, consultations and complaints from the public,
their routing, handling, transfer and publication as Q&A."""

from pharmreg.consultations.controllers import ROUTE_HANDLERS
from pharmreg.consultations.jobs import remind_complaints
from pharmreg.consultations.samples import load_consultation_samples

__all__ = ["ROUTE_HANDLERS", "load_consultation_samples", "remind_complaints"]
