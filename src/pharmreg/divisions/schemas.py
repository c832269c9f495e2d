"""Division records as the rest of the platform and the JSON API see them."""

from __future__ import annotations

from datetime import date

import msgspec


class DivisionRead(msgspec.Struct, frozen=True):
    code: str
    name: str
    level: int
    parent_code: str | None
    province_code: str
    is_grouping: bool
    valid_from: date | None
    valid_to: date | None
    # "广东省 广州市 天河区": the names from the province down, groupings left out.
    full_name: str

    @property
    def current(self) -> bool:
        return self.valid_to is None


class DivisionSearchResult(msgspec.Struct):
    query: str
    results: list[DivisionRead]


class AddressMatch(msgspec.Struct, frozen=True):
    """What an address names: the most specific division recognised, or candidates when ambiguous."""

    division: DivisionRead | None
    candidates: list[DivisionRead]
    # What follows the recognised names: street, number, building.
    remainder: str
