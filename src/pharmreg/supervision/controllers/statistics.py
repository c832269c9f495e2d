"""统计查询: a province's 日报 / 月报 / 年报 and custom queries in the back office (a city or county
bureau's officers see their territory), and the custom query of the national console."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import OfficerAccount, require_officer, require_staff
from pharmreg.kit.clock import china_today
from pharmreg.kit.form_posts import form_values, post_form
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest, StaffRequest
from pharmreg.supervision import query, reports
from pharmreg.supervision.catalog import ReportParameterError, ReportScope
from pharmreg.supervision.fact_scope import Labels
from pharmreg.supervision.presentation import cell_text, chart_json, form_choices
from pharmreg.supervision.reports import PeriodKind

# Who may open the statistics: the 统计 post, and administrators (their bureau's territory).
STATISTICS_PERMISSIONS = ("read_statistics", "manage_users")


def serves_exports(request: Request[Any, Any, Any], base: str) -> bool:
    """Whether the application takes export requests under `base` (the export form shows then)."""
    wanted = base.replace("{slug}", "") + "/exports"
    return any(re.sub(r"\{slug:str\}", "", route.path).rstrip("/") == wanted for route in request.app.routes)


def officer_scope(officer: OfficerAccount) -> ReportScope:
    """The figures an officer sees: the province, or their city's or county's territory."""
    if officer.unit_level <= 1:
        return ReportScope(officer.tenant)
    prefix = officer.unit_code[:4] if officer.unit_level == 2 else officer.unit_code
    return ReportScope(officer.tenant, prefix)


def query_params(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The custom query's parameters from the page's form (ticked measures) or a link (measures=a,b)."""
    given = request.query_params
    ticked = [str(v) for v in given.getall("measure", [])]
    params = {"measures": ",".join(ticked) if ticked else str(given.get("measures", ""))}
    for name in ("rows", "cols", "since", "until"):
        params[name] = str(given.get(name, ""))
    params |= {str(k): str(v) for k, v in given.items() if str(k).startswith("f.") and str(v).strip()}
    return params


_PERIOD_PAGES: dict[PeriodKind, tuple[str, str]] = {"day": ("daily", "day"), "month": ("monthly", "month"),
                                                    "year": ("yearly", "year")}  # fmt: skip
_REPORT_NAMES: dict[PeriodKind, str] = {
    "day": "province_daily",
    "month": "province_monthly",
    "year": "province_yearly",
}


class StatisticsController(Controller):
    path = "/p/{slug:str}/office/statistics"
    include_in_schema = False
    guards = [require_officer(*STATISTICS_PERMISSIONS)]

    @get("/")
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        today = china_today()
        scope = officer_scope(office.officer)
        labels = Labels(office.divisions, office.directory)
        async with office.db.national() as national:
            saved = await query.saved_queries(national, _owner(office))
        return render(
            request,
            "statistics/index.html",
            {
                **_office_context(office),
                "region": labels.scope(scope),
                "latest": {kind: reports.default_period(kind, today) for kind in ("day", "month", "year")},
                "saved": saved,
            },
        )

    @get("/daily")
    async def daily(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], day: FromQuery[str] = ""
    ) -> Template:
        return await self._period_page(request, office, "day", day)

    @get("/monthly")
    async def monthly(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], month: FromQuery[str] = ""
    ) -> Template:
        return await self._period_page(request, office, "month", month)

    @get("/yearly")
    async def yearly(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], year: FromQuery[str] = ""
    ) -> Template:
        return await self._period_page(request, office, "year", year)

    async def _period_page(
        self, request: HTMXRequest, office: OfficerRequest, kind: PeriodKind, value: str
    ) -> Template:
        scope = officer_scope(office.officer)
        today = china_today()
        table, error, period = None, "", reports.default_period(kind, today)
        try:
            if value:
                period = reports.parse_period(kind, value)
            async with office.db.national() as national:
                labels = Labels(office.divisions, office.directory)
                table = await reports.period_report(national, scope, period, labels)
        except ReportParameterError as exc:
            error = str(exc)
        page, param = _PERIOD_PAGES[kind]
        previous = period.previous()
        following = _following(kind, period, today)
        return render(
            request,
            "statistics/period.html",
            {
                **_office_context(office),
                "kind": kind,
                "name": reports.PERIOD_NAMES[kind],
                "page": page,
                "param": param,
                "value": value or period.param,
                "period": period,
                "previous": previous,
                "following": following,
                "table": table,
                "error": error,
                "export": {"report": _REPORT_NAMES[kind], "params": {param: period.param}},
                "exports": serves_exports(request, "/p/{slug}/office/statistics"),
            },
            status_code=400 if error else 200,
        )

    @get("/query")
    async def custom_query(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        return await _query_page(request, _OfficeDesk(office), query_params(request))

    @post("/saved")
    async def save(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        return await _save(request, _OfficeDesk(office))

    @get("/saved/{query_id:int}")
    async def run_saved(self, office: NamedDependency[OfficerRequest], query_id: FromPath[int]) -> Redirect:
        return await _run_saved(_OfficeDesk(office), query_id)

    @post("/saved/{query_id:int}/delete")
    async def delete_saved(
        self, office: NamedDependency[OfficerRequest], query_id: FromPath[int]
    ) -> Redirect:
        return await _delete_saved(_OfficeDesk(office), query_id)


class NationalQueryController(Controller):
    """The custom query over every province, for national staff (read-only figures)."""

    path = "/national/supervision/query"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def custom_query(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        divisions: NamedDependency[DivisionIndex],
    ) -> Template:
        return await _query_page(request, _NationalDesk(national, divisions), query_params(request))

    @post("/saved")
    async def save(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        divisions: NamedDependency[DivisionIndex],
    ) -> Response[Any]:
        return await _save(request, _NationalDesk(national, divisions))

    @get("/saved/{query_id:int}")
    async def run_saved(self, national: NamedDependency[StaffRequest], query_id: FromPath[int]) -> Redirect:
        return await _run_saved(_NationalDesk(national), query_id)

    @post("/saved/{query_id:int}/delete")
    async def delete_saved(
        self, national: NamedDependency[StaffRequest], query_id: FromPath[int]
    ) -> Redirect:
        return await _delete_saved(_NationalDesk(national), query_id)


# --- what the two desks share ------------------------------------------------------------------------


class _OfficeDesk:
    """A province officer's custom query: their territory, their saved queries, the office chrome."""

    def __init__(self, office: OfficerRequest) -> None:
        self.db = office.db
        self.scope = officer_scope(office.officer)
        self.owner = _owner(office)
        self.base = f"/p/{office.tenant.slug}/office/statistics"
        self.query_url = f"{self.base}/query"
        self.saved_url = f"{self.base}/saved"
        self.layout = "office/layout.html"
        self.context = _office_context(office)
        self.report = "province_query"
        self.export_routes = "/p/{slug}/office/statistics"
        self.labels = Labels(office.divisions, office.directory)


class _NationalDesk:
    def __init__(self, national: StaffRequest, divisions: DivisionIndex | None = None) -> None:
        self.db = national.db
        self.scope = ReportScope(None)
        self.owner = query.Owner("national", national.staff.id)
        self.base = "/national/supervision"
        self.query_url = f"{self.base}/query/"
        self.saved_url = f"{self.base}/query/saved"
        self.layout = "national/layout.html"
        self.context = {"realm": staff_realm(national.db), "staff": national.staff}
        self.report = "national_query"
        self.export_routes = "/national/supervision"
        # Only the query page names places; running or deleting a saved query does not.
        self.labels = Labels(divisions, national.directory) if divisions is not None else None


Desk = _OfficeDesk | _NationalDesk


def _owner(office: OfficerRequest) -> query.Owner:
    return query.Owner(office.tenant.slug, office.officer.id)


def _office_context(office: OfficerRequest) -> dict[str, Any]:
    return {
        "realm": officer_realm(office.tenant, office.db),
        "tenant": office.tenant,
        "officer": office.officer,
        "base": f"/p/{office.tenant.slug}/office/statistics",
        "cell": cell_text,
        "chart_json": chart_json,
    }


def _following(kind: PeriodKind, period: reports.Period, today: date) -> reports.Period | None:
    """The next period, if it has begun."""
    nxt = date.fromordinal(period.end.toordinal() + 1)
    if nxt > today:
        return None
    if kind == "day":
        return reports.Period("day", nxt, nxt)
    if kind == "month":
        return reports.month_period(nxt)
    return reports.Period("year", date(nxt.year, 1, 1), date(nxt.year, 12, 31))


async def _query_page(
    request: HTMXRequest,
    desk: Desk,
    params: Mapping[str, str],
    *,
    save_errors: dict[str, str] | None = None,
    save_name: str = "",
) -> Template:
    today = china_today()
    asked = any(params.get(k) for k in ("measures", "rows"))
    shown = dict(params) if asked else query.default_params(today)
    table, error = None, ""
    async with desk.db.national() as national:
        labels = desk.labels or await Labels.load(national)
        if asked:
            try:
                table = await query.build_query(national, desk.scope, shown, labels)
            except ReportParameterError as exc:
                error = str(exc)
        saved = await query.saved_queries(national, desk.owner)
    return render(
        request,
        "statistics/query.html",
        {
            **desk.context,
            "cell": cell_text,
            "chart_json": chart_json,
            "layout": desk.layout,
            "base": desk.base,
            "query_url": desk.query_url,
            "saved_url": desk.saved_url,
            "region": labels.scope(desk.scope),
            "params": shown,
            "chosen": set(shown.get("measures", "").split(",")),
            "choices": form_choices(labels, desk.scope),
            "table": table,
            "error": error,
            "saved": saved,
            "save_errors": save_errors or {},
            "save_name": save_name,
            "just_saved": request.query_params.get("saved") == "1",
            "export": {"report": desk.report, "params": shown},
            "exports": serves_exports(request, desk.export_routes),
            "run_link": f"{desk.query_url}?{urlencode(shown)}",
        },
        status_code=400 if error or save_errors else 200,
    )


async def _save(request: HTMXRequest, desk: Desk) -> Response[Any]:
    submitted = await form_values(request)
    params = {k[2:]: v for k, v in submitted.items() if k.startswith("p.")}
    done = f"{desk.query_url}?{urlencode(params | {'saved': '1'})}"
    async with desk.db.national() as national:

        async def write(values: dict[str, str]) -> None:
            await query.save_query(national, desk.owner, desk.scope, values)

        async def again(values: dict[str, str], errors: dict[str, str]) -> Response[Any]:
            params = {k[2:]: v for k, v in values.items() if k.startswith("p.")}
            return await _query_page(
                request, desk, params, save_errors=errors, save_name=values.get("name", "")
            )

        return await post_form(request, national, write=write, again=again, done=done)


async def _run_saved(desk: Desk, query_id: int) -> Redirect:
    async with desk.db.national() as national:
        found = await query.saved_query(national, desk.owner, query_id)
    if found is None:
        raise NotFoundException(detail="没有找到该查询")
    return Redirect(path=f"{desk.query_url}?{urlencode(found.definition)}", status_code=303)


async def _delete_saved(desk: Desk, query_id: int) -> Redirect:
    async with desk.db.national() as national, national.begin():
        deleted = await query.delete_saved_query(national, desk.owner, query_id)
    if not deleted:
        raise NotFoundException(detail="没有找到该查询")
    return Redirect(path=desk.query_url, status_code=303)
