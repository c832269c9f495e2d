"""A report as plain data: titled columns and rows, notes (数据截至 …) and an optional chart.

Statistics pages render it as an HTML table beside its chart, and the exports write the same value
to XLSX, PDF and delimited text, so a figure on the page and in the file cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

# How a column's values are written: text stays text in every format (an ID-like code is never
# turned into a number), counts are integers, ratios are fractions shown as percentages.
ColumnKind = Literal["text", "int", "decimal", "percent", "date"]
Cell = str | int | float | Decimal | date | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Chart:
    """How the table is drawn: categories from one column, one series per value column."""

    kind: Literal["bar", "line", "pie"]
    category: str
    series: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportTable:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Shown under the title, e.g. the period and the region.
    subtitle: str = ""
    # Shown under the table, e.g. 数据截至 per province, how a figure is computed.
    notes: tuple[str, ...] = ()
    chart: Chart | None = None
    # Totals row, written apart from the data rows (same width as columns).
    totals: tuple[Cell, ...] | None = None
    # Further tables of the same report (e.g. 月报: registrations, then business figures).
    parts: tuple[ReportTable, ...] = field(default=())

    def __post_init__(self) -> None:
        width = len(self.columns)
        if any(len(row) != width for row in self.rows) or (
            self.totals is not None and len(self.totals) != width
        ):
            raise ValueError(f"every row of {self.title!r} must have {width} cells")
        keys = {c.key for c in self.columns}
        if self.chart is not None and not {self.chart.category, *self.chart.series} <= keys:
            raise ValueError(f"the chart of {self.title!r} names columns the table does not have")

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)
