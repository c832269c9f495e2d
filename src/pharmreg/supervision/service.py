"""Province figures kept nationally: fed by outbox events, checked by reconciliation."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.documents import ENCODINGS, FORMATS, FontSet, MissingGlyphError, write_export
from pharmreg.events import Event, Source, delivery_cursors
from pharmreg.identity import OFFICER_CREATED, UNIT_CREATED, count_officers, count_units
from pharmreg.kit.backing import unavailable_service
from pharmreg.kit.clock import CHINA_TIME, utcnow
from pharmreg.kit.db import Database
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.logging import get_logger
from pharmreg.kit.report_tables import ReportTable
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice import UNIT_REGISTERED, count_practice_units
from pharmreg.supervision import repository
from pharmreg.supervision.catalog import REPORTS, ReportKind, ReportParameterError, ReportScope
from pharmreg.supervision.models import ExportJob, FactCase, FactEnquiry, FactPracticeUnit, FactRegistration
from pharmreg.supervision.repository import FactModel
from pharmreg.supervision.schemas import FactFreshness, ProvinceFigures

log = get_logger(__name__)

METRICS: dict[str, str] = {
    "units": "监管单位",
    "officers": "工作人员",
    "practice_units": "执业单位",
}

# topic -> (metric, change)
_DELTAS: dict[str, tuple[str, int]] = {
    UNIT_CREATED: ("units", 1),
    OFFICER_CREATED: ("officers", 1),
    UNIT_REGISTERED: ("practice_units", 1),
}

# metric -> how to count it from the province's own tables
COUNTERS: dict[str, Callable[[AsyncSession], Awaitable[int]]] = {
    "units": count_units,
    "officers": count_officers,
    "practice_units": count_practice_units,
}


class ProvinceFiguresProjection:
    """Consumer keeping `province_stat` in step with each province's changes."""

    name = "supervision.province_figures"
    topics = frozenset(_DELTAS)

    async def apply(self, session: AsyncSession, event: Event) -> None:
        metric, change = _DELTAS[event.topic]
        await repository.add_to_stat(session, event.source.slug, metric, change)


async def province_figures(session: AsyncSession, sources: Sequence[Source]) -> dict[str, ProvinceFigures]:
    """Figures of each tenant source with the time they are complete up to."""
    table = await repository.stats(session)
    cursors = await delivery_cursors(session)
    figures = {}
    for source in sources:
        values = table.get(source.slug, {})
        cursor = cursors.get(source.schema)
        figures[source.slug] = ProvinceFigures(
            slug=source.slug,
            units=values.get("units", (0, None))[0],
            officers=values.get("officers", (0, None))[0],
            practice_units=values.get("practice_units", (0, None))[0],
            as_of=cursor.caught_up_at if cursor else None,
        )
    return figures


# --- analytic facts ----------------------------------------------------------------------------
# Each province's registrations, cases, complaints and consultations and practice units, kept
# nationally without personal data. The contexts that own the data describe each change as a plain
# payload (an outbox event) and can read the same payloads back from their tables; the rows here are
# made from those payloads by one function per kind, so an event delivered, a rebuild and the
# nightly recount all write the same row.

FIELD_LABELS = {
    "retail": "零售",
    "wholesale": "批发",
    "manufacturing": "生产",
    "medical": "医疗机构",
    "other": "其他",
}

# Practice unit type -> practice field, as NMPA's monthly bulletin counts pharmacists.
_FIELDS = {
    "retail_chain_store": "retail",
    "retail": "retail",
    "wholesale": "wholesale",
    "logistics": "wholesale",
    "manufacturer": "manufacturing",
    "mah": "manufacturing",
    "medical": "medical",
}


def practice_field(unit_type: str | None) -> str:
    """The practice field (零售, 批发, 生产, 医疗机构, 其他) of a unit type."""
    return _FIELDS.get(unit_type or "", "other")


class PersonHasher:
    """A person as a keyed hash of their ID document: the same in every province, and not
    reversible without the platform secret (an ID number cannot be found by trying them all)."""

    def __init__(self, platform_secret: str) -> None:
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"pharmreg person facts"
        ).derive(platform_secret.encode())

    def __call__(self, person_key: str) -> str:
        return hmac.new(self._key, person_key.encode(), hashlib.sha256).hexdigest()


PayloadReader = Callable[[AsyncSession], Awaitable[list[dict[str, Any]]]]
CalendarLoader = Callable[[AsyncSession], Awaitable[WorkCalendar]]


@dataclass(frozen=True, slots=True)
class FactFeed:
    """Where one kind of fact comes from: the event topics, and how to read every payload back
    from a province's own tables (for rebuilds and recounts)."""

    kind: str
    topics: tuple[str, ...]
    read: PayloadReader


@dataclass(frozen=True, slots=True)
class _Shaping:
    hasher: PersonHasher
    calendar: WorkCalendar


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _registration_row(tenant: str, p: dict[str, Any], shaping: _Shaping) -> dict[str, Any]:
    division = p["division_code"]
    return {
        "tenant": tenant,
        "event_id": int(p["event_id"]),
        "registration_id": int(p["registration_id"]),
        "person_hash": shaping.hasher(p["person_key"]),
        "kind": p["kind"],
        "effective_on": date.fromisoformat(p["effective_on"]),
        "ground": (p.get("ground") or None) and p["ground"][:200],
        "province_code": division[:2] + "0000",
        "city_code": division[:4] + "00",
        "county_code": division,
        "categories": p["categories"],
        "scope": p["scope"],
        "practice_unit_id": int(p["practice_unit_id"]),
        "unit_type": p.get("unit_type"),
        "field": practice_field(p.get("unit_type")),
        "sex": p.get("sex") or None,
        "birth_year": p.get("birth_year"),
        "education": p.get("education") or None,
        "major": p.get("major") or None,
        "valid_until": _day(p.get("valid_until")),
    }


def _case_row(tenant: str, p: dict[str, Any], shaping: _Shaping) -> dict[str, Any]:
    received, accepted, decided = (
        _day(p.get("received_on")),
        _day(p.get("accepted_on")),
        _day(p.get("decided_on")),
    )
    due = _day(p.get("due_on"))
    working_days = None
    start = accepted or received
    if start is not None and decided is not None:
        working_days, _provisional = shaping.calendar.working_days_between(start, decided)
    return {
        "tenant": tenant,
        "case_ref": p["case_ref"],
        "matter": p["matter"],
        "status": p["status"],
        "division_code": p.get("division_code"),
        "handling_unit": p.get("handling_unit"),
        "delegated": bool(p.get("delegated")),
        "received_on": received,
        "accepted_on": accepted,
        "decided_on": decided,
        "outcome": p.get("outcome"),
        "supplement_notices": int(p.get("supplement_notices") or 0),
        "working_days": working_days,
        "due_on": due,
        # Decided after the statutory limit; an open case past it is overdue by its `due_on`,
        # which the statistics compare with the day they report on.
        "overdue": bool(decided is not None and due is not None and decided > due),
    }


def _enquiry_row(tenant: str, p: dict[str, Any], shaping: _Shaping) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "kind": p["kind"],
        "enquiry_id": int(p["enquiry_id"]),
        "category": p["category"],
        "division_code": p.get("division_code"),
        "handling_unit": p.get("handling_unit"),
        "status": p["status"],
        "received_at": datetime.fromisoformat(p["received_at"]),
        "replied_at": _moment(p.get("replied_at")),
        "closed_at": _moment(p.get("closed_at")),
        "within_limit": p.get("within_limit"),
        "transferred": bool(p.get("transferred")),
        "transferred_in": bool(p.get("transferred_in")),
        "published": bool(p.get("published")),
        "terms": [str(t)[:20] for t in (p.get("terms") or [])][:12],
    }


def _unit_row(tenant: str, p: dict[str, Any], shaping: _Shaping) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "unit_id": int(p["unit_id"]),
        "unit_type": p["unit_type"],
        "field": practice_field(p["unit_type"]),
        "division_code": p["division_code"],
        "status": p["status"],
        "licence_valid_until": date.fromisoformat(p["licence_valid_until"]),
    }


RowMaker = Callable[[str, dict[str, Any], _Shaping], dict[str, Any]]
# kind -> (table, how a payload becomes its row)
FACT_KINDS: dict[str, tuple[type[FactModel], RowMaker]] = {
    "registration": (FactRegistration, _registration_row),
    "case": (FactCase, _case_row),
    "enquiry": (FactEnquiry, _enquiry_row),
    "practice_unit": (FactPracticeUnit, _unit_row),
}


class AnalyticFacts:
    """The feeds of facts and what turning payloads into rows needs (the person hasher, the
    working-day calendar); built once at start-up and shared by the consumer and the rebuilds."""

    def __init__(self, feeds: Sequence[FactFeed], hasher: PersonHasher, calendar: CalendarLoader) -> None:
        unknown = {feed.kind for feed in feeds} - FACT_KINDS.keys()
        if unknown:
            raise ValueError(f"unknown fact kinds: {sorted(unknown)}")
        self.feeds = tuple(feeds)
        self._by_topic = {topic: feed for feed in feeds for topic in feed.topics}
        self._hasher = hasher
        self._calendar = calendar

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(self._by_topic)

    def feed_of(self, topic: str) -> FactFeed:
        return self._by_topic[topic]

    async def shaping(self, national: AsyncSession, kind: str | None = None) -> _Shaping:
        """What rows of `kind` (every kind by default) are made with; only cases need the calendar."""
        calendar = await self._calendar(national) if kind in (None, "case") else WorkCalendar()
        return _Shaping(self._hasher, calendar)

    @staticmethod
    def row(kind: str, tenant: str, payload: dict[str, Any], shaping: _Shaping) -> dict[str, Any]:
        return FACT_KINDS[kind][1](tenant, payload, shaping)


class AnalyticFactsProjection:
    """Consumer keeping the national facts in step with each province's changes."""

    name = "supervision.analytic_facts"

    def __init__(self, facts: AnalyticFacts) -> None:
        self._facts = facts
        self.topics = facts.topics

    async def apply(self, session: AsyncSession, event: Event) -> None:
        kind = self._facts.feed_of(event.topic).kind
        shaping = await self._facts.shaping(session, kind)
        row = self._facts.row(kind, event.source.slug, event.payload, shaping)
        if kind == "case":
            await repository.upsert_case_fact(session, row)
            return
        if kind != "registration":
            await repository.upsert_fact(session, FACT_KINDS[kind][0], row)
            return
        # A registration event also moves when its earlier events stop holding: the monthly
        # counts change by the registration's holdings after the event minus those before.
        tenant, registration_id = row["tenant"], row["registration_id"]
        before = await repository.registration_holdings(session, tenant, registration_id)
        await repository.upsert_fact(session, FactRegistration, row)
        await repository.settle_registration_ends(session, tenant, [registration_id])
        after = await repository.registration_holdings(session, tenant, registration_id)
        changes = {key: after.get(key, 0) - before.get(key, 0) for key in before.keys() | after.keys()}
        await repository.add_validity_changes(session, tenant, changes)


async def fact_freshness(session: AsyncSession, sources: Sequence[Source]) -> dict[str, FactFreshness]:
    """Per province: the time its facts are complete up to (数据截至), and their last rebuild and recount."""
    cursors = await delivery_cursors(session)
    upkeep = await repository.fact_sources(session)
    shown = {}
    for source in sources:
        cursor = cursors.get(source.schema)
        kept = upkeep.get(source.slug)
        shown[source.slug] = FactFreshness(
            slug=source.slug,
            as_of=cursor.caught_up_at if cursor else None,
            rebuilt_at=kept.rebuilt_at if kept else None,
            recounted_at=kept.recounted_at if kept else None,
        )
    return shown


# --- exports of statistics reports ------------------------------------------------------------

EXPORT_KEEP_DAYS = 7
# An account may have this many exports waiting or being built at once.
EXPORT_MAX_UNFINISHED = 3
EXPORT_MAX_PARAMS = 20
EXPORT_PARAM_MAX_LENGTH = 200
_PARAM_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}", re.ASCII)
# Characters a file name may not hold on common systems, and control characters.
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
EXPORT_FAILED = "生成报表文件时出错，请稍后重新导出；如仍不成功，请联系系统管理员。"
EXPORT_GONE = "该报表已不再提供导出，请从统计页面重新选择报表。"
EXPORT_NOT_QUEUED = "暂时无法提交导出任务，请稍后重试。"
EXPORT_ABANDONED = "导出超时未完成，请重新导出；如仍不成功，请联系系统管理员。"
# An export neither done nor failed this long after it was asked for will not finish (its worker
# was stopped or timed out): it is marked failed so that its page stops waiting.
EXPORT_GIVE_UP = timedelta(hours=1)
EXPORT_STATUS_LABELS = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}


@dataclass(frozen=True, slots=True)
class ExportOwner:
    """Who asked for an export: an officer of a province, or national staff ("national")."""

    kind: str
    tenant: str
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ExportOrder:
    """A checked export form: which report, whose figures, in what file."""

    kind: ReportKind
    scope: ReportScope
    params: dict[str, str]
    format: str
    encoding: str


class ExportRefused(FormErrors):
    """The export form cannot be accepted (messages in Chinese, by field)."""


def export_order(values: Mapping[str, str], scope: ReportScope) -> ExportOrder:
    """The export asked for by form `values` (fields report, format, encoding and p.<name>) for
    figures of `scope`; ExportRefused says what is wrong. A province's page cannot ask for a
    national report, nor the national pages for a province's."""
    errors: dict[str, str] = {}
    name = values.get("report", "").strip()
    kind = REPORTS.get(name)
    audience = "national" if scope.national else "province"
    if not name:
        errors["report"] = "请选择要导出的报表"
    elif kind is None:
        errors["report"] = "没有这项报表，请从统计页面重新选择"
    elif kind.audience != audience:
        errors["report"] = (
            "这项报表只能在国家局的监管统计中导出"
            if kind.audience == "national"
            else "这项报表只能在各省的统计中导出"
        )
    fmt = values.get("format", "").strip().lower()
    if fmt not in FORMATS:
        errors["format"] = "请选择导出格式：Excel、PDF 或 CSV"
    encoding = values.get("encoding", "").strip().lower() or "utf-8"
    if encoding not in ENCODINGS:
        errors["encoding"] = "CSV 文件的编码只能是 UTF-8 或 GB18030"
    params: dict[str, str] = {}
    for key, value in values.items():
        if not key.startswith("p."):
            continue
        param = key[2:]
        if not _PARAM_NAME.fullmatch(param):
            errors["params"] = "报表参数有误，请从统计页面重新导出"
        elif len(value) > EXPORT_PARAM_MAX_LENGTH:
            errors["params"] = f"报表参数过长（每项最多 {EXPORT_PARAM_MAX_LENGTH} 个字符）"
        else:
            params[param] = value.strip()
    if len(params) > EXPORT_MAX_PARAMS:
        errors["params"] = "报表参数过多，请从统计页面重新导出"
    if errors or kind is None:
        raise ExportRefused(errors)
    return ExportOrder(kind, scope, params, fmt, encoding if fmt == "csv" else "utf-8")


def export_filename(order: ExportOrder, place: str) -> str:
    """A Chinese file name: the place, the report and its parameters, e.g.
    广东省执业药师注册月报_2026-11.xlsx."""
    label = order.kind.label if order.kind.label.startswith(place) else f"{place}{order.kind.label}"
    stem = "_".join([label, *(v for v in order.params.values() if v)])
    stem = _FILENAME_BAD.sub("", stem).strip(" .")[:150] or "统计报表"
    return f"{stem}.{order.format}"


async def create_export(
    session: AsyncSession, owner: ExportOwner, order: ExportOrder, *, place: str
) -> ExportJob:
    """Record the export, queued, in the caller's transaction of the national schema."""
    unfinished = await repository.count_unfinished_exports(session, owner.kind, owner.tenant, owner.id)
    if unfinished >= EXPORT_MAX_UNFINISHED:
        raise ExportRefused(
            {"": f"您已有 {unfinished} 项导出正在生成，请等其完成后再导出（可在“我的导出”中查看进度）"}
        )
    job = ExportJob(
        id=uuid.uuid4(),
        owner_kind=owner.kind,
        owner_tenant=owner.tenant,
        owner_id=owner.id,
        report=order.kind.name,
        report_label=order.kind.label[:200],
        scope_tenant=order.scope.tenant,
        division_prefix=order.scope.division_prefix,
        params=order.params,
        format=order.format,
        encoding=order.encoding,
        status="queued",
        progress=0,
        filename=export_filename(order, place),
    )
    repository.add_export(session, job)
    await session.flush()
    return job


async def export_of(
    session: AsyncSession, owner: ExportOwner, job_id: uuid.UUID, *, content: bool = False
) -> ExportJob | None:
    """The export if `owner` asked for it; none for anyone else's."""
    return await repository.owned_export(session, job_id, owner.kind, owner.tenant, owner.id, content=content)


async def recent_exports(session: AsyncSession, owner: ExportOwner, *, limit: int = 30) -> list[ExportJob]:
    return await repository.owned_exports(session, owner.kind, owner.tenant, owner.id, limit=limit)


async def export_not_queued(session: AsyncSession, job_id: uuid.UUID) -> None:
    """The worker could not be told: the export fails at once rather than wait forever."""
    await repository.update_export(
        session, job_id, status="failed", error=EXPORT_NOT_QUEUED, finished_at=utcnow()
    )


def _row_count(table: ReportTable) -> int:
    return len(table.rows) + sum(_row_count(part) for part in table.parts)


async def run_export(db: Database, job_id: uuid.UUID, *, fonts: FontSet | None = None) -> str:
    """Build the report of export `job_id` from the national facts and write its file; returns
    the export's status. A failure is recorded with a message for the person who asked."""
    async with db.national() as session, session.begin():
        job = await repository.lock_export(session, job_id)
        if job is None or job.status not in ("queued", "running"):
            return job.status if job is not None else "missing"
        job.status, job.progress, job.started_at = "running", 5, utcnow()
        report, fmt, encoding = job.report, job.format, job.encoding
        scope = ReportScope(job.scope_tenant, job.division_prefix)
        params = dict(job.params)

    async def fail(message: str) -> str:
        async with db.national() as session, session.begin():
            await repository.update_export(
                session, job_id, status="failed", error=message, progress=100, finished_at=utcnow()
            )
        return "failed"

    kind = REPORTS.get(report)
    if kind is None:
        log.warning("supervision.export_failed", export=str(job_id), report=report, reason="unknown report")
        return await fail(EXPORT_GONE)
    fields = {"export": str(job_id), "report": report, "format": fmt, "tenant": scope.tenant}
    try:
        async with db.national() as session:
            table = await kind.build(session, scope, params)
        async with db.national() as session, session.begin():
            await repository.update_export(session, job_id, progress=50, row_count=_row_count(table))
        written = await asyncio.to_thread(
            write_export,
            table,
            fmt,
            generated_at=utcnow().astimezone(CHINA_TIME),
            encoding=encoding,
            fonts=fonts,
        )
    except ReportParameterError as exc:
        log.info("supervision.export_refused", reason=str(exc), **fields)
        return await fail(str(exc) or EXPORT_FAILED)
    except MissingGlyphError as exc:
        log.warning("supervision.export_failed", reason="missing glyph", **fields)
        return await fail(str(exc))
    except Exception as exc:
        if unavailable_service(exc) is not None:
            raise  # the worker tries again once the database is back
        log.error("supervision.export_failed", error=f"{type(exc).__name__}: {exc}", exc_info=exc, **fields)
        return await fail(EXPORT_FAILED)
    async with db.national() as session, session.begin():
        await repository.update_export(
            session,
            job_id,
            status="done",
            progress=100,
            content=written.content,
            content_type=written.content_type,
            sha256=hashlib.sha256(written.content).hexdigest(),
            size=len(written.content),
            finished_at=utcnow(),
            error=None,
        )
    log.info("supervision.export_done", size=len(written.content), **fields)
    return "done"


async def purge_exports(
    session: AsyncSession, *, now: datetime, keep_days: int = EXPORT_KEEP_DAYS
) -> tuple[int, int]:
    """Forget exports (and their files) asked for more than `keep_days` ago, and fail those
    left unfinished for too long; how many of each."""
    abandoned = await repository.fail_unfinished_exports_before(
        session, now - EXPORT_GIVE_UP, EXPORT_ABANDONED
    )
    purged = await repository.delete_exports_before(session, now - timedelta(days=keep_days))
    return purged, abandoned
