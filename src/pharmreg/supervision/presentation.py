"""How a report's values and the query form's choices are shown on the statistics pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from pharmreg.kit.report_tables import Cell, ReportTable
from pharmreg.supervision import fact_scope, query
from pharmreg.supervision.catalog import ReportScope
from pharmreg.supervision.fact_scope import Labels
from pharmreg.supervision.service import FIELD_LABELS

_SUBJECT_LABELS = {"registration": "注册", "case": "办件", "enquiry": "咨询投诉"}


def cell_text(value: Cell, kind: str) -> str:
    """A cell as the page prints it: a dash for no value, percentages with one decimal."""
    if value is None:
        return "—"
    if kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{float(value) * 100:.1f}%"
    if kind == "decimal" and isinstance(value, float | Decimal):
        return f"{float(value):g}" if float(value).is_integer() else f"{float(value):.2f}".rstrip("0")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value: Cell, kind: str) -> float | None:
    if value is None or not isinstance(value, int | float | Decimal):
        return None
    return round(float(value) * 100, 2) if kind == "percent" else float(value)


def chart_json(report: ReportTable) -> str | None:
    """The chart's data for web/static/js/charts.js, escaped for an HTML attribute or element."""
    chart = report.chart
    if chart is None or not report.rows:
        return None
    category = report.column(chart.category)
    data = {
        "kind": chart.kind,
        "title": report.title,
        "categories": [str(row[category]) for row in report.rows],
        "series": [
            {
                "name": report.columns[report.column(key)].label,
                "percent": report.columns[report.column(key)].kind == "percent",
                "data": [
                    _number(row[report.column(key)], report.columns[report.column(key)].kind)
                    for row in report.rows
                ],
            }
            for key in chart.series
        ],
    }
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def form_choices(labels: Labels, scope: ReportScope) -> dict[str, Any]:
    """What the custom query form offers: measures by subject, dimensions, and filter values."""
    dimensions = [
        (name, d.label) for name, d in query.DIMENSIONS.items() if scope.national or not d.national_only
    ]
    filters: dict[str, list[tuple[str, str]]] = {
        "city": labels.cities(scope),
        "category": [("pharmacy", "药学"), ("tcm", "中药学"), ("pharmacy,tcm", "药学、中药学")],
        "field": list(FIELD_LABELS.items()),
        "sex": list(fact_scope.SEX_LABELS.items()),
        "education": list(fact_scope.EDUCATION_LABELS.items()),
        "matter": [(code, fact_scope.matter_label(code)) for code in _MATTERS],
        "outcome": [*fact_scope.OUTCOME_LABELS.items(), ("open", "办理中")],
    }
    if scope.national:
        filters = {"province": [(t.slug, t.name) for t in labels.directory.provinces()], **filters}
    return {
        "measures": [(name, m.label, _SUBJECT_LABELS[m.subject]) for name, m in query.MEASURES.items()],
        "dimensions": dimensions,
        "filters": [(name, query.DIMENSIONS[name].label, options) for name, options in filters.items()],
    }


_MATTERS = ("first_registration", "change", "renewal", "cancellation", "reissue")
