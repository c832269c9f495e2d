"""Every report that can be exported, by name: the pages show a report, and the export job builds
the same report again in the worker from its name, its scope and its parameters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.report_tables import ReportTable


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Whose figures a report shows: one province (and within it, a city or county bureau's
    territory, as a division-code prefix), or every province for the national bureau."""

    tenant: str | None
    division_prefix: str | None = None

    @property
    def national(self) -> bool:
        return self.tenant is None


class ReportParameterError(ValueError):
    """A report's parameters are wrong; the message is for the person who asked (Chinese)."""


# Reads the national facts; raises ReportParameterError for a bad parameter.
ReportBuilder = Callable[[AsyncSession, ReportScope, Mapping[str, str]], Awaitable[ReportTable]]


@dataclass(frozen=True, slots=True)
class ReportKind:
    name: str
    label: str
    build: ReportBuilder
    # Who may build it: "province" reports need a tenant scope, "national" ones refuse one.
    audience: str


REPORTS: dict[str, ReportKind] = {}

# The national supervision views' reports (imported last: that module builds its kinds from the
# types above).
from pharmreg.supervision import figures as _national_figures  # noqa: E402

REPORTS.update({kind.name: kind for kind in _national_figures.REPORT_KINDS})
