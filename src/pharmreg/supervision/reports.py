"""日报 / 月报 / 年报 of a province (or a city or county bureau's territory): registrations and
business figures of a day, month or year, against the period before, from the national facts."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Numeric, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.report_tables import Cell, Chart, Column, ReportTable
from pharmreg.supervision import figures
from pharmreg.supervision.catalog import ReportKind, ReportParameterError, ReportScope
from pharmreg.supervision.figures import Labels
from pharmreg.supervision.models import FactCase, FactRegistration
from pharmreg.supervision.population import per_10k, residents

PeriodKind = Literal["day", "month", "year"]
PERIOD_NAMES: dict[PeriodKind, str] = {"day": "日报", "month": "月报", "year": "年报"}
PREVIOUS_NAMES: dict[PeriodKind, str] = {"day": "前一日", "month": "上月", "year": "上年"}


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.start:%Y年%m月%d日}"
        if self.kind == "month":
            return f"{self.start:%Y年%m月}"
        return f"{self.start:%Y年}"

    @property
    def param(self) -> str:
        """The period as its page's parameter: 2026-11-30, 2026-11 or 2026."""
        return {"day": f"{self.start:%Y-%m-%d}", "month": f"{self.start:%Y-%m}", "year": f"{self.start:%Y}"}[
            self.kind
        ]

    def previous(self) -> Period:
        if self.kind == "day":
            day = self.start - timedelta(days=1)
            return Period("day", day, day)
        if self.kind == "month":
            return month_period(self.start - timedelta(days=1))
        return Period("year", date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31))


def month_period(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def parse_period(kind: PeriodKind, value: str) -> Period:
    """The period a page or an export names; a clear Chinese error for anything else."""
    value = (value or "").strip()
    try:
        if kind == "day":
            day = date.fromisoformat(value)
            period = Period("day", day, day)
        elif kind == "month":
            year, month = value.split("-")
            if len(year) != 4 or len(month) != 2:
                raise ValueError(value)
            period = month_period(date(int(year), int(month), 1))
        else:
            if len(value) != 4 or not value.isdigit():
                raise ValueError(value)
            period = Period("year", date(int(value), 1, 1), date(int(value), 12, 31))
    except ValueError:
        example = {"day": "2026-11-30", "month": "2026-11", "year": "2026"}[kind]
        raise ReportParameterError(f"请选择要统计的{_UNIT[kind]}（格式如 {example}）") from None
    figures.check_past(period.start)
    return period


_UNIT: dict[PeriodKind, str] = {"day": "日期", "month": "月份", "year": "年份"}


def default_period(kind: PeriodKind, today: date) -> Period:
    """What a page shows when no period is chosen: yesterday, last month, last year."""
    if kind == "day":
        day = today - timedelta(days=1)
        return Period("day", day, day)
    if kind == "month":
        return month_period(today.replace(day=1) - timedelta(days=1))
    return Period("year", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


# --- registrations ---------------------------------------------------------------------------------

# The registration events a report counts, as (key, column label, kinds).
EVENT_MEASURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("first", "首次注册", ("registered",)),
    ("changes", "变更注册", ("changed",)),
    ("renewals", "延续注册", ("renewed",)),
    ("cancellations", "注销注册", ("cancelled", "expired")),
    ("transfers_in", "跨省转入", ("transferred_in",)),
    ("transfers_out", "跨省转出", ("transferred_out",)),
)

R = FactRegistration
C = FactCase

# Breakdowns of the registration figures: key -> (title, column label, fact column, label function).
_REGISTRATION_BY: dict[str, tuple[str, str, Any, Callable[[Labels, Any], str]]] = {
    "city": ("按地市", "地市", R.city_code, lambda labels, code: labels.division(code)),
    "category": ("按执业类别", "执业类别", R.categories, lambda _labels, code: figures.category_label(code)),
    "field": ("按执业领域", "执业领域", R.field, lambda _labels, code: figures.field_label(code)),
}


async def registration_events(
    session: AsyncSession, scope: ReportScope, period: Period, by: Any
) -> dict[Any, dict[str, int]]:
    """Registration events in the period, per value of `by` (a fact column)."""
    measures = [func.count().filter(R.kind.in_(kinds)).label(key) for key, _label, kinds in EVENT_MEASURES]
    statement = (
        select(by.label("dim"), *measures)
        .where(figures.registration_scope(scope), R.effective_on.between(period.start, period.end))
        .group_by(by)
    )
    return {
        row.dim: {key: getattr(row, key) for key, _l, _k in EVENT_MEASURES}
        for row in await figures.run(session, statement)
    }


def registration_states(scope: ReportScope, on: date) -> Any:
    """Each registration's latest event up to `on` (its terms then), with whether it was then in
    validity: a window over the province's events, the scope's territory applied afterwards so a
    registration that moved out of it is not counted at its old place."""
    latest = (
        func.row_number()
        .over(partition_by=(R.tenant, R.registration_id), order_by=(R.effective_on.desc(), R.event_id.desc()))
        .label("latest")
    )
    province = figures.registration_scope(ReportScope(scope.tenant))
    return select(R, latest).where(province, R.effective_on <= on).subquery("states")


def in_validity(states: Any, on: date, prefix: str | None) -> ColumnElement[bool]:
    conditions = [
        states.c.latest == 1,
        states.c.kind.not_in(figures.CLOSING_KINDS),
        states.c.valid_until.is_not(None),
        states.c.valid_until >= on,
    ]
    if prefix:
        conditions.append(states.c.county_code.startswith(prefix, autoescape=True))
    return and_(*conditions)


async def registrations_in_validity(
    session: AsyncSession, scope: ReportScope, on: date, by: str
) -> dict[Any, int]:
    """Registrations in validity at the end of `on`, per value of the fact column named `by`."""
    states = registration_states(scope, on)
    dim = states.c[by]
    statement = (
        select(dim.label("dim"), func.count().label("n"))
        .where(in_validity(states, on, scope.division_prefix))
        .group_by(dim)
    )
    return {row.dim: row.n for row in await figures.run(session, statement)}


def scope_residents(scope: ReportScope, labels: Labels) -> int | None:
    """The 2020 residents of the scope's territory (a province or a city), if known."""
    if scope.tenant is None:
        return None
    if scope.division_prefix:
        return residents(scope.division_prefix.ljust(6, "0")) if len(scope.division_prefix) <= 4 else None
    tenant = labels.directory.get(scope.tenant)
    return residents(tenant.division_code) if tenant else None


_REGISTRATION_COLUMNS = (
    *(Column(key, label, "int") for key, label, _kinds in EVENT_MEASURES),
    Column("in_validity", "期末有效注册", "int"),
    Column("in_validity_change", "较上期增减", "int"),
)


async def registration_breakdown(
    session: AsyncSession, scope: ReportScope, period: Period, labels: Labels, by: str
) -> ReportTable:
    title, dim_label, column, label_of = _REGISTRATION_BY[by]
    events = await registration_events(session, scope, period, column)
    now = await registrations_in_validity(session, scope, period.end, column.key)
    before = await registrations_in_validity(session, scope, period.previous().end, column.key)
    keys = sorted(set(events) | set(now) | set(before), key=lambda k: (k is None, str(k)))
    with_population = by == "city"
    rows: list[tuple[Cell, ...]] = []
    for key in keys:
        counts = events.get(key, {})
        row: list[Cell] = [
            label_of(labels, key),
            *(counts.get(k, 0) for k, _l, _kinds in EVENT_MEASURES),
            now.get(key, 0),
            now.get(key, 0) - before.get(key, 0),
        ]
        if with_population:
            row.append(per_10k(now.get(key, 0), residents(key) if key else None))
        rows.append(tuple(row))
    columns = (Column("dim", dim_label), *_REGISTRATION_COLUMNS)
    totals: list[Cell] = ["合计", *(figures.total(r[i] for r in rows) for i in range(1, len(columns)))]
    if with_population:
        columns = (*columns, Column("per_10k", "每万人口执业药师", "decimal"))
        totals.append(per_10k(sum(now.values()), scope_residents(scope, labels)))
    return ReportTable(
        title=f"注册情况（{title}）",
        columns=columns,
        rows=tuple(rows),
        totals=tuple(totals),
        chart=Chart("bar", "dim", ("in_validity",)) if rows else None,
    )


# --- business figures ------------------------------------------------------------------------------

_CASE_COLUMNS = (
    Column("received", "收件", "int"),
    Column("accepted", "受理", "int"),
    Column("decided", "办结", "int"),
    Column("approved", "准予注册", "int"),
    Column("refused", "不予注册", "int"),
    Column("median_days", "办理用时中位数（工作日）", "decimal"),
    Column("p90_days", "办理用时90分位（工作日）", "decimal"),
    Column("overdue_decided", "逾期办结", "int"),
    Column("overdue_open", "期末超期未办结", "int"),
)


def _case_measures(period: Period) -> list[Any]:
    within = C.decided_on.between(period.start, period.end)
    decided = and_(within, C.outcome.is_not(None))
    days = case((decided, C.working_days))

    def median(fraction: float) -> Any:
        return func.round(cast(func.percentile_cont(fraction).within_group(days.asc()), Numeric), 1)

    return [
        func.count().filter(C.received_on.between(period.start, period.end)).label("received"),
        func.count().filter(C.accepted_on.between(period.start, period.end)).label("accepted"),
        func.count().filter(decided).label("decided"),
        func.count().filter(within, C.outcome == "approved").label("approved"),
        func.count().filter(within, C.outcome == "refused").label("refused"),
        median(0.5).label("median_days"),
        median(0.9).label("p90_days"),
        func.count().filter(decided, C.due_on.is_not(None), C.decided_on > C.due_on).label("overdue_decided"),
        func.count().filter(figures.open_overdue(figures.as_of(period.end))).label("overdue_open"),
    ]


async def case_figures(
    session: AsyncSession, scope: ReportScope, period: Period, by: Sequence[Any] = ()
) -> list[Any]:
    """The business figures of the period, in one row, or one row per value of `by`."""
    statement = select(*by, *_case_measures(period)).where(figures.case_scope(scope))
    if by:
        statement = statement.group_by(*by)
    return await figures.run(session, statement)


def _case_cells(row: Any) -> list[Cell]:
    return [_number(getattr(row, c.key)) for c in _CASE_COLUMNS]


def _int(value: Cell) -> int:
    return value if isinstance(value, int) else 0


def _number(value: Any) -> Cell:
    if value is None or isinstance(value, int):
        return value
    return float(value)


async def case_breakdown_by_unit(session: AsyncSession, scope: ReportScope, period: Period) -> ReportTable:
    rows = await case_figures(
        session, scope, period, (C.handling_unit.label("unit"), C.delegated.label("delegated"))
    )
    shown = [
        (row.unit or figures.UNKNOWN, "是" if row.delegated else "否", *_case_cells(row))
        for row in sorted(rows, key=lambda r: (r.unit or "", r.delegated))
        if any(getattr(row, c.key) for c in _CASE_COLUMNS)
    ]
    return ReportTable(
        title="业务办理（按办理单位）",
        columns=(Column("unit", "办理单位"), Column("delegated", "受委托办理"), *_CASE_COLUMNS),
        rows=tuple(shown),
        notes=("受委托办理：办理单位依省局下放（委托）的审批权限办理。",),
    )


async def case_breakdown_by_matter(session: AsyncSession, scope: ReportScope, period: Period) -> ReportTable:
    rows = await case_figures(session, scope, period, (C.matter.label("matter"),))
    shown = [
        (figures.matter_label(row.matter), *_case_cells(row))
        for row in sorted(rows, key=lambda r: r.matter or "")
        if any(getattr(row, c.key) for c in _CASE_COLUMNS)
    ]
    return ReportTable(
        title="业务办理（按事项）",
        columns=(Column("matter", "事项"), *_CASE_COLUMNS),
        rows=tuple(shown),
        chart=Chart("bar", "matter", ("received", "decided")) if shown else None,
    )


# --- the report ------------------------------------------------------------------------------------


async def period_report(
    session: AsyncSession, scope: ReportScope, period: Period, labels: Labels | None = None
) -> ReportTable:
    """The 日报, 月报 or 年报 of a scope: a summary against the previous period, then breakdowns."""
    if scope.tenant is None:
        raise ReportParameterError("日报、月报、年报按省份统计，请在省级办公系统中查看")
    labels = labels or await Labels.load(session)
    previous = period.previous()
    by_city = await registration_breakdown(session, scope, period, labels, "city")
    by_category = await registration_breakdown(session, scope, period, labels, "category")
    by_field = await registration_breakdown(session, scope, period, labels, "field")
    before_events = await registration_events(session, scope, previous, R.tenant)
    now_cases = (await case_figures(session, scope, period))[0]
    before_cases = (await case_figures(session, scope, previous))[0]
    population = scope_residents(scope, labels)

    assert by_city.totals is not None
    totals = dict(zip((c.key for c in by_city.columns), by_city.totals, strict=True))
    previous_events = before_events.get(scope.tenant, {})
    in_validity_now = _int(totals["in_validity"])
    in_validity_before = in_validity_now - _int(totals["in_validity_change"])
    summary: list[tuple[str, Any, Any]] = [
        *((label, totals[key], previous_events.get(key, 0)) for key, label, _kinds in EVENT_MEASURES),
        ("期末有效注册", totals["in_validity"], in_validity_before),
        (
            "每万人口执业药师",
            per_10k(in_validity_now, population),
            per_10k(in_validity_before, population),
        ),
        *(
            (
                column.label,
                _number(getattr(now_cases, column.key)),
                _number(getattr(before_cases, column.key)),
            )
            for column in _CASE_COLUMNS
        ),
    ]
    rows = tuple((label, now, before, *figures.change(now, before)) for label, now, before in summary)
    notes = (
        *await figures.freshness_notes(session, labels, scope),
        "期末有效注册：统计期最后一日仍在有效期内的注册；每万人口按第七次全国人口普查（2020年）常住人口计算。",
        "办理用时按工作日计，自受理（未经受理的自收件）至办结；逾期办结：办结日晚于法定办结期限；"
        "期末超期未办结：统计期最后一日（不晚于今日）已过法定办结期限仍未办结的办件。",
    )
    return ReportTable(
        title=f"{labels.scope(scope)}执业药师注册{PERIOD_NAMES[period.kind]}（{period.label}）",
        subtitle=f"统计期 {period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}，"
        f"对比{PREVIOUS_NAMES[period.kind]}",
        columns=(
            Column("measure", "指标"),
            Column("current", "本期", "decimal"),
            Column("previous", PREVIOUS_NAMES[period.kind], "decimal"),
            Column("difference", "增减", "decimal"),
            Column("ratio", "增减率", "percent"),
        ),
        rows=rows,
        notes=notes,
        parts=(
            by_city,
            by_category,
            by_field,
            await case_breakdown_by_unit(session, scope, period),
            await case_breakdown_by_matter(session, scope, period),
        ),
    )


def _builder(kind: PeriodKind, param: str) -> Callable[[AsyncSession, ReportScope, Mapping[str, str]], Any]:
    async def build(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
        return await period_report(session, scope, parse_period(kind, params.get(param, "")))

    return build


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("province_daily", "统计日报", _builder("day", "day"), "province"),
    ReportKind("province_monthly", "统计月报", _builder("month", "month"), "province"),
    ReportKind("province_yearly", "统计年报", _builder("year", "year"), "province"),
)
