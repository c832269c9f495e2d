"""What the consultation pages share: the labels every template shows."""

from __future__ import annotations

from pharmreg.consultations.rules import KINDS, PUBLICATIONS, STATUSES, TOPICS, category_label

LABELS = {
    "topics": TOPICS,
    "kinds": KINDS,
    "statuses": STATUSES,
    "publications": PUBLICATIONS,
    "category_label": category_label,
}
