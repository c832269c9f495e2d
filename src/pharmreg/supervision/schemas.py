"""National figures per province, as pages and the JSON API show them."""

from __future__ import annotations

from datetime import datetime

import msgspec


class ProvinceFigures(msgspec.Struct):
    slug: str
    units: int
    officers: int
    practice_units: int
    # National figures include every change of the province committed before this time.
    as_of: datetime | None


class Drift(msgspec.Struct):
    """What a reconciliation found wrong and corrected."""

    slug: str
    metric: str
    recorded: int
    actual: int
