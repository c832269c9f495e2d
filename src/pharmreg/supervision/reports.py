"""日报 / 月报 / 年报 of a province (or a city or county bureau's territory): registrations and
business figures of a day, month or year, against the period before, from the national facts."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Numeric, and_, case, cast, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.report_tables import Cell, Chart, Column, ReportTable
from pharmreg.supervision import fact_scope
from pharmreg.supervision.catalog import ReportKind, ReportParameterError, ReportScope
from pharmreg.supervision.fact_scope import Labels
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
    fact_scope.check_past(period.start)
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
    "category": (
        "按执业类别",
        "执业类别",
        R.categories,
        lambda _labels, code: fact_scope.category_label(code),
    ),
    "field": ("按执业领域", "执业领域", R.field, lambda _labels, code: fact_scope.field_label(code)),
}


# The breakdowns of one statement, told apart by GROUPING(city, categories, field): the bit of a
# column is 0 where the row groups by it.
_SETS = {"city": 0b011, "category": 0b101, "field": 0b110, "total": 0b111}


@dataclass(frozen=True, slots=True)
class RegistrationFigures:
    """Per breakdown ("city", "category", "field", "total") and its value: the events of the period
    and of the one before, and the registrations in validity at the end of each."""

    events: dict[str, dict[Any, dict[str, int]]]
    previous_events: dict[str, dict[Any, dict[str, int]]]
    in_validity: dict[str, dict[Any, int]]
    previous_in_validity: dict[str, dict[Any, int]]


def _breakdown_of(grouping: int) -> str:
    return next(name for name, bits in _SETS.items() if bits == grouping)


def _grouped(columns: Sequence[Any]) -> Any:
    """GROUPING SETS ((city), (categories), (field), ()): every breakdown and the total at once."""
    return func.grouping_sets(*(tuple_(c) for c in columns), tuple_())


async def registration_figures(
    session: AsyncSession, scope: ReportScope, period: Period
) -> RegistrationFigures:
    previous = period.previous()
    dims = (R.city_code, R.categories, R.field)
    measures = []
    for key, _label, kinds in EVENT_MEASURES:
        measures.append(func.count().filter(R.effective_on >= period.start, R.kind.in_(kinds)).label(key))
        measures.append(
            func.count().filter(R.effective_on <= previous.end, R.kind.in_(kinds)).label(f"was_{key}")
        )
    events = (
        select(*dims, func.grouping(*dims).label("set"), *measures)
        .where(fact_scope.registration_scope(scope), R.effective_on.between(previous.start, period.end))
        .group_by(_grouped(dims))
    )
    now: dict[str, dict[Any, dict[str, int]]] = {name: {} for name in _SETS}
    before: dict[str, dict[Any, dict[str, int]]] = {name: {} for name in _SETS}
    for row in await fact_scope.run(session, events):
        name = _breakdown_of(row.set)
        key = _key_of(name, row.city_code, row.categories, row.field)
        now[name][key] = {k: getattr(row, k) for k, _l, _kinds in EVENT_MEASURES}
        before[name][key] = {k: getattr(row, f"was_{k}") for k, _l, _kinds in EVENT_MEASURES}

    # Each event's terms hold from its day until its `ends_on` (the registration's next event or the
    # day after its expiry, whichever is first; kept by the facts' writers), so a registration that
    # moved out of the territory is counted at its new place only.
    def valid_at(day: date) -> ColumnElement[bool]:
        return and_(R.effective_on <= day, R.ends_on > day, R.kind.not_in(fact_scope.CLOSING_KINDS))

    validity = (
        select(
            *dims,
            func.grouping(*dims).label("set"),
            func.count().filter(valid_at(period.end)).label("now"),
            func.count().filter(valid_at(previous.end)).label("before"),
        )
        .where(
            fact_scope.registration_scope(scope),
            R.valid_until.is_not(None),
            R.effective_on <= period.end,
            R.ends_on > previous.end,
        )
        .group_by(_grouped(dims))
    )
    valid_now: dict[str, dict[Any, int]] = {name: {} for name in _SETS}
    valid_before: dict[str, dict[Any, int]] = {name: {} for name in _SETS}
    for row in await fact_scope.run(session, validity):
        name = _breakdown_of(row.set)
        key = _key_of(name, row.city_code, row.categories, row.field)
        if row.now or row.before:
            valid_now[name][key], valid_before[name][key] = row.now, row.before
    return RegistrationFigures(now, before, valid_now, valid_before)


def _key_of(name: str, city: Any, categories: Any, practice_field: Any) -> Any:
    return {"city": city, "category": categories, "field": practice_field, "total": None}[name]


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


def registration_breakdown(
    figures_of: RegistrationFigures, scope: ReportScope, labels: Labels, by: str
) -> ReportTable:
    title, dim_label, _column, label_of = _REGISTRATION_BY[by]
    events, now, before = (
        figures_of.events[by],
        figures_of.in_validity[by],
        figures_of.previous_in_validity[by],
    )
    keys = sorted(
        {k for k in events if any(events[k].values())} | set(now) | set(before),
        key=lambda k: (k is None, str(k)),
    )
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
    totals: list[Cell] = ["合计", *(fact_scope.total(r[i] for r in rows) for i in range(1, len(columns)))]
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
        func.count().filter(fact_scope.open_overdue(fact_scope.as_of(period.end))).label("overdue_open"),
    ]


# GROUPING(handling_unit, delegated, matter) of each breakdown of the business figures.
_CASE_SETS = {"unit": 0b001, "matter": 0b110, "total": 0b111}


def _relevant(period: Period) -> ColumnElement[bool]:
    """The cases a period's figures can touch: received by its end and not decided before it."""
    return and_(C.received_on <= period.end, or_(C.decided_on.is_(None), C.decided_on >= period.start))


async def case_figures(session: AsyncSession, scope: ReportScope, period: Period) -> dict[str, list[Any]]:
    """The business figures of the period: in total, per handling unit (and whether it acted under
    delegation) and per matter, in one statement."""
    dims = (C.handling_unit, C.delegated, C.matter)
    statement = (
        select(*dims, func.grouping(*dims).label("set"), *_case_measures(period))
        .where(fact_scope.case_scope(scope), _relevant(period))
        .group_by(func.grouping_sets(tuple_(C.handling_unit, C.delegated), tuple_(C.matter), tuple_()))
    )
    shown: dict[str, list[Any]] = {name: [] for name in _CASE_SETS}
    for row in await fact_scope.run(session, statement):
        shown[next(name for name, bits in _CASE_SETS.items() if bits == row.set)].append(row)
    return shown


async def case_totals(session: AsyncSession, scope: ReportScope, period: Period) -> Any:
    statement = select(*_case_measures(period)).where(fact_scope.case_scope(scope), _relevant(period))
    return (await fact_scope.run(session, statement))[0]


def _case_cells(row: Any) -> list[Cell]:
    return [_number(getattr(row, c.key)) for c in _CASE_COLUMNS]


def _int(value: Cell) -> int:
    return value if isinstance(value, int) else 0


def _number(value: Any) -> Cell:
    if value is None or isinstance(value, int):
        return value
    return float(value)


def case_breakdown_by_unit(rows: Sequence[Any]) -> ReportTable:
    shown = [
        (row.handling_unit or fact_scope.UNKNOWN, "是" if row.delegated else "否", *_case_cells(row))
        for row in sorted(rows, key=lambda r: (r.handling_unit or "", bool(r.delegated)))
        if any(getattr(row, c.key) for c in _CASE_COLUMNS)
    ]
    return ReportTable(
        title="业务办理（按办理单位）",
        columns=(Column("unit", "办理单位"), Column("delegated", "受委托办理"), *_CASE_COLUMNS),
        rows=tuple(shown),
        notes=("受委托办理：办理单位依省局下放（委托）的审批权限办理。",),
    )


def case_breakdown_by_matter(rows: Sequence[Any]) -> ReportTable:
    shown = [
        (fact_scope.matter_label(row.matter), *_case_cells(row))
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
    registrations = await registration_figures(session, scope, period)
    cases = await case_figures(session, scope, period)
    now_cases = cases["total"][0]
    before_cases = await case_totals(session, scope, period.previous())
    population = scope_residents(scope, labels)

    events = registrations.events["total"].get(None, {})
    previous_events = registrations.previous_events["total"].get(None, {})
    in_validity_now = registrations.in_validity["total"].get(None, 0)
    in_validity_before = registrations.previous_in_validity["total"].get(None, 0)
    summary: list[tuple[str, Any, Any]] = [
        *((label, events.get(key, 0), previous_events.get(key, 0)) for key, label, _kinds in EVENT_MEASURES),
        ("期末有效注册", in_validity_now, in_validity_before),
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
    rows = tuple((label, now, before, *fact_scope.change(now, before)) for label, now, before in summary)
    notes = (
        *await fact_scope.freshness_notes(session, labels, scope),
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
            *(
                registration_breakdown(registrations, scope, labels, by)
                for by in ("city", "category", "field")
            ),
            case_breakdown_by_unit(cases["unit"]),
            case_breakdown_by_matter(cases["matter"]),
        ),
    )


def _builder(kind: PeriodKind, param: str) -> Callable[[AsyncSession, ReportScope, Mapping[str, str]], Any]:
    async def build(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
        return await period_report(session, scope, parse_period(kind, params.get(param, "")))

    return build


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("province_daily", "执业药师注册日报", _builder("day", "day"), "province"),
    ReportKind("province_monthly", "执业药师注册月报", _builder("month", "month"), "province"),
    ReportKind("province_yearly", "执业药师注册年报", _builder("year", "year"), "province"),
)
