"""The national bureau's supervision pages (执业监管平台): read-only views of the national facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.chrome import staff_realm
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import require_staff
from pharmreg.kit.clock import china_today
from pharmreg.kit.rendering import render
from pharmreg.kit.report_tables import Cell, ReportTable
from pharmreg.practice import UnitType
from pharmreg.requests import StaffRequest
from pharmreg.supervision import figures
from pharmreg.supervision.catalog import ReportParameterError, ReportScope
from pharmreg.supervision.presentation import chart_json

BASE = "/national/supervision"
NATIONAL = ReportScope(tenant=None)
VIEWS = (
    ("business", "业务监管", "各省办件量、办理用时、超期率和委托办理占比；在有效期内的注册人数及增长"),
    ("complaints", "投诉监管", "各省、各类别、逐月的投诉，答复时限、转办和公开情况，可查看清单"),
    ("consultations", "咨询监管", "各主题、各省的咨询，每月高频词和相似问题，可据此新增常见问题"),
    ("data", "数据监管", "注册执业药师按地区、年龄、性别、学历、类别、范围和执业领域的分布，可比较两省"),
    ("bulletin", "国家月报", "全国执业药师注册情况月报：在有效期内人数、每万人口、按执业领域和省份"),
)


def _cell(value: Cell, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{float(value) * 100:.1f}%"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def shown(
    report: ReportTable, *, hidden: Sequence[str] = ("key",), links: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """A report as the `supervision/_report.html` partial shows it: formatted cells, the chart's
    data, and for drill-down a link on each row's first shown cell."""
    visible = [i for i, c in enumerate(report.columns) if c.key not in hidden]
    return {
        "title": report.title,
        "subtitle": report.subtitle,
        "notes": report.notes,
        "headers": [(report.columns[i].label, report.columns[i].kind) for i in visible],
        "rows": [
            {
                "cells": [_cell(row[i], report.columns[i].kind) for i in visible],
                "link": (links or {}).get(n),
            }
            for n, row in enumerate(report.rows)
        ],
        "totals": [_cell(report.totals[i], report.columns[i].kind) for i in visible]
        if report.totals
        else None,
        "chart": chart_json(report),
        "parts": [shown(part, hidden=hidden) for part in report.parts],
    }


def _query(params: Mapping[str, str], **changes: str | None) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v}
    return "?" + urlencode(merged)


def _params(request: HTMXRequest, names: Sequence[str]) -> dict[str, str]:
    """Only the parameters a page knows, each cut to a sane length."""
    return {
        n: str(request.query_params.get(n, "")).strip()[:40] for n in names if request.query_params.get(n)
    }


_MAPPINGS = (
    "params",
    "export_params",
    "categories",
    "dimensions",
    "filter_choices",
    "faq_links",
    "term_links",
    "month_params",
    "period_params",
)


class NationalSupervisionController(Controller):
    """执业监管平台: what national staff read about every province, from the national facts."""

    path = BASE
    include_in_schema = False
    guards = [require_staff()]  # noqa: RUF012 (Litestar reads it as a plain class attribute)

    def _context(self, national: StaffRequest, view: str, **extra: Any) -> dict[str, Any]:
        return {
            "realm": staff_realm(national.db),
            "staff": national.staff,
            "view": view,
            "views": VIEWS,
            "base": BASE,
            "provinces": [t for t in national.directory.provinces() if national.directory.get(t.slug)],
            # What each page shows, empty until computed (an error page shows only the form).
            **dict.fromkeys(("error", "report", "by_topic", "common", "month")),
            **{name: {} for name in _MAPPINGS},
            "reports": [],
            "crumbs": [],
            "listing": False,
            **extra,
        }

    def _page(
        self, request: HTMXRequest, national: StaffRequest, page: str, view: str, **extra: Any
    ) -> Template:
        return render(request, f"supervision/{page}.html", self._context(national, view, **extra))

    def _error(
        self,
        request: HTMXRequest,
        national: StaffRequest,
        page: str,
        view: str,
        error: ReportParameterError,
        **extra: Any,
    ) -> Template:
        context = self._context(national, view, error=str(error), **extra)
        return render(request, f"supervision/{page}.html", context, status_code=400)

    @get("/")
    async def index(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        return self._page(request, national, "index", "index")

    @get("/business")
    async def business(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        params = _params(request, ("start", "end", "province"))
        try:
            # Every month the two registration reports need, read in one pass.
            period = figures.parse_period(params)
            await figures.validity_counts(
                national.session, [figures.add_months(period.start, -1), *period.months]
            )
            cases = await figures.business_cases(national.session, NATIONAL, params)
            registrations = await figures.business_registrations(national.session, NATIONAL, params)
            trend = await figures.business_trend(national.session, NATIONAL, params)
        except ReportParameterError as exc:
            return self._error(request, national, "business", "business", exc, params=params)
        return self._page(
            request,
            national,
            "business",
            "business",
            params=params,
            reports=[
                ("national.business.registrations", shown(registrations)),
                ("national.business.cases", shown(cases)),
                ("national.business.trend", shown(trend)),
            ],
        )

    @get("/complaints")
    async def complaints(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        params = _params(request, ("start", "end", "province", "category", "by", "month", "list"))
        report_params = {k: v for k, v in params.items() if k != "list"}
        try:
            if params.get("list"):
                listing = await figures.complaint_list(national.session, NATIONAL, report_params)
                return self._page(
                    request,
                    national,
                    "complaints",
                    "complaints",
                    params=params,
                    reports=[("national.complaints.list", shown(listing, hidden=()))],
                    export_params=report_params,
                    listing=True,
                    categories=figures.COMPLAINT_CATEGORIES,
                )
            by_province = await figures.complaints(
                national.session, NATIONAL, {**report_params, "by": "province"}
            )
            by_category = await figures.complaints(
                national.session, NATIONAL, {**report_params, "by": "category"}
            )
            by_month = await figures.complaints(national.session, NATIONAL, {**report_params, "by": "month"})
        except ReportParameterError as exc:
            return self._error(
                request,
                national,
                "complaints",
                "complaints",
                exc,
                params=params,
                categories=figures.COMPLAINT_CATEGORIES,
            )
        drill = {k: v for k, v in report_params.items() if k in ("start", "end", "province", "category")}

        def links(report: ReportTable, name: str) -> dict[int, str]:
            key = report.column("key")
            return {
                n: BASE + "/complaints" + _query(drill, **{name: str(row[key])}, list="1")
                for n, row in enumerate(report.rows)
                if row[report.column("total")]
            }

        return self._page(
            request,
            national,
            "complaints",
            "complaints",
            params=params,
            categories=figures.COMPLAINT_CATEGORIES,
            reports=[
                (
                    "national.complaints",
                    shown(by_province, links=links(by_province, "province")),
                    {"by": "province"},
                ),
                (
                    "national.complaints",
                    shown(by_category, links=links(by_category, "category")),
                    {"by": "category"},
                ),
                ("national.complaints", shown(by_month, links=links(by_month, "month")), {"by": "month"}),
            ],
        )

    @get("/consultations")
    async def consultations(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        params = _params(request, ("start", "end", "month", "province"))
        try:
            by_topic = await figures.consultations(
                national.session, NATIONAL, {k: v for k, v in params.items() if k in ("start", "end")}
            )
            month_params = {k: v for k, v in params.items() if k in ("month", "province")}
            common = await figures.consultation_terms(national.session, NATIONAL, month_params)
        except ReportParameterError as exc:
            return self._error(request, national, "consultations", "consultations", exc, params=params)
        topics = {label: code for code, label in figures.CONSULTATION_TOPICS.items()}
        faq_links = {
            n: "/national/faq/"
            + _query({}, topic=topics.get(str(row[2]), "other"), question=str(row[0]).replace("·", " "))
            for n, row in enumerate(common.rows)
        }
        term_links = (
            {
                n: "/national/faq/" + _query({}, question=str(row[0]))
                for n, row in enumerate(common.parts[0].rows)
            }
            if common.parts
            else {}
        )
        return self._page(
            request,
            national,
            "consultations",
            "consultations",
            params=params,
            by_topic=shown(by_topic),
            common=shown(common),
            faq_links=faq_links,
            term_links=term_links,
            month_params=month_params,
            period_params={k: v for k, v in params.items() if k in ("start", "end")},
        )

    @get("/data")
    async def data(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        divisions: NamedDependency[DivisionIndex],
    ) -> Template:
        params = _params(request, ("month", "dimension", "province", "city", "a", "b", *figures.FILTERS))
        extra = {
            "dimensions": figures.DIMENSIONS,
            "filter_choices": {
                "sex": figures.SEX_LABELS,
                "education": figures.EDUCATION_LABELS,
                "category": figures.CATEGORY_LABELS,
                "scope": figures.SCOPE_LABELS,
                "field": figures.FIELD_LABELS,
                "unit_type": {t.value: t.label for t in UnitType},
            },
        }
        try:
            report = await figures.data_report(national.session, NATIONAL, params, divisions)
        except ReportParameterError as exc:
            return self._error(request, national, "data", "data", exc, params=params, **extra)
        links: dict[int, str] = {}
        crumbs = [("全国", BASE + "/data" + _query(params, province=None, city=None))]
        if params.get("dimension", "region") == "region" and not params.get("a"):
            key = report.column("key")
            by_code = {t.division_code: t.slug for t in national.directory.provinces()}
            for n, row in enumerate(report.rows):
                code = str(row[key])
                if not params.get("province") and code in by_code:
                    links[n] = BASE + "/data" + _query(params, province=by_code[code], city=None)
                elif params.get("province") and not params.get("city"):
                    links[n] = BASE + "/data" + _query(params, city=code)
        if params.get("province"):
            tenant = national.directory.get(params["province"])
            crumbs.append(
                (tenant.name if tenant else params["province"], BASE + "/data" + _query(params, city=None))
            )
        if params.get("city"):
            city = divisions.get(params["city"])
            crumbs.append((city.name if city else params["city"], ""))
        return self._page(
            request,
            national,
            "data",
            "data",
            params=params,
            report=shown(report, links=links),
            crumbs=crumbs,
            **extra,
        )

    @get("/bulletin")
    async def bulletin(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        params = _params(request, ("month",))
        try:
            report = await figures.bulletin(national.session, NATIONAL, params)
        except ReportParameterError as exc:
            return self._error(request, national, "bulletin", "bulletin", exc, params=params)
        return self._page(
            request,
            national,
            "bulletin",
            "bulletin",
            params=params,
            report=shown(report),
            month=params.get("month") or f"{china_today():%Y-%m}",
        )


NATIONAL_SUPERVISION_ROUTES = (NationalSupervisionController,)
