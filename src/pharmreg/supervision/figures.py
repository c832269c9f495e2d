"""The national bureau's supervision figures (执业监管平台), read from the national facts only.

Every figure is an SQL aggregate over `fact_registration`, `fact_case` and `fact_enquiry`; each
report names how current each province's part is (数据截至). The reports are plain data
(`ReportTable`), shown by the supervision pages and exported from `REPORT_KINDS`.

Registrations in validity at a date: each event holds its registration's terms from its date
until `ends_on` (the next event of the same registration or the day after its `valid_until`,
whichever comes first; a closing event such as a cancellation, expiry or transfer out holds
nothing), which the facts' writers keep. The events that start and stop holding in each month are
counted in `fact_validity_month` as the facts are written; the running sum over the months gives
the count at every month's end of a period at once; the count on one day (数据监管) is a range
test on the facts (`ix_fact_registration_holding`).

Complaints transferred from one province to another exist twice in the facts (the origin's row,
"transferred", and the receiving province's copy, `transferred_in`): counts take each complaint
once, by its origin; handling times and the 15-working-day limit take the row of the province
that handled it (every row except the origin's "transferred" one).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from pharmreg.divisions import DivisionIndex
from pharmreg.kit.clock import CHINA_TIME, china_time, china_today
from pharmreg.kit.report_tables import Cell, Chart, Column, ReportTable
from pharmreg.practice import UnitType
from pharmreg.supervision.catalog import ReportKind, ReportParameterError, ReportScope
from pharmreg.supervision.models import FactCase, FactEnquiry, FactRegistration
from pharmreg.supervision.population import (
    CENSUS_2020_SOURCE,
    NATIONAL_POPULATION_2020,
    POPULATION_2020,
    per_10k,
)
from pharmreg.supervision.repository import case_months, validity_months
from pharmreg.supervision.service import FIELD_LABELS, fact_freshness

__all__ = ["FIELD_LABELS", "REPORT_KINDS"]
from pharmreg.tenancy import TenantDirectory, TenantInfo, load_directory

FR, FC, FE = FactRegistration, FactCase, FactEnquiry
CLOSING_KINDS = ("cancelled", "expired", "transferred_out")
MAX_MONTHS = 60
COMPLAINT_LIMIT_DAYS = 15
# A term or group of questions is shown only when this many items share it: a rare word of one
# question (a name, a place) never reaches the national page.
MIN_SHARED = 3

EDUCATION_LABELS = {
    "secondary": "中专",
    "college": "大专",
    "bachelor": "本科",
    "second_bachelor": "第二学士/研究生班",
    "master": "硕士研究生",
    "doctor": "博士研究生",
}
CATEGORY_LABELS = {"pharmacy": "药学", "tcm": "中药学"}
SCOPE_LABELS = {"production": "药品生产", "distribution": "药品经营", "use": "药品使用"}
SEX_LABELS = {"M": "男", "F": "女"}
COMPLAINT_CATEGORIES = {
    "conduct": "工作作风",
    "efficiency": "办事效率",
    "system": "系统问题",
    "suggestion": "意见建议",
    "other": "其他",
}
CONSULTATION_TOPICS = {
    "exam": "考试",
    "registration": "注册",
    "continuing_education": "继续教育",
    "system": "系统使用",
    "other": "其他",
}
ENQUIRY_STATUSES = {"received": "办理中", "replied": "已答复", "transferred": "已转出"}
AGE_BANDS = (
    ("<30", 0, 29),
    ("30–39", 30, 39),
    ("40–49", 40, 49),
    ("50–59", 50, 59),
    ("60–69", 60, 69),
    ("≥70", 70, 200),
)
# 数据监管: what the distribution can be shown by.
DIMENSIONS = {
    "region": "地区",
    "age": "年龄段",
    "sex": "性别",
    "education": "学历",
    "category": "执业类别",
    "scope": "执业范围",
    "field": "执业领域",
    "unit_type": "单位类型",
}
# 数据监管: what it can be filtered by (the same columns, exact values).
FILTERS = ("sex", "education", "category", "scope", "field", "unit_type")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- parameters ---------------------------------------------------------------------------------


def parse_month(value: str | None, default: date) -> date:
    """The first day of a month given as YYYY-MM; `default` when empty."""
    if not value:
        return default.replace(day=1)
    match = _MONTH.match(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ReportParameterError(f"月份“{value[:20]}”不正确，请按 YYYY-MM 填写，例如 2026-03")
    return date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """Whole months from `start` to `end` (first days)."""

    start: date
    end: date

    @property
    def months(self) -> list[date]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        return [add_months(self.start, i) for i in range(count + 1)]

    @property
    def first_day(self) -> date:
        return self.start

    @property
    def last_day(self) -> date:
        return month_end(self.end)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m} 至 {self.end:%Y-%m}"


def parse_period(params: Mapping[str, str], today: date | None = None) -> Period:
    """`start` and `end` months (YYYY-MM); by default the twelve months up to this one."""
    this_month = (today or china_today()).replace(day=1)
    end = parse_month(params.get("end"), this_month)
    start = parse_month(params.get("start"), add_months(end, -11))
    if start > end:
        raise ReportParameterError("起始月份不能晚于结束月份")
    if len(Period(start, end).months) > MAX_MONTHS:
        raise ReportParameterError(f"时间范围最长 {MAX_MONTHS} 个月，请缩短后再查")
    return Period(start, end)


def _choice(params: Mapping[str, str], name: str, allowed: Mapping[str, str], label: str) -> str | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise ReportParameterError(f"{label}“{value[:20]}”不在可选范围内")
    return value


def _province(
    params: Mapping[str, str], directory: TenantDirectory, name: str = "province"
) -> TenantInfo | None:
    slug = (params.get(name) or "").strip()
    if not slug:
        return None
    tenant = directory.get(slug)
    if tenant is None or tenant.is_national:
        raise ReportParameterError(f"没有代码为“{slug[:20]}”的省份")
    return tenant


def _national_only(scope: ReportScope) -> None:
    if not scope.national:
        raise ReportParameterError("这是国家局的监管报表，省级账号不能查看")


# --- shared pieces ------------------------------------------------------------------------------


def _provinces(directory: TenantDirectory) -> list[TenantInfo]:
    return [t for t in directory.provinces() if directory.get(t.slug) is not None]


async def freshness_notes(session: AsyncSession, provinces: Sequence[TenantInfo]) -> tuple[str, ...]:
    """数据截至 per province, grouped by time so that 33 provinces make a short note."""
    shown = await fact_freshness(session, [t.source for t in provinces])
    by_time: dict[str, list[str]] = defaultdict(list)
    for tenant in provinces:
        kept = shown.get(tenant.slug)
        when = china_time(kept.as_of) if kept and kept.as_of else "尚无数据"
        by_time[when].append(tenant.name)
    return tuple(f"数据截至 {when}：{'、'.join(names)}" for when, names in sorted(by_time.items()))


def _ratio(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if part is not None and whole else None


def _label(labels: Mapping[str, str], code: str | None) -> str:
    if not code:
        return "未填写"
    return "、".join(labels.get(p, p) for p in re.split(r"[,+;]", code) if p) or code


def unit_type_label(code: str | None) -> str:
    if not code:
        return "未知"
    try:
        return UnitType(code).label
    except ValueError:
        return code


def _china_moment(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA_TIME)


# --- registrations in validity ------------------------------------------------------------------


async def validity_counts(
    session: AsyncSession, months: Sequence[date], *, tenant: str | None = None
) -> dict[tuple[date, str, str], int]:
    """(month, tenant, field) -> registrations in validity at the end of each month given.

    The answer is kept on the session for the rest of the request: a page showing several reports
    over the same months (业务监管: the provinces and the trend) reads the history once."""
    if not months:
        return {}
    kept = session.info.get(_VALIDITY_KEY)
    if kept is not None and set(months) <= kept[0]:
        return {
            key: n
            for key, n in kept[1].items()
            if key[0] in set(months) and (tenant is None or key[1] == tenant)
        }
    counts = await _validity_counts(session, months, tenant=tenant)
    if tenant is None:
        session.info[_VALIDITY_KEY] = (set(months), counts)
    return counts


_VALIDITY_KEY = "supervision.validity_counts"


async def _validity_counts(
    session: AsyncSession, months: Sequence[date], *, tenant: str | None
) -> dict[tuple[date, str, str], int]:
    last = month_end(max(months))
    rows = await validity_months(session, last, tenant)
    # Running sums: the count at a month's end is every start up to it minus every stop up to it.
    changes: dict[tuple[str, str], list[tuple[date, int]]] = defaultdict(list)
    for slug, field_, month, n in rows:
        changes[(slug, field_)].append((month.date() if isinstance(month, datetime) else month, int(n)))
    wanted = sorted(set(months))
    counts: dict[tuple[date, str, str], int] = {}
    for key, items in changes.items():
        items.sort()
        total, i = 0, 0
        for month in wanted:
            while i < len(items) and items[i][0] <= month:
                total += items[i][1]
                i += 1
            counts[(month, *key)] = total
    return counts


def _sum(
    counts: Mapping[tuple[date, str, str], int],
    month: date,
    *,
    tenant: str | None = None,
    field: str | None = None,
) -> int:
    return sum(
        n
        for (m, slug, field_), n in counts.items()
        if m == month and (tenant is None or slug == tenant) and (field is None or field_ == field)
    )


# --- 业务监管 -------------------------------------------------------------------------------------


@dataclass(slots=True)
class CaseFigures:
    """The cases of some months of `fact_case_month` added up: received (and delegated), decided
    (approved, overdue) and the decided cases' working days as a distribution."""

    received: int = 0
    delegated: int = 0
    decided: int = 0
    approved: int = 0
    overdue: int = 0
    days: dict[int, int] = field(default_factory=dict)

    def add(self, item: Any) -> None:
        """Add one row of `repository.case_months`."""
        if item.side == "received":
            self.received += int(item.cases)
            self.delegated += int(item.delegated)
            return
        self.decided += int(item.cases)
        self.approved += int(item.approved)
        self.overdue += int(item.overdue)
        if item.working_days >= 0:
            self.days[item.working_days] = self.days.get(item.working_days, 0) + int(item.cases)

    def percentile(self, fraction: float) -> float | None:
        """As PostgreSQL's percentile_cont over the working days: interpolated between the two
        values around position fraction × (n - 1) of the sorted values."""
        n = sum(self.days.values())
        if n <= 0:
            return None
        position = fraction * (n - 1)
        low, high = int(position), min(int(position) + 1, n - 1)
        values: dict[int, float] = {}
        seen = 0
        for value in sorted(self.days):
            count = self.days[value]
            for index in (low, high):
                if index not in values and seen <= index < seen + count:
                    values[index] = float(value)
            seen += count
            if high in values:
                break
        return values[low] + (position - low) * (values[high] - values[low])


async def business_cases(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    """Per province: cases received and decided in the period, working days (median, p90), overdue
    and delegated shares."""
    _national_only(scope)
    period = parse_period(params)
    directory = await load_directory(session)
    provinces = _provinces(directory)
    by_tenant: dict[str, CaseFigures] = defaultdict(CaseFigures)
    whole = CaseFigures()
    for item in await case_months(session, period.first_day, period.end, by="tenant"):
        by_tenant[item.key].add(item)
        whole.add(item)
    rows: list[tuple[Cell, ...]] = []
    totals = [0, 0, 0, 0, 0]
    for tenant in provinces:
        r = by_tenant.get(tenant.slug, CaseFigures())
        got = (r.received, r.decided, r.approved, r.overdue, r.delegated)
        totals = [a + b for a, b in zip(totals, got, strict=True)]
        median, p90 = r.percentile(0.5), r.percentile(0.9)
        rows.append(
            (
                tenant.name,
                got[0],
                got[1],
                got[2],
                round(median, 1) if median is not None else None,
                round(p90, 1) if p90 is not None else None,
                _ratio(got[3], got[1]),
                _ratio(got[4], got[0]),
            )
        )
    overall = (whole.percentile(0.5), whole.percentile(0.9))
    return ReportTable(
        title="业务监管：各省办件情况",
        subtitle=f"统计期间 {period.label}",
        columns=(
            Column("province", "省份"),
            Column("received", "收件", "int"),
            Column("decided", "办结", "int"),
            Column("approved", "准予", "int"),
            Column("median", "办理用时中位数（工作日）", "decimal"),
            Column("p90", "办理用时 90% 分位（工作日）", "decimal"),
            Column("overdue", "超期率", "percent"),
            Column("delegated", "委托办理占比", "percent"),
        ),
        rows=tuple(rows),
        totals=(
            "全国",
            totals[0],
            totals[1],
            totals[2],
            round(overall[0], 1) if overall[0] is not None else None,
            round(overall[1], 1) if overall[1] is not None else None,
            _ratio(totals[3], totals[1]),
            _ratio(totals[4], totals[0]),
        ),
        notes=(
            "收件按收件日期、办结与用时按决定日期计入期间；用时为受理（或收件）至决定的工作日数。",
            "超期率：办结件中超过法定时限的比例；委托办理占比：收件中由受委托单位办理的比例。",
            *await freshness_notes(session, provinces),
        ),
        chart=Chart("bar", "province", ("received", "decided")),
    )


async def business_registrations(
    session: AsyncSession, scope: ReportScope, params: Mapping[str, str]
) -> ReportTable:
    """Per province: registrations in validity at the end of the period's last month, the change
    on the month before, and per 10,000 residents."""
    _national_only(scope)
    period = parse_period(params)
    directory = await load_directory(session)
    provinces = _provinces(directory)
    month, before = period.end, add_months(period.end, -1)
    counts = await validity_counts(session, [before, month])
    rows: list[tuple[Cell, ...]] = []
    for tenant in provinces:
        now, then = _sum(counts, month, tenant=tenant.slug), _sum(counts, before, tenant=tenant.slug)
        rows.append(
            (
                tenant.name,
                now,
                now - then,
                _ratio(now - then, then),
                per_10k(now, POPULATION_2020.get(tenant.division_code)),
            )
        )
    now, then = _sum(counts, month), _sum(counts, before)
    return ReportTable(
        title="业务监管：各省在有效期内的注册人数",
        subtitle=f"截至 {month_end(month):%Y-%m-%d}，与上月末比较",
        columns=(
            Column("province", "省份"),
            Column("valid", "在有效期内", "int"),
            Column("change", "较上月增减", "int"),
            Column("growth", "环比增长", "percent"),
            Column("per10k", "每万人口执业药师数", "decimal"),
        ),
        rows=tuple(rows),
        totals=("全国", now, now - then, _ratio(now - then, then), per_10k(now, NATIONAL_POPULATION_2020)),
        notes=(CENSUS_2020_SOURCE, *await freshness_notes(session, provinces)),
        chart=Chart("bar", "province", ("valid",)),
    )


async def business_trend(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    """Month by month over the period, nationally or for one province: cases received and decided,
    median working days, overdue, and registrations in validity at each month's end."""
    _national_only(scope)
    period = parse_period(params)
    directory = await load_directory(session)
    province = _province(params, directory)
    provinces = [province] if province else _provinces(directory)
    by_month: dict[date, CaseFigures] = defaultdict(CaseFigures)
    for item in await case_months(
        session, period.first_day, period.end, by="month", tenant=province.slug if province else None
    ):
        by_month[item.key].add(item)
    counts = await validity_counts(session, period.months, tenant=province.slug if province else None)
    rows = []
    for month in period.months:
        got = by_month.get(month, CaseFigures())
        median = got.percentile(0.5)
        rows.append(
            (
                f"{month:%Y-%m}",
                got.received,
                got.decided,
                round(median, 1) if median is not None else None,
                _ratio(got.overdue, got.decided) if got.decided else None,
                _sum(counts, month),
            )
        )
    return ReportTable(
        title=f"业务监管：逐月趋势（{province.name if province else '全国'}）",
        subtitle=f"统计期间 {period.label}",
        columns=(
            Column("month", "月份"),
            Column("received", "收件", "int"),
            Column("decided", "办结", "int"),
            Column("median", "用时中位数（工作日）", "decimal"),
            Column("overdue", "超期率", "percent"),
            Column("valid", "月末在有效期内注册", "int"),
        ),
        rows=tuple(rows),
        notes=await freshness_notes(session, provinces),
        chart=Chart("line", "month", ("received", "decided")),
    )


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


# --- 国家月报 -------------------------------------------------------------------------------------


async def bulletin(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    """The national monthly bulletin as NMPA publishes it: registrants in validity at the month's
    end and the change on the month, per 10,000 residents, by practice field with retail's share,
    and by province."""
    _national_only(scope)
    month = parse_month(params.get("month"), china_today())
    if month > china_today().replace(day=1):
        raise ReportParameterError("月报只能查看本月及以前的月份")
    directory = await load_directory(session)
    provinces = _provinces(directory)
    before = add_months(month, -1)
    counts = await validity_counts(session, [before, month])
    now, then = _sum(counts, month), _sum(counts, before)
    headline = ReportTable(
        title="全国执业药师注册情况",
        columns=(
            Column("measure", "项目"),
            Column("value", "数值", "decimal"),
        ),
        rows=(
            ("在有效期内的注册执业药师（人）", now),
            ("较上月增减（人）", now - then),
            ("每万人口执业药师数（人）", per_10k(now, NATIONAL_POPULATION_2020)),
        ),
    )
    field_rows = []
    for code, label in FIELD_LABELS.items():
        n = _sum(counts, month, field=code)
        field_rows.append((label, n, n - _sum(counts, before, field=code), _ratio(n, now)))
    by_field = ReportTable(
        title="按执业领域",
        columns=(
            Column("field", "执业领域"),
            Column("valid", "人数", "int"),
            Column("change", "较上月增减", "int"),
            Column("share", "占比", "percent"),
        ),
        rows=tuple(field_rows),
        totals=("合计", now, now - then, 1.0 if now else None),
        notes=(
            f"其中零售药店执业药师占 {(_ratio(_sum(counts, month, field='retail'), now) or 0) * 100:.1f}%。",
        ),
        chart=Chart("pie", "field", ("valid",)),
    )
    province_rows = []
    for tenant in provinces:
        n = _sum(counts, month, tenant=tenant.slug)
        retail = _sum(counts, month, tenant=tenant.slug, field="retail")
        province_rows.append(
            (
                tenant.name,
                n,
                n - _sum(counts, before, tenant=tenant.slug),
                per_10k(n, POPULATION_2020.get(tenant.division_code)),
                retail,
                _ratio(retail, n),
            )
        )
    by_province = ReportTable(
        title="按省份",
        columns=(
            Column("province", "省份"),
            Column("valid", "人数", "int"),
            Column("change", "较上月增减", "int"),
            Column("per10k", "每万人口", "decimal"),
            Column("retail", "其中零售", "int"),
            Column("retail_share", "零售占比", "percent"),
        ),
        rows=tuple(province_rows),
        chart=Chart("bar", "province", ("valid",)),
    )
    return ReportTable(
        title=f"全国执业药师注册情况月报（{month.year} 年 {month.month} 月）",
        subtitle=f"截至 {month_end(month):%Y 年 %m 月 %d 日}",
        columns=headline.columns,
        rows=headline.rows,
        notes=(
            "在有效期内：注册未注销、未转出且未过有效期；执业领域按执业单位类型归入零售、批发、生产、医疗机构和其他。",
            CENSUS_2020_SOURCE,
            *await freshness_notes(session, provinces),
        ),
        parts=(by_field, by_province),
    )


# --- 投诉监管 -------------------------------------------------------------------------------------


def _enquiry_period(kind: str, period: Period) -> list[ColumnElement[bool]]:
    return [
        FE.kind == kind,
        FE.received_at >= _china_moment(period.first_day),
        FE.received_at < _china_moment(period.last_day + timedelta(days=1)),
    ]


def _handled_days() -> ColumnElement[Any]:
    """Calendar days from receipt to reply."""
    return func.extract("epoch", FE.replied_at - FE.received_at) / 86400.0


async def complaints(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    """Per province (or per category, or per month): complaints, their handling against the limit,
    overdue, transferred and published shares."""
    _national_only(scope)
    period = parse_period(params)
    directory = await load_directory(session)
    provinces = _provinces(directory)
    by = _choice(params, "by", {"province": "", "category": "", "month": ""}, "分组") or "province"
    category = _choice(params, "category", COMPLAINT_CATEGORIES, "类别")
    province = _province(params, directory)
    where = _enquiry_period("complaint", period)
    if category:
        where.append(FE.category == category)
    if province:
        where.append(FE.tenant == province.slug)
    key: Any = {
        "province": FE.tenant,
        "category": FE.category,
        "month": func.to_char(func.timezone("Asia/Shanghai", FE.received_at), "YYYY-MM"),
    }[by]
    counted = ~FE.transferred_in  # each complaint once, in its origin province
    handled = FE.status != "transferred"  # the row of the province that handled it
    query = (
        select(
            key.label("k"),
            func.count().filter(counted).label("total"),
            func.count().filter(handled, FE.replied_at.is_not(None)).label("replied"),
            func.percentile_cont(0.5).within_group(_handled_days()).filter(handled).label("median"),
            func.count().filter(handled, FE.within_limit.is_(False)).label("overdue"),
            func.count()
            .filter(counted, or_(FE.transferred, FE.status == "transferred"))
            .label("transferred"),
            func.count().filter(handled, FE.published).label("published"),
        )
        .where(*where)
        .group_by(key)
    )
    found = {row.k: row for row in (await session.execute(query)).all()}
    if by == "province":
        keys = [(t.slug, t.name) for t in ([province] if province else provinces)]
    elif by == "category":
        keys = list(COMPLAINT_CATEGORIES.items())
    else:
        keys = [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in period.months]
    rows = []
    for code, label in keys:
        r = found.get(code)
        total = r.total if r else 0
        replied = r.replied if r else 0
        rows.append(
            (
                code,
                label,
                total,
                replied,
                round(r.median, 1) if r and r.median is not None else None,
                _ratio(r.overdue, replied) if r else None,
                _ratio(r.transferred, total) if r else None,
                _ratio(r.published, replied) if r else None,
            )
        )
    return ReportTable(
        title={"province": "投诉监管：各省投诉", "category": "投诉监管：按类别", "month": "投诉监管：逐月"}[
            by
        ],
        subtitle=f"统计期间 {period.label}"
        + (f"，{province.name}" if province else "")
        + (f"，类别：{COMPLAINT_CATEGORIES[category]}" if category else ""),
        columns=(
            Column("key", "代码"),
            Column("label", {"province": "省份", "category": "类别", "month": "月份"}[by]),
            Column("total", "投诉件数", "int"),
            Column("replied", "已答复", "int"),
            Column("median", "答复用时中位数（自然日）", "decimal"),
            Column("overdue", f"超过 {COMPLAINT_LIMIT_DAYS} 个工作日占比", "percent"),
            Column("transferred", "转办占比", "percent"),
            Column("published", "公开占比", "percent"),
        ),
        rows=tuple(rows),
        notes=(
            "跨省转办的投诉只在来源省计一件；答复用时与时限按实际办理的省份计。",
            f"时限：自受理之日起 {COMPLAINT_LIMIT_DAYS} 个工作日内答复。",
            *await freshness_notes(session, provinces),
        ),
        chart=Chart("line" if by == "month" else "bar", "label", ("total", "replied")),
    )


LIST_LIMIT = 200


async def complaint_list(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    """The complaints behind a figure (no complainant, no text): at most LIST_LIMIT, newest first."""
    _national_only(scope)
    period = parse_period(params)
    directory = await load_directory(session)
    province = _province(params, directory)
    category = _choice(params, "category", COMPLAINT_CATEGORIES, "类别")
    month = params.get("month")
    where = _enquiry_period("complaint", period)
    if month:
        first = parse_month(month, period.start)
        where = _enquiry_period("complaint", Period(first, first))
    where.append(~FE.transferred_in)
    if province:
        where.append(FE.tenant == province.slug)
    if category:
        where.append(FE.category == category)
    rows = (
        await session.execute(
            select(
                FE.tenant,
                FE.enquiry_id,
                FE.category,
                FE.division_code,
                FE.handling_unit,
                FE.received_at,
                FE.replied_at,
                FE.within_limit,
                FE.transferred,
                FE.published,
                FE.status,
            )
            .where(*where)
            .order_by(FE.received_at.desc(), FE.tenant, FE.enquiry_id)
            .limit(LIST_LIMIT)
        )
    ).all()
    names = {t.slug: t.name for t in directory.provinces(include_disabled=True)}
    return ReportTable(
        title="投诉清单",
        subtitle=(f"{province.name}，" if province else "")
        + (f"{COMPLAINT_CATEGORIES[category]}，" if category else "")
        + (f"{month}" if month else period.label),
        columns=(
            Column("province", "省份"),
            Column("id", "编号"),
            Column("category", "类别"),
            Column("division", "区划代码"),
            Column("unit", "办理单位"),
            Column("received", "受理时间"),
            Column("replied", "答复时间"),
            Column("within", "按期"),
            Column("transferred", "转办"),
            Column("published", "公开"),
            Column("status", "状态"),
        ),
        rows=tuple(
            (
                names.get(r.tenant, r.tenant),
                f"{r.tenant}-{r.enquiry_id}",
                COMPLAINT_CATEGORIES.get(r.category, r.category),
                r.division_code,
                r.handling_unit,
                china_time(r.received_at),
                china_time(r.replied_at) if r.replied_at else "",
                {True: "是", False: "否", None: "—"}[r.within_limit],
                "是" if r.transferred or r.status == "transferred" else "否",
                "是" if r.published else "否",
                ENQUIRY_STATUSES.get(r.status, r.status),
            )
            for r in rows
        ),
        notes=(f"最多列出 {LIST_LIMIT} 件，按受理时间倒序；不含投诉人信息和投诉内容。",),
    )


# --- 咨询监管 -------------------------------------------------------------------------------------


async def consultations(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    """Consultations per topic and province in the period (each once, by its origin)."""
    _national_only(scope)
    period = parse_period(params)
    directory = await load_directory(session)
    provinces = _provinces(directory)
    query = (
        select(FE.tenant, FE.category, func.count())
        .where(*_enquiry_period("consultation", period), ~FE.transferred_in)
        .group_by(FE.tenant, FE.category)
    )
    found = {(t, c): n for t, c, n in (await session.execute(query)).all()}
    topics = list(CONSULTATION_TOPICS.items())
    rows: list[tuple[Cell, ...]] = []
    for tenant in provinces:
        figures = [found.get((tenant.slug, code), 0) for code, _ in topics]
        rows.append((tenant.name, *figures, sum(figures)))
    totals = [sum(found.get((t.slug, code), 0) for t in provinces) for code, _ in topics]
    return ReportTable(
        title="咨询监管：各省咨询（按主题）",
        subtitle=f"统计期间 {period.label}",
        columns=(
            Column("province", "省份"),
            *(Column(code, label, "int") for code, label in topics),
            Column("total", "合计", "int"),
        ),
        rows=tuple(rows),
        totals=("全国", *totals, sum(totals)),
        notes=("跨省转办的咨询只在来源省计一件。", *await freshness_notes(session, provinces)),
        chart=Chart("bar", "province", tuple(code for code, _ in topics)),
    )


async def consultation_terms(
    session: AsyncSession, scope: ReportScope, params: Mapping[str, str]
) -> ReportTable:
    """The frequent terms of one month's consultations, and the groups of similar questions (the
    questions sharing their two main terms), each shared by at least MIN_SHARED questions."""
    _national_only(scope)
    month = parse_month(params.get("month"), china_today())
    directory = await load_directory(session)
    province = _province(params, directory)
    where = [*_enquiry_period("consultation", Period(month, month)), ~FE.transferred_in]
    if province:
        where.append(FE.tenant == province.slug)
    term = func.unnest(FE.terms).table_valued("term").render_derived()
    terms_query = (
        select(term.c.term, func.count().label("n"))
        .select_from(FE)
        .join(term, literal(True))
        .where(*where)
        .group_by(term.c.term)
        .having(func.count() >= MIN_SHARED)
        .order_by(func.count().desc(), term.c.term)
        .limit(30)
    )
    frequent = (await session.execute(terms_query)).all()
    first, second = FE.terms[1], FE.terms[2]
    group = func.least(first, second).concat("·").concat(func.greatest(first, second))
    groups_query = (
        select(
            group.label("g"),
            func.count().label("n"),
            func.mode().within_group(FE.category).label("topic"),
            func.count(func.distinct(FE.tenant)).label("provinces"),
        )
        .where(*where, func.cardinality(FE.terms) >= 2)
        .group_by(group)
        .having(func.count() >= MIN_SHARED)
        .order_by(func.count().desc(), group)
        .limit(30)
    )
    groups = (await session.execute(groups_query)).all()
    terms_table = ReportTable(
        title="高频词",
        columns=(Column("term", "词"), Column("count", "出现的咨询件数", "int")),
        rows=tuple((t, int(n)) for t, n in frequent),
        chart=Chart("bar", "term", ("count",)),
    )
    return ReportTable(
        title=f"咨询监管：常见问题（{month:%Y-%m}{'，' + province.name if province else ''}）",
        subtitle="相似问题：两个主要词相同的咨询归为一组",
        columns=(
            Column("group", "问题组（主要词）"),
            Column("count", "咨询件数", "int"),
            Column("topic", "主要主题"),
            Column("provinces", "涉及省份数", "int"),
        ),
        rows=tuple(
            (g, int(n), CONSULTATION_TOPICS.get(topic, topic or ""), int(p)) for g, n, topic, p in groups
        ),
        notes=(
            f"词和问题组至少出现在 {MIN_SHARED} 件咨询中才列出；"
            "词由各省从咨询标题和内容中提取，国家层面不保存咨询原文。",
        ),
        parts=(terms_table,),
    )


# --- 数据监管 -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataQuery:
    """What the 数据监管 page asks: the date, the dimension, the region drilled into, the filters
    and optionally two provinces side by side."""

    on: date
    dimension: str
    province: TenantInfo | None
    city: str | None
    filters: dict[str, str]
    compare: tuple[TenantInfo, TenantInfo] | None


def parse_data_query(params: Mapping[str, str], directory: TenantDirectory) -> DataQuery:
    month = parse_month(params.get("month"), china_today())
    today = china_today()
    on = today if month == today.replace(day=1) else month_end(month)
    if month > today.replace(day=1):
        raise ReportParameterError("不能查看将来的月份")
    dimension = _choice(params, "dimension", DIMENSIONS, "分析维度") or "region"
    province = _province(params, directory)
    city = (params.get("city") or "").strip() or None
    if city is not None and (
        province is None or not re.fullmatch(r"\d{6}", city) or city[:2] != province.division_code[:2]
    ):
        raise ReportParameterError("所选城市不属于所选省份")
    filters = {}
    allowed: dict[str, Mapping[str, str]] = {
        "sex": SEX_LABELS,
        "education": EDUCATION_LABELS,
        "category": CATEGORY_LABELS,
        "scope": SCOPE_LABELS,
        "field": FIELD_LABELS,
        "unit_type": {t.value: t.label for t in UnitType},
    }
    for name in FILTERS:
        value = _choice(params, name, allowed[name], DIMENSIONS[name])
        if value:
            filters[name] = value
    a, b = _province(params, directory, "a"), _province(params, directory, "b")
    if (a is None) != (b is None):
        raise ReportParameterError("比较需要选择两个省份")
    compare = (a, b) if a is not None and b is not None else None
    if compare is not None and compare[0].slug == compare[1].slug:
        raise ReportParameterError("请选择两个不同的省份进行比较")
    return DataQuery(on, dimension, province, city, filters, compare)


def _holding(on: date) -> Any:
    """The registration events whose terms hold on `on`: at most one per registration."""
    return select(FR).where(FR.effective_on <= on, FR.ends_on > on).subquery("holding")


def _age_band(birth_year: ColumnElement[Any], on: date) -> ColumnElement[Any]:
    age = literal(on.year) - birth_year
    return case(
        *((and_(age >= low, age <= high), literal(label)) for label, low, high in AGE_BANDS),
        else_=literal("未知"),
    )


async def distribution(
    session: AsyncSession, query: DataQuery, tenants: Sequence[str] | None
) -> dict[tuple[str, str], int]:
    """(tenant, key) -> pharmacists in validity on the date, by the query's dimension."""
    c = _holding(query.on).c
    if query.dimension == "region":
        key = c.county_code if query.city else (c.city_code if query.province else c.province_code)
    elif query.dimension == "age":
        key = _age_band(c.birth_year, query.on)
    else:
        key = getattr(c, {"category": "categories"}.get(query.dimension, query.dimension))
    where = []
    if query.province:
        where.append(c.tenant == query.province.slug)
    if query.city:
        where.append(c.city_code == query.city)
    if tenants is not None:
        where.append(c.tenant.in_(list(tenants)))
    for name, value in query.filters.items():
        where.append(getattr(c, {"category": "categories"}.get(name, name)) == value)
    grouped = select(c.tenant, key.label("k"), func.count()).where(*where).group_by(c.tenant, key)
    return {(t, k or ""): int(n) for t, k, n in (await session.execute(grouped)).all()}


def dimension_label(dimension: str, key: str, divisions: DivisionIndex | None) -> str:
    if dimension == "region":
        found = divisions.get(key) if divisions else None
        return found.name if found else key
    labels: dict[str, Mapping[str, str]] = {
        "sex": SEX_LABELS,
        "education": EDUCATION_LABELS,
        "category": CATEGORY_LABELS,
        "scope": SCOPE_LABELS,
        "field": FIELD_LABELS,
    }
    if dimension == "unit_type":
        return unit_type_label(key)
    if dimension in labels:
        return _label(labels[dimension], key)
    return key or "未知"


async def data_report(
    session: AsyncSession,
    scope: ReportScope,
    params: Mapping[str, str],
    divisions: DivisionIndex | None = None,
) -> ReportTable:
    _national_only(scope)
    directory = await load_directory(session)
    query = parse_data_query(params, directory)
    provinces = _provinces(directory)
    if query.dimension == "region" and divisions is None:
        divisions = await DivisionIndex.load(session)
    filters = "；".join(f"{DIMENSIONS[k]}：{dimension_label(k, v, None)}" for k, v in query.filters.items())
    notes = (
        "在有效期内的注册执业药师，按其当时的注册信息统计；年龄按出生年份计算。",
        *await freshness_notes(session, provinces),
    )
    if query.compare:
        a, b = query.compare
        counts = await distribution(session, query, [a.slug, b.slug])
        keys = sorted(
            {k for _t, k in counts}, key=lambda k: -(counts.get((a.slug, k), 0) + counts.get((b.slug, k), 0))
        )
        total_a = sum(n for (t, _k), n in counts.items() if t == a.slug)
        total_b = sum(n for (t, _k), n in counts.items() if t == b.slug)
        rows = tuple(
            (
                k,
                dimension_label(query.dimension, k, divisions),
                counts.get((a.slug, k), 0),
                _ratio(counts.get((a.slug, k), 0), total_a),
                counts.get((b.slug, k), 0),
                _ratio(counts.get((b.slug, k), 0), total_b),
            )
            for k in keys
        )
        return ReportTable(
            title=f"数据监管：{a.name}与{b.name}比较（按{DIMENSIONS[query.dimension]}）",
            subtitle=f"截至 {query.on:%Y-%m-%d}" + (f"；{filters}" if filters else ""),
            columns=(
                Column("key", "代码"),
                Column("label", DIMENSIONS[query.dimension]),
                Column("a", a.name, "int"),
                Column("a_share", f"{a.name}占比", "percent"),
                Column("b", b.name, "int"),
                Column("b_share", f"{b.name}占比", "percent"),
            ),
            rows=rows,
            totals=("", "合计", total_a, 1.0 if total_a else None, total_b, 1.0 if total_b else None),
            notes=notes,
            chart=Chart("bar", "label", ("a_share", "b_share")),
        )
    counts = await distribution(session, query, None)
    merged: dict[str, int] = defaultdict(int)
    for (_t, k), n in counts.items():
        merged[k] += n
    total = sum(merged.values())
    order = sorted(merged, key=lambda k: (-merged[k], k))
    if query.dimension == "region" and not query.province:
        # Provinces in their registry order, each named as the registry names it.
        by_code = {t.division_code: t for t in provinces}
        order = [t.division_code for t in provinces if t.division_code in merged] + [
            k for k in order if k not in by_code
        ]
    where = query.city and divisions and divisions.get(query.city)
    region = (
        (where.name if where else query.city)
        if query.city
        else (query.province.name if query.province else "全国")
    )
    return ReportTable(
        title=f"数据监管：{region}执业药师分布（按{DIMENSIONS[query.dimension]}）",
        subtitle=f"截至 {query.on:%Y-%m-%d}" + (f"；{filters}" if filters else ""),
        columns=(
            Column("key", "代码"),
            Column("label", DIMENSIONS[query.dimension]),
            Column("count", "人数", "int"),
            Column("share", "占比", "percent"),
        ),
        rows=tuple(
            (k, dimension_label(query.dimension, k, divisions), merged[k], _ratio(merged[k], total))
            for k in order
        ),
        totals=("", "合计", total, 1.0 if total else None),
        notes=notes,
        chart=Chart(
            "pie" if query.dimension in ("sex", "field", "category", "scope") else "bar", "label", ("count",)
        ),
    )


async def _data_report(session: AsyncSession, scope: ReportScope, params: Mapping[str, str]) -> ReportTable:
    return await data_report(session, scope, params)


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("national.business.cases", "业务监管：各省办件情况", business_cases, "national"),
    ReportKind(
        "national.business.registrations", "业务监管：各省注册人数", business_registrations, "national"
    ),
    ReportKind("national.business.trend", "业务监管：逐月趋势", business_trend, "national"),
    ReportKind("national.complaints", "投诉监管", complaints, "national"),
    ReportKind("national.complaints.list", "投诉清单", complaint_list, "national"),
    ReportKind("national.consultations", "咨询监管：按主题", consultations, "national"),
    ReportKind("national.consultations.terms", "咨询监管：常见问题", consultation_terms, "national"),
    ReportKind("national.data", "数据监管：执业药师分布", _data_report, "national"),
    ReportKind("national.bulletin", "全国执业药师注册情况月报", bulletin, "national"),
)
