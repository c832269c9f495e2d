"""Province figures kept nationally: fed by outbox events, checked by reconciliation."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import Event, Source, delivery_cursors
from pharmreg.identity import OFFICER_CREATED, UNIT_CREATED, count_officers, count_units
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice import UNIT_REGISTERED, count_practice_units
from pharmreg.supervision import repository
from pharmreg.supervision.models import FactCase, FactEnquiry, FactPracticeUnit, FactRegistration
from pharmreg.supervision.repository import FactModel
from pharmreg.supervision.schemas import FactFreshness, ProvinceFigures

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
        "published": bool(p.get("published")),
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
        await repository.upsert_fact(session, FACT_KINDS[kind][0], row)


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
