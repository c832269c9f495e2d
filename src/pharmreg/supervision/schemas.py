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


class FactDrift(msgspec.Struct):
    """What the recount of one kind of fact of one province found wrong and corrected."""

    slug: str
    kind: str
    missing: int
    extra: int
    changed: int

    @property
    def total(self) -> int:
        return self.missing + self.extra + self.changed


class FactFreshness(msgspec.Struct):
    """How current a province's part of the national facts is (数据截至), and their upkeep."""

    slug: str
    as_of: datetime | None
    rebuilt_at: datetime | None
    recounted_at: datetime | None
