"""自定义查询: measures by dimensions over a period, as a pivot table and a chart.

Only names listed here ever reach SQL: each measure and dimension is a SQLAlchemy expression
chosen by its name from a dict; filter values are bound parameters. Every statement runs under
the statistics time limit, returns at most `MAX_CELLS` groups, and a request that names anything
else, or asks for too much, gets a Chinese error (ReportParameterError), never a query.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import (
    Date,
    Numeric,
    String,
    and_,
    case,
    cast,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    true,
    values,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.forms import FormErrors
from pharmreg.kit.report_tables import Cell, Chart, Column, ReportTable
from pharmreg.supervision import fact_scope
from pharmreg.supervision.catalog import ReportKind, ReportParameterError, ReportScope
from pharmreg.supervision.fact_scope import Labels
from pharmreg.supervision.models import FactCase, FactEnquiry, FactRegistration, SavedQuery

Subject = Literal["registration", "case", "enquiry"]
Grain = Literal["day", "month", "year"]

MAX_MEASURES = 6
MAX_CELLS = 5000
MAX_FILTERS = 8
MAX_YEARS = 10
EARLIEST = date(2000, 1, 1)

_REG = FactRegistration.__table__.c
_CASE = FactCase.__table__.c
_ENQ = FactEnquiry.__table__.c


@dataclass(frozen=True, slots=True)
class Source:
    """What a measure's rows are read from: the fact's columns and the date that places a row in
    time (the period filter and the time dimension use it)."""

    columns: Any
    day: Any


@dataclass(frozen=True, slots=True)
class Measure:
    label: str
    subject: Subject
    kind: Literal["int", "decimal", "percent"]
    # The fact's date this measure is placed in time by.
    day: str
    # The aggregate over the measure's source.
    aggregate: Callable[[Source, date], Any]


@dataclass(frozen=True, slots=True)
class Dimension:
    label: str
    # Per subject: the grouping expression over a source.
    by: Mapping[Subject, Callable[[Source], Any]]
    # A raw value as a person reads it.
    label_of: Callable[[Labels, Any], str] = lambda _labels, value: (
        fact_scope.UNKNOWN if value is None else str(value)
    )
    grain: Grain | None = None
    national_only: bool = False


def _count(condition: Callable[[Source], Any] | None = None) -> Callable[[Source, date], Any]:
    def aggregate(source: Source, _on: date) -> Any:
        return func.count().filter(condition(source)) if condition else func.count()

    return aggregate


def _kinds(*kinds: str) -> Callable[[Source, date], Any]:
    return _count(lambda s: s.columns.kind.in_(kinds))


def _percentile(fraction: float) -> Callable[[Source, date], Any]:
    def aggregate(source: Source, _on: date) -> Any:
        decided = case((source.columns.outcome.is_not(None), source.columns.working_days))
        return func.round(cast(func.percentile_cont(fraction).within_group(decided.asc()), Numeric), 1)

    return aggregate


def _overdue(source: Source, on: date) -> Any:
    return func.count().filter(fact_scope.case_overdue(fact_scope.as_of(on)))


def _overdue_share(source: Source, on: date) -> Any:
    overdue = func.count().filter(fact_scope.case_overdue(fact_scope.as_of(on)))
    return func.round(cast(overdue, Numeric) / func.nullif(func.count(), 0), 4)


def _decided(outcome: str | None = None) -> Callable[[Source, date], Any]:
    if outcome is None:
        return _count(lambda s: s.columns.outcome.is_not(None))
    return _count(lambda s: s.columns.outcome == outcome)


MEASURES: dict[str, Measure] = {
    "in_validity": Measure("有效注册数（期末）", "registration", "int", "at", _count()),
    "events": Measure("注册事项数", "registration", "int", "effective_on", _count()),
    "first": Measure("首次注册", "registration", "int", "effective_on", _kinds("registered")),
    "changes": Measure("变更注册", "registration", "int", "effective_on", _kinds("changed")),
    "renewals": Measure("延续注册", "registration", "int", "effective_on", _kinds("renewed")),
    "cancellations": Measure(
        "注销注册", "registration", "int", "effective_on", _kinds("cancelled", "expired")
    ),
    "transfers_in": Measure("跨省转入", "registration", "int", "effective_on", _kinds("transferred_in")),
    "transfers_out": Measure("跨省转出", "registration", "int", "effective_on", _kinds("transferred_out")),
    "received": Measure("收件数", "case", "int", "received_on", _count()),
    "decided": Measure("办结数", "case", "int", "decided_on", _decided()),
    "approved": Measure("准予注册", "case", "int", "decided_on", _decided("approved")),
    "refused": Measure("不予注册", "case", "int", "decided_on", _decided("refused")),
    "median_days": Measure("办理用时中位数（工作日）", "case", "decimal", "decided_on", _percentile(0.5)),
    "p90_days": Measure("办理用时90分位（工作日）", "case", "decimal", "decided_on", _percentile(0.9)),
    "overdue": Measure("逾期办件数", "case", "int", "received_on", _overdue),
    "overdue_share": Measure("逾期率", "case", "percent", "received_on", _overdue_share),
    "complaints": Measure(
        "投诉数", "enquiry", "int", "received_on", _count(lambda s: s.columns.kind == "complaint")
    ),
    "consultations": Measure(
        "咨询数", "enquiry", "int", "received_on", _count(lambda s: s.columns.kind == "consultation")
    ),
}


def _time(grain: Grain) -> Callable[[Source], Any]:
    pattern = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}[grain]
    return lambda source: func.to_char(source.day, pattern)


def _all(expression: Callable[[Source], Any]) -> dict[Subject, Callable[[Source], Any]]:
    return {"registration": expression, "case": expression, "enquiry": expression}


def _city_of_division(source: Source) -> Any:
    return func.concat(func.substr(source.columns.division_code, 1, 4), "00")


def _age_band(source: Source) -> Any:
    age = func.extract("year", source.day) - source.columns.birth_year
    return case(
        (source.columns.birth_year.is_(None), None),
        (age < 30, "30岁以下"),
        (age < 40, "30–39岁"),
        (age < 50, "40–49岁"),
        (age < 60, "50–59岁"),
        (age < 70, "60–69岁"),
        else_="70岁及以上",
    )


def _registration(name: str) -> dict[Subject, Callable[[Source], Any]]:
    return {"registration": lambda source: source.columns[name]}


def _label(function: Callable[[Any], str]) -> Callable[[Labels, Any], str]:
    return lambda _labels, value: function(value)


DIMENSIONS: dict[str, Dimension] = {
    "day": Dimension("日", _all(_time("day")), grain="day"),
    "month": Dimension("月", _all(_time("month")), grain="month"),
    "year": Dimension("年", _all(_time("year")), grain="year"),
    "province": Dimension(
        "省份",
        _all(lambda source: source.columns.tenant),
        lambda labels, v: labels.province(v),
        national_only=True,
    ),
    "city": Dimension(
        "地市",
        {
            "registration": lambda source: source.columns.city_code,
            "case": _city_of_division,
            "enquiry": _city_of_division,
        },
        lambda labels, v: labels.division(v),
    ),
    "county": Dimension(
        "区县",
        {
            "registration": lambda source: source.columns.county_code,
            "case": lambda source: source.columns.division_code,
            "enquiry": lambda source: source.columns.division_code,
        },
        lambda labels, v: labels.division(v),
    ),
    "category": Dimension("执业类别", _registration("categories"), _label(fact_scope.category_label)),
    "field": Dimension("执业领域", _registration("field"), _label(fact_scope.field_label)),
    "unit_type": Dimension("单位类型", _registration("unit_type"), _label(fact_scope.unit_type_label)),
    "sex": Dimension("性别", _registration("sex"), _label(fact_scope.mapped(fact_scope.SEX_LABELS))),
    "age_band": Dimension("年龄段", {"registration": _age_band}),
    "education": Dimension(
        "学历", _registration("education"), _label(fact_scope.mapped(fact_scope.EDUCATION_LABELS))
    ),
    "matter": Dimension(
        "事项", {"case": lambda source: source.columns.matter}, _label(fact_scope.matter_label)
    ),
    "handling_unit": Dimension(
        "办理单位",
        {
            "case": lambda source: source.columns.handling_unit,
            "enquiry": lambda source: source.columns.handling_unit,
        },
    ),
    "outcome": Dimension(
        "办理结果",
        {"case": lambda source: func.coalesce(source.columns.outcome, "open")},
        _label(fact_scope.mapped({**fact_scope.OUTCOME_LABELS, "open": "办理中"})),
    ),
    "topic": Dimension(
        "咨询投诉类别",
        {"enquiry": lambda source: source.columns.category},
        lambda _labels, v: v or fact_scope.UNKNOWN,
    ),
}


@dataclass(frozen=True, slots=True)
class QueryDefinition:
    measures: tuple[str, ...]
    rows: str
    columns: str | None
    since: date
    until: date
    filters: tuple[tuple[str, str], ...] = field(default=())

    @property
    def grain(self) -> Grain | None:
        for name in (self.rows, self.columns):
            if name and DIMENSIONS[name].grain:
                return DIMENSIONS[name].grain
        return None

    def params(self) -> dict[str, str]:
        """The definition as the query page's parameters (and an export's, and a saved query's)."""
        shown = {
            "measures": ",".join(self.measures),
            "rows": self.rows,
            "cols": self.columns or "",
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
        }
        return shown | {f"f.{name}": value for name, value in self.filters}


def default_params(today: date) -> dict[str, str]:
    return {
        "measures": "in_validity",
        "rows": "city",
        "cols": "",
        "since": today.replace(month=1, day=1).isoformat(),
        "until": today.isoformat(),
    }


def _short(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 20 else value[:20] + "…"


def parse_definition(params: Mapping[str, str], scope: ReportScope) -> QueryDefinition:
    """The query a request asks for, checked against the whitelist; ReportParameterError otherwise."""
    names = [n.strip() for n in (params.get("measures") or "").split(",") if n.strip()]
    if not names:
        raise ReportParameterError("请至少选择一个指标")
    if len(names) > MAX_MEASURES:
        raise ReportParameterError(f"一次最多选择 {MAX_MEASURES} 个指标")
    for name in names:
        if name not in MEASURES:
            raise ReportParameterError(f"未知的指标：{_short(name)}")
    measures = tuple(dict.fromkeys(names))
    rows = (params.get("rows") or "").strip()
    columns = (params.get("cols") or "").strip() or None
    chosen: list[str | None] = [rows, columns]
    for picked in chosen:
        if picked is None:
            continue
        if picked not in DIMENSIONS:
            raise ReportParameterError(f"未知的维度：{_short(picked) or '（未选择）'}")
        if DIMENSIONS[picked].national_only and not scope.national:
            raise ReportParameterError(f"「{DIMENSIONS[picked].label}」维度仅在全国查询中可用")
    if columns == rows:
        raise ReportParameterError("行维度和列维度不能相同")
    if columns and DIMENSIONS[rows].grain and DIMENSIONS[columns].grain:
        raise ReportParameterError("时间维度（日、月、年）只能选一个")
    since = fact_scope.parse_day(params.get("since") or "", "开始日期")
    until = fact_scope.parse_day(params.get("until") or "", "结束日期")
    if since > until:
        raise ReportParameterError("开始日期不能晚于结束日期")
    fact_scope.check_past(until, EARLIEST)
    fact_scope.check_past(since, EARLIEST)
    if until - since > timedelta(days=366 * MAX_YEARS):
        raise ReportParameterError(f"查询时间跨度不能超过 {MAX_YEARS} 年")
    filters: list[tuple[str, str]] = []
    for key, value in params.items():
        if not key.startswith("f.") or not str(value).strip():
            continue
        name = key[2:]
        if name not in DIMENSIONS or DIMENSIONS[name].grain:
            raise ReportParameterError(f"不能按「{_short(name)}」筛选")
        if DIMENSIONS[name].national_only and not scope.national:
            raise ReportParameterError(f"「{DIMENSIONS[name].label}」筛选仅在全国查询中可用")
        if len(str(value)) > 60:
            raise ReportParameterError("筛选条件过长")
        filters.append((name, str(value).strip()))
    if len(filters) > MAX_FILTERS:
        raise ReportParameterError(f"筛选条件最多 {MAX_FILTERS} 个")
    for measure in measures:
        subject = MEASURES[measure].subject
        for dimension in (*chosen, *(n for n, _v in filters)):
            if dimension and subject not in DIMENSIONS[dimension].by:
                raise ReportParameterError(
                    f"「{DIMENSIONS[dimension].label}」不适用于指标「{MEASURES[measure].label}」，请分开查询"
                )
    definition = QueryDefinition(measures, rows, columns, since, until, tuple(sorted(filters)))
    buckets = len(time_buckets(definition)) if definition.grain else 1
    if buckets * len(measures) > MAX_CELLS:
        raise ReportParameterError(
            f"按{DIMENSIONS[rows if DIMENSIONS[rows].grain else columns or rows].label}统计的时间段过多"
            f"（{buckets} 个），请缩短时间范围或改用更粗的时间维度"
        )
    return definition


def time_buckets(definition: QueryDefinition) -> list[tuple[str, date]]:
    """(label, last day) of each day, month or year of the period, the last one cut at its end."""
    grain, since, until = definition.grain, definition.since, definition.until
    buckets: list[tuple[str, date]] = []
    if grain is None:
        return [("", until)]
    day = since
    while day <= until:
        if grain == "day":
            end, label = day, f"{day:%Y-%m-%d}"
        elif grain == "month":
            end, label = day.replace(day=calendar.monthrange(day.year, day.month)[1]), f"{day:%Y-%m}"
        else:
            end, label = date(day.year, 12, 31), f"{day:%Y}"
        buckets.append((label, min(end, until)))
        if len(buckets) > MAX_CELLS:
            break
        day = end + timedelta(days=1)
    return buckets


# --- running -------------------------------------------------------------------------------------

Key = tuple[Any, Any]


def _groups(definition: QueryDefinition, subject: Subject, source: Source) -> list[Any]:
    groups = [DIMENSIONS[definition.rows].by[subject](source).label("row_key")]
    if definition.columns:
        groups.append(DIMENSIONS[definition.columns].by[subject](source).label("col_key"))
    return groups


def _keys(groups: list[Any]) -> list[Any]:
    """The selected keys: without a column dimension every group has the empty column key."""
    return groups if len(groups) == 2 else [*groups, literal_column("''").label("col_key")]


def _filters(definition: QueryDefinition, subject: Subject, source: Source) -> Any:
    return and_(
        true(), *(DIMENSIONS[name].by[subject](source) == value for name, value in definition.filters)
    )


def _statement(definition: QueryDefinition, scope: ReportScope, names: list[str]) -> Any:
    """One aggregate for measures of one subject and date: groups of (row, column) keys."""
    first = MEASURES[names[0]]
    subject, day = first.subject, first.day
    if subject == "registration" and day == "at":
        return _validity_statement(definition, scope, names)
    if subject == "registration":
        source = Source(_REG, _REG.effective_on)
        where = fact_scope.registration_scope(scope)
    elif subject == "case":
        source = Source(_CASE, _CASE[day])
        where = fact_scope.case_scope(scope)
    else:
        source = Source(_ENQ, cast(func.timezone("Asia/Shanghai", _ENQ.received_at), Date))
        where = fact_scope.enquiry_scope(scope)
    groups = _groups(definition, subject, source)
    aggregates = [MEASURES[n].aggregate(source, definition.until).label(n) for n in names]
    return (
        select(*_keys(groups), *aggregates)
        .where(
            where,
            source.day.between(definition.since, definition.until),
            _filters(definition, subject, source),
        )
        .group_by(*(g.element for g in groups))
        .limit(MAX_CELLS + 1)
    )


def _validity_statement(definition: QueryDefinition, scope: ReportScope, names: list[str]) -> Any:
    """Registrations in validity at the end of each time bucket (or of the period): each event's
    terms hold from its day until the registration's next event."""
    buckets = (
        values(column("bucket", String), column("at", Date), name="buckets")
        .data(time_buckets(definition))
        .alias("buckets")
    )
    following = func.lead(_REG.effective_on).over(
        partition_by=(_REG.tenant, _REG.registration_id), order_by=(_REG.effective_on, _REG.event_id)
    )
    states = (
        select(*_REG, following.label("next_on"))
        .where(
            fact_scope.registration_scope(ReportScope(scope.tenant)), _REG.effective_on <= definition.until
        )
        .subquery("states")
    )
    source = Source(states.c, buckets.c.at)
    in_force = and_(
        states.c.effective_on <= buckets.c.at,
        or_(states.c.next_on.is_(None), states.c.next_on > buckets.c.at),
    )
    conditions = [
        states.c.kind.not_in(fact_scope.CLOSING_KINDS),
        states.c.valid_until.is_not(None),
        states.c.valid_until >= buckets.c.at,
        _filters(definition, "registration", source),
    ]
    if scope.division_prefix:
        conditions.append(states.c.county_code.startswith(scope.division_prefix, autoescape=True))
    groups = _groups(definition, "registration", source)
    aggregates = [MEASURES[n].aggregate(source, definition.until).label(n) for n in names]
    return (
        select(*_keys(groups), *aggregates)
        .select_from(states.join(buckets, in_force))
        .where(*conditions)
        .group_by(*(g.element for g in groups))
        .limit(MAX_CELLS + 1)
    )


@dataclass(frozen=True, slots=True)
class QueryResult:
    definition: QueryDefinition
    table: ReportTable


async def run_query(
    session: AsyncSession, scope: ReportScope, definition: QueryDefinition, labels: Labels
) -> QueryResult:
    # Measures read from the same fact and placed in time by the same date share one statement.
    batches: dict[tuple[Subject, str], list[str]] = {}
    for name in definition.measures:
        measure = MEASURES[name]
        batches.setdefault((measure.subject, measure.day), []).append(name)
    cells: dict[Key, dict[str, Any]] = {}
    for names in batches.values():
        rows = await fact_scope.run(session, _statement(definition, scope, names))
        if len(rows) > MAX_CELLS:
            raise _too_many()
        for row in rows:
            values_of = cells.setdefault((row.row_key, row.col_key), {})
            for name in names:
                values_of[name] = getattr(row, name)
    # A time dimension shows every day, month or year of the period, those without figures too.
    buckets = [label for label, _end in time_buckets(definition)] if definition.grain else []

    def keys(name: str, index: int) -> list[Any]:
        return buckets if DIMENSIONS[name].grain else sorted({k[index] for k in cells}, key=_order)

    row_keys = keys(definition.rows, 0)
    col_keys = keys(definition.columns, 1) if definition.columns else [""]
    if len(row_keys) * len(col_keys) * len(definition.measures) > MAX_CELLS:
        raise _too_many()
    return QueryResult(definition, _table(definition, scope, labels, cells, row_keys, col_keys))


def _too_many() -> ReportParameterError:
    return ReportParameterError(f"查询结果超过 {MAX_CELLS} 个单元格，请缩小时间范围、减少维度或增加筛选条件")


def _order(key: Any) -> tuple[bool, str]:
    return (key is None, str(key))


def _table(
    definition: QueryDefinition,
    scope: ReportScope,
    labels: Labels,
    cells: dict[Key, dict[str, Any]],
    row_keys: list[Any],
    col_keys: list[Any],
) -> ReportTable:
    rows_dim = DIMENSIONS[definition.rows]
    cols_dim = DIMENSIONS[definition.columns] if definition.columns else None
    columns: list[Column] = [Column("row", rows_dim.label)]
    for index, col_key in enumerate(col_keys):
        prefix = f"{cols_dim.label_of(labels, col_key)} · " if cols_dim else ""
        for name in definition.measures:
            measure = MEASURES[name]
            columns.append(Column(f"{name}_{index}", prefix + measure.label, measure.kind))
    rows: list[tuple[Cell, ...]] = []
    for row_key in row_keys:
        row: list[Cell] = [rows_dim.label_of(labels, row_key)]
        for col_key in col_keys:
            found = cells.get((row_key, col_key), {})
            for name in definition.measures:
                row.append(_cell(found.get(name), MEASURES[name].kind))
        rows.append(tuple(row))
    series = tuple(c.key for c in columns[1:7])
    chart = None
    if rows and series:
        chart = Chart("line" if rows_dim.grain else "bar", "row", series)
    filters = "；".join(
        f"{DIMENSIONS[name].label}={DIMENSIONS[name].label_of(labels, value)}"
        for name, value in definition.filters
    )
    return ReportTable(
        title=f"{labels.scope(scope)}自定义查询",
        subtitle=f"{definition.since:%Y-%m-%d} 至 {definition.until:%Y-%m-%d}"
        + (f"；筛选：{filters}" if filters else ""),
        columns=tuple(columns),
        rows=tuple(rows),
        chart=chart,
        notes=(
            "有效注册数（期末）：各时间段最后一日（不晚于查询结束日）仍在有效期内的注册。",
            "逾期办件数、逾期率：按收件日期统计，办结晚于法定期限或至今（查询结束日）超期未办结的办件。",
        ),
    )


def _cell(value: Any, kind: str) -> Cell:
    if value is None:
        return 0 if kind == "int" else None
    if kind == "int":
        return int(value)
    return float(value)


async def build_query(
    session: AsyncSession, scope: ReportScope, params: Mapping[str, str], labels: Labels | None = None
) -> ReportTable:
    """The query as a report, with the provinces' 数据截至 (for the page and the exports)."""
    definition = parse_definition(params, scope)
    labels = labels or await Labels.load(session)
    table = (await run_query(session, scope, definition, labels)).table
    notes = await fact_scope.freshness_notes(session, labels, scope)
    return ReportTable(
        title=table.title,
        subtitle=table.subtitle,
        columns=table.columns,
        rows=table.rows,
        chart=table.chart,
        notes=(*notes, *table.notes),
    )


# --- saved queries -------------------------------------------------------------------------------

MAX_SAVED = 50


@dataclass(frozen=True, slots=True)
class Owner:
    """Who keeps saved queries: an officer of a province, or national staff ("national")."""

    tenant: str
    account: uuid.UUID


def _owned(owner: Owner) -> Any:
    return and_(SavedQuery.owner_tenant == owner.tenant, SavedQuery.owner_account == owner.account)


async def saved_queries(session: AsyncSession, owner: Owner) -> list[SavedQuery]:
    statement = select(SavedQuery).where(_owned(owner)).order_by(SavedQuery.name)
    return list((await session.scalars(statement)).all())


async def saved_query(session: AsyncSession, owner: Owner, query_id: int) -> SavedQuery | None:
    """One of the owner's saved queries; another person's is as absent as a missing one."""
    return await session.scalar(select(SavedQuery).where(_owned(owner), SavedQuery.id == query_id))


async def save_query(
    session: AsyncSession, owner: Owner, scope: ReportScope, values: Mapping[str, str]
) -> int:
    """Keep the query by name (replacing the owner's query of that name); FormErrors otherwise."""
    name = (values.get("name") or "").strip()
    if not name:
        raise FormErrors({"name": "请填写查询名称"})
    if len(name) > 60:
        raise FormErrors({"name": "查询名称不能超过 60 个字"})
    params = {k[2:]: v for k, v in values.items() if k.startswith("p.")}
    try:
        definition = parse_definition(params, scope)
    except ReportParameterError as exc:
        raise FormErrors({"name": str(exc)}) from None
    count = await session.scalar(select(func.count()).select_from(SavedQuery).where(_owned(owner)))
    existing = await session.scalar(select(SavedQuery).where(_owned(owner), SavedQuery.name == name))
    if existing is None and (count or 0) >= MAX_SAVED:
        raise FormErrors({"name": f"最多保存 {MAX_SAVED} 个查询，请先删除不再使用的查询"})
    row = insert(SavedQuery).values(
        owner_tenant=owner.tenant, owner_account=owner.account, name=name, definition=definition.params()
    )
    upsert = row.on_conflict_do_update(
        index_elements=[SavedQuery.owner_tenant, SavedQuery.owner_account, SavedQuery.name],
        set_={"definition": row.excluded.definition},
    ).returning(SavedQuery.id)
    return int((await session.execute(upsert)).scalar_one())


async def delete_saved_query(session: AsyncSession, owner: Owner, query_id: int) -> bool:
    result = await session.execute(delete(SavedQuery).where(_owned(owner), SavedQuery.id == query_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("province_query", "自定义查询", build_query, "province"),
    ReportKind("national_query", "全国自定义查询", build_query, "national"),
)
