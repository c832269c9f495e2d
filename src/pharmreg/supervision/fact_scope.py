"""What the statistics pages and the custom query share: the scope's conditions on each fact table,
the labels of coded values, the provinces' freshness notes and the statement time limit.

Every figure is an SQL aggregate over the national facts; Python only labels the few grouped rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, text, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.authority import Matter
from pharmreg.divisions import DivisionIndex
from pharmreg.kit.clock import china_time, china_today
from pharmreg.practice import UnitType
from pharmreg.qualifications import categories_label
from pharmreg.supervision.catalog import ReportParameterError, ReportScope
from pharmreg.supervision.models import FactCase, FactEnquiry, FactRegistration
from pharmreg.supervision.service import FIELD_LABELS, fact_freshness
from pharmreg.tenancy import TenantDirectory, load_directory

# Events that end a registration in the province (it is then no longer in validity there).
CLOSING_KINDS = ("cancelled", "expired", "transferred_out")

# 学历 as the registration form offers them (the register's EDUCATION_LEVELS; a test keeps them equal).
EDUCATION_LABELS = {
    "secondary": "中专",
    "college": "大专",
    "bachelor": "本科",
    "second_bachelor": "第二学士/研究生班",
    "master": "硕士研究生",
    "doctor": "博士研究生",
}
SEX_LABELS = {"M": "男", "F": "女"}
OUTCOME_LABELS = {
    "approved": "准予注册",
    "refused": "不予注册",
    "not_accepted": "不予受理",
    "withdrawn": "已撤回",
}
ENQUIRY_KIND_LABELS = {"complaint": "投诉", "consultation": "咨询"}
UNKNOWN = "未填写"

# Every statistics statement runs under this limit (milliseconds); past it the person is told to
# narrow the query instead of holding a connection.
STATEMENT_TIMEOUT_MS = 5000
TIMEOUT_MESSAGE = "查询超时（超过 5 秒），请缩小时间范围、减少维度或增加筛选条件后重试"


def registration_scope(scope: ReportScope) -> ColumnElement[bool]:
    """The registrations a scope sees: its province, within it its bureau's territory."""
    return _scoped(scope, FactRegistration.tenant, FactRegistration.county_code)


def case_scope(scope: ReportScope) -> ColumnElement[bool]:
    return _scoped(scope, FactCase.tenant, FactCase.division_code)


def enquiry_scope(scope: ReportScope) -> ColumnElement[bool]:
    return _scoped(scope, FactEnquiry.tenant, FactEnquiry.division_code)


def _scoped(scope: ReportScope, tenant: Any, division: Any) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if scope.tenant is not None:
        conditions.append(tenant == scope.tenant)
    if scope.division_prefix:
        conditions.append(division.startswith(scope.division_prefix, autoescape=True))
    return and_(true(), *conditions)


def case_overdue(on: date) -> ColumnElement[bool]:
    """A case overdue as seen on `on`: decided after its due date, or still open on `on` with its
    due date passed. Open cases are compared with the day asked about, not a stored flag."""
    open_on = or_(FactCase.decided_on.is_(None), FactCase.decided_on > on)
    return and_(
        FactCase.due_on.is_not(None),
        or_(
            and_(
                FactCase.decided_on.is_not(None),
                FactCase.decided_on <= on,
                FactCase.decided_on > FactCase.due_on,
            ),
            and_(open_on, FactCase.received_on <= on, FactCase.due_on < on),
        ),
    )


def open_overdue(on: date) -> ColumnElement[bool]:
    """Open on `on` (received, not yet decided) and past its due date."""
    return and_(
        FactCase.received_on <= on,
        or_(FactCase.decided_on.is_(None), FactCase.decided_on > on),
        FactCase.due_on.is_not(None),
        FactCase.due_on < on,
    )


def as_of(day: date) -> date:
    """The day open cases are judged on for a period ending `day`: never later than today."""
    return min(day, china_today())


async def run(session: AsyncSession, statement: Select[Any]) -> list[Any]:
    """Run one aggregate under the statement time limit; a timeout is the person's error."""
    try:
        await session.execute(text(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}"))
        return list((await session.execute(statement)).all())
    except DBAPIError as exc:
        await session.rollback()
        if getattr(exc.orig, "sqlstate", None) == "57014" or "statement timeout" in str(exc.orig):
            raise ReportParameterError(TIMEOUT_MESSAGE) from None
        raise


class Labels:
    """Names of coded values (divisions, provinces, categories …) for the rows of a report."""

    def __init__(self, divisions: DivisionIndex, directory: TenantDirectory) -> None:
        self._divisions = divisions
        self.directory = directory

    @classmethod
    async def load(cls, session: AsyncSession) -> Labels:
        return cls(await DivisionIndex.load(session), await load_directory(session))

    def division(self, code: str | None) -> str:
        if not code:
            return UNKNOWN
        found = self._divisions.get(code)
        if found is None:
            return code
        if found.name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            parent = self._divisions.get(found.parent_code) if found.parent_code else None
            return parent.name if parent else found.name
        return found.name

    def cities(self, scope: ReportScope) -> list[tuple[str, str]]:
        """(code, name) of the cities a scope covers (none for the whole country: too many)."""
        if scope.tenant is None:
            return []
        tenant = self.directory.get(scope.tenant)
        if tenant is None:
            return []
        cities = [(c.code, self.division(c.code)) for c in self._divisions.cities_of(tenant.division_code)]
        if scope.division_prefix:
            cities = [(code, name) for code, name in cities if code.startswith(scope.division_prefix[:4])]
        return cities

    def province(self, slug: str | None) -> str:
        tenant = self.directory.get(slug) if slug else None
        return tenant.name if tenant else (slug or UNKNOWN)

    def scope(self, scope: ReportScope) -> str:
        """The region a scope covers, e.g. 广东省 · 广州市."""
        if scope.tenant is None:
            return "全国"
        name = self.province(scope.tenant)
        if scope.division_prefix:
            code = scope.division_prefix.ljust(6, "0")
            return f"{name} · {self.division(code)}"
        return name


def category_label(codes: str | None) -> str:
    if not codes:
        return UNKNOWN
    try:
        return categories_label(codes)
    except ValueError:
        return codes


def field_label(code: str | None) -> str:
    return FIELD_LABELS.get(code or "", code or UNKNOWN)


def unit_type_label(code: str | None) -> str:
    try:
        return UnitType(code).label if code else UNKNOWN
    except ValueError:
        return code or UNKNOWN


def matter_label(code: str | None) -> str:
    try:
        return Matter(code).label if code else UNKNOWN
    except ValueError:
        return code or UNKNOWN


def mapped(labels: dict[str, str]) -> Callable[[str | None], str]:
    return lambda code: labels.get(code or "", code or UNKNOWN)


async def freshness_notes(session: AsyncSession, labels: Labels, scope: ReportScope) -> tuple[str, ...]:
    """数据截至 per province of the scope, as the portal shows it."""
    tenants = (
        labels.directory.provinces()
        if scope.tenant is None
        else [t for t in [labels.directory.get(scope.tenant)] if t is not None]
    )
    shown = await fact_freshness(session, [t.source for t in tenants])

    def moment(value: datetime | None) -> str:
        return china_time(value) if value else "尚无数据"

    if scope.tenant is not None:
        return tuple(f"数据截至 {moment(shown[t.slug].as_of)}（{t.name}）" for t in tenants)
    known = [at for t in tenants if (at := shown[t.slug].as_of) is not None]
    behind = [t.name for t in tenants if shown[t.slug].as_of is None]
    note = f"数据截至 {moment(min(known)) if known else '尚无数据'}（各省中最早的一省）"
    return (note, *([f"尚无数据：{'、'.join(behind)}"] if behind else []))


def change(current: float | int | None, previous: float | int | None) -> tuple[Any, Any]:
    """(difference, ratio) of a figure against the previous period; none where undefined."""
    if current is None or previous is None:
        return None, None
    difference = current - previous
    if isinstance(difference, float):
        difference = round(difference, 2)
    ratio = round(difference / previous, 4) if previous else None
    return difference, ratio


def parse_day(value: str, what: str = "日期") -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportParameterError(f"{what}格式应为 YYYY-MM-DD，例如 2026-01-31") from None


def check_past(day: date, earliest: date = date(2000, 1, 1)) -> None:
    if day > china_today():
        raise ReportParameterError("不能查询未来的日期，请选择今天或以前的日期")
    if day < earliest:
        raise ReportParameterError(f"只能查询 {earliest:%Y年%m月%d日} 以后的数据")


def total(values: Iterable[Any]) -> int:
    return sum(v for v in values if isinstance(v, int))
