"""National facts written straight into the fact tables for the risk rules' tests: each test
uses a province slug of its own, so its rows and flags are told apart from the demo's."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert

from pharmreg.supervision.models import FactPracticeUnit, FactRegistration

_events = itertools.count(1)


def new_tenant() -> str:
    return "r" + uuid.uuid4().hex[:12]


def person() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


class Facts:
    """Rows to insert: registration events and practice units of one made-up province."""

    def __init__(self, tenant: str, today: date) -> None:
        self.tenant = tenant
        self.today = today
        self.registrations: list[dict[str, Any]] = []
        self.units: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def unit(
        self, *, unit_type: str = "retail", status: str = "active", licence_valid_until: date | None = None
    ) -> int:
        unit_id = 1000 + len(self.units)
        self.units.append(
            {
                "tenant": self.tenant,
                "unit_id": unit_id,
                "unit_type": unit_type,
                "field": "retail" if unit_type.startswith("retail") else "wholesale",
                "division_code": "440106",
                "status": status,
                "licence_valid_until": licence_valid_until or self.today + timedelta(days=900),
            }
        )
        return unit_id

    def event(
        self,
        registration_id: int,
        who: str,
        kind: str,
        on: date,
        unit_id: int,
        *,
        unit_type: str = "retail",
        scope: str = "distribution",
        birth_year: int = 1985,
        tenant: str | None = None,
    ) -> None:
        closing = kind in ("cancelled", "expired", "transferred_out")
        self.registrations.append(
            {
                "tenant": tenant or self.tenant,
                "event_id": next(_events),
                "registration_id": registration_id,
                "person_hash": who,
                "kind": kind,
                "effective_on": on,
                "ground": None,
                "province_code": "440000",
                "city_code": "440100",
                "county_code": "440106",
                "categories": "pharmacy",
                "scope": scope,
                "practice_unit_id": unit_id,
                "unit_type": unit_type,
                "field": "retail" if unit_type.startswith("retail") else "wholesale",
                "sex": "F",
                "birth_year": birth_year,
                "education": None,
                "major": None,
                "valid_until": None if closing else on + timedelta(days=5 * 365),
            }
        )

    def registered(self, who: str, unit_id: int, on: date, **terms: Any) -> int:
        """A first registration; returns its id."""
        registration_id = next(self._ids)
        self.event(registration_id, who, "registered", on, unit_id, **terms)
        return registration_id

    async def save(self, platform) -> None:
        async with platform.db.national() as session, session.begin():
            if self.units:
                await session.execute(insert(FactPracticeUnit), self.units)
            if self.registrations:
                await session.execute(insert(FactRegistration), self.registrations)
