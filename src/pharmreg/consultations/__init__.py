"""答疑解惑 and 投诉建议: the FAQ knowledge base, consultations and complaints from the public,
their routing, handling, transfer and publication as Q&A."""

from pharmreg.consultations.controllers import ROUTE_HANDLERS
from pharmreg.consultations.jobs import remind_complaints

__all__ = ["ROUTE_HANDLERS", "remind_complaints"]
