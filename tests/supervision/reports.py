"""Small reports for the export tests, registered in REPORTS in place of the real ones: practice
units by division (a province's, within a city's territory when asked) and by province, and one
whose build breaks."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.report_tables import Chart, Column, ReportTable
from pharmreg.supervision.catalog import REPORTS, ReportKind, ReportParameterError, ReportScope
from pharmreg.supervision.models import FactPracticeUnit


def _month(params: Mapping[str, str]) -> str:
    month = params.get("month", "")
    if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month):
        raise ReportParameterError("月份应写作“年-月”，例如 2026-11")
    return month


async def _units_by_division(
    session: AsyncSession, scope: ReportScope, params: Mapping[str, str]
) -> ReportTable:
    """Practice units by division code, from the national facts, within the scope."""
    month = _month(params)
    query = select(FactPracticeUnit.division_code, func.count()).group_by(FactPracticeUnit.division_code)
    query = query.where(FactPracticeUnit.tenant == scope.tenant)
    if scope.division_prefix:
        query = query.where(FactPracticeUnit.division_code.startswith(scope.division_prefix))
    rows = tuple((code, int(n)) for code, n in sorted(await session.execute(query)))
    return ReportTable(
        title=f"执业单位统计（{month}）",
        subtitle=f"范围：{scope.division_prefix or scope.tenant}",
        columns=(Column("division", "区划代码"), Column("units", "执业单位数", "int")),
        rows=rows,
        totals=("合计", sum(n for _, n in rows)),
        notes=('=HYPERLINK("http://evil.example") 不应成为公式',),
        chart=Chart("bar", "division", ("units",)),
    )


async def _units_by_province(
    session: AsyncSession, scope: ReportScope, params: Mapping[str, str]
) -> ReportTable:
    assert scope.national
    month = _month(params)
    query = select(FactPracticeUnit.tenant, func.count()).group_by(FactPracticeUnit.tenant)
    rows = tuple((tenant, int(n)) for tenant, n in sorted(await session.execute(query)))
    return ReportTable(
        title=f"全国执业单位统计（{month}）",
        columns=(Column("tenant", "省份"), Column("units", "执业单位数", "int")),
        rows=rows,
    )


async def _broken(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    raise RuntimeError("connection string postgresql://secret@db/ leaked in a traceback")


def register_test_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = [
        ReportKind("test_units", "执业单位统计", _units_by_division, "province"),
        ReportKind("test_broken", "出错的报表", _broken, "province"),
        ReportKind("test_national_units", "全国执业单位统计", _units_by_province, "national"),
    ]
    for kind in kinds:
        monkeypatch.setitem(REPORTS, kind.name, kind)


def render_export_buttons(base: str, report: str, params: dict[str, str], csrf_input: str = "") -> str:
    """What `export_buttons` (web/templates/_exports.html) puts on a report page."""
    environment = Environment(loader=FileSystemLoader("web/templates"), autoescape=True)
    return environment.from_string(
        '{% from "_exports.html" import export_buttons with context %}'
        "{{ export_buttons(base, report, params) }}"
    ).render(base=base, report=report, params=params, csrf_input=csrf_input)
