"""National or province: where a context's rows live, and the tables it uses there.

Several contexts keep the same kind of rows twice, once in the national schema (the national
portal, the national board, national staff's messages) and once in every tenant schema. A
`Space` names one of those places and carries the context's tables for it; the session that
goes with it is already bound to the right schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

NATIONAL = "national"

TablesT = TypeVar("TablesT")
NationalT = TypeVar("NationalT")
ProvinceT = TypeVar("ProvinceT")


class Space(Generic[TablesT]):
    """One place a context's rows live: "national", or a province's slug, with its tables.

    A plain class, not a dataclass: Litestar checks a dataclass it injects field by field, and
    table classes are nothing it can check.
    """

    __slots__ = ("key", "tables")

    def __init__(self, key: str, tables: TablesT) -> None:
        self.key = key
        self.tables = tables

    def __repr__(self) -> str:
        return f"Space({self.key!r}, {self.tables!r})"

    @property
    def national(self) -> bool:
        return self.key == NATIONAL


@dataclass(frozen=True, slots=True)
class Spaces(Generic[NationalT, ProvinceT]):
    """A context's tables in the national schema and in a province's: the spaces of either."""

    national_tables: NationalT
    province_tables: ProvinceT

    def national(self) -> Space[NationalT]:
        return Space(NATIONAL, self.national_tables)

    def province(self, slug: str) -> Space[ProvinceT]:
        return Space(slug, self.province_tables)
