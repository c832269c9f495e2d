"""Years of demo registration history, made through the register's own decisions.

Statistics need a past to show: a demo province gets pharmacists first registered over the last
seven years, most of whom renewed when their five years were up and some of whom changed practice
unit, cancelled or let their registration expire. Every step is the register's use case
(`register_first`, `change_registration`, `renew_registration`, `cancel_registration`) dated on the
day it was decided, so the province's history, the national index and the outbox events (and with
them the national facts) are exactly what real decisions leave behind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from pharmreg.demo.generator import person
from pharmreg.divisions import DivisionRead
from pharmreg.kit.db import Database, committed_together
from pharmreg.practice import PracticeUnitRead, list_practice_units
from pharmreg.register import (
    Decided,
    Province,
    RegisterConflictError,
    Registrant,
    RegistrationRules,
    Terms,
    cancel_registration,
    change_registration,
    load_rules,
    person_key,
    register_first,
    registrations_of,
    renew_registration,
)
from pharmreg.tenancy import TenantInfo

# Pharmacists with a history, per demo province, when the full demo data set is loaded.
HISTORY_PER_PROVINCE = 160
HISTORY_YEARS = 7
# (education, weight) and (major, weight), roughly as registrants report them.
_EDUCATION = (("college", 44), ("bachelor", 38), ("secondary", 9), ("master", 7), ("doctor", 2))
_MAJORS = (("pharmacy", 55), ("tcm", 25), ("clinical_pharmacy", 5), ("related", 15))
_GROUNDS = ("本人申请注销", "不再从事执业活动", "执业单位注销", "受聘单位解聘")
_MARKER = "HIS"  # qualification numbers of the history's pharmacists: DEMOHIS<slug><n>


@dataclass
class HistoryReport:
    registrations: int = 0
    events: int = 0


def _choice(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def qualification_number(slug: str, index: int) -> str:
    return f"DEMO{_MARKER}{slug.upper()}{index:05d}"


async def load_history(
    db: Database,
    tenant: TenantInfo,
    own: list[DivisionRead],
    rng: random.Random,
    today: date,
    *,
    pharmacists: int = HISTORY_PER_PROVINCE,
) -> HistoryReport:
    """Registration histories of `pharmacists` people in the province; nothing if already loaded."""
    report = HistoryReport()
    if pharmacists <= 0:
        return report
    province = Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
    counties = [d.code for d in own if d.level == 3] or [tenant.division_code]
    async with db.tenant(tenant.schema, tenant.placement) as session:
        units = [u for u in await list_practice_units(session, limit=500) if u.status == "active"]
        rules = await load_rules(session)
        # The first pharmacist of the history, drawn without moving the generator on: already
        # registered (or once registered) here means the history was loaded before.
        state = rng.getstate()
        first = person(rng, rng.choice(counties), today=today)
        rng.setstate(state)
        loaded = await registrations_of(
            session, tenant.slug, person_key("resident_id", first.id_number), today
        )
        await session.rollback()
    if not units or loaded:
        return report
    for index in range(pharmacists):
        try:
            events = await _one_history(db, tenant, province, units, rules, rng, counties, today, index)
        except RegisterConflictError:
            continue  # the generator drew someone registered already (rolled back)
        report.registrations += 1
        report.events += events
    return report


async def _one_history(
    db: Database,
    tenant: TenantInfo,
    province: Province,
    units: list[PracticeUnitRead],
    rules: RegistrationRules,
    rng: random.Random,
    counties: list[str],
    today: date,
    index: int,
) -> int:
    someone = person(rng, rng.choice(counties), today=today)
    # Pharmacies first: nine in ten pharmacists practise in retail.
    retail = [u for u in units if u.unit_type.startswith("retail")] or units
    unit = rng.choice(retail if rng.random() < 0.9 else units)
    category = "tcm" if rng.random() < 0.3 else "pharmacy"
    scope = {"manufacturer": "production", "mah": "production", "medical": "use"}.get(
        unit.unit_type, "distribution"
    )
    # First registrations come more often in recent years (the register grows).
    span = HISTORY_YEARS * 365
    first_on = today - timedelta(days=int(span * (1 - rng.random() ** 0.9)) + 1)
    events = 1
    async with (
        db.tenant(tenant.schema, tenant.placement) as session,
        db.national() as national,
        committed_together(session, national, "demo registration history"),
    ):
        row = await register_first(
            session,
            national,
            province=province,
            registrant=Registrant(
                person_key("resident_id", someone.id_number),
                None,
                "resident_id",
                someone.id_number,
                someone.name,
                someone.sex,
                _choice(rng, _EDUCATION),
                _choice(rng, _MAJORS),
            ),
            terms=Terms(
                category,
                scope,
                unit.id,
                unit.name,
                unit.division_code,
                qualification_number(tenant.slug, index),
            ),
            rules=rules,
            decided=Decided(None, "演示数据", first_on),
        )
        registration_id = row.id
        valid_until = row.valid_until
        day = first_on
        # Some move to another unit of the province during their validity.
        if rng.random() < 0.18:
            day = day + timedelta(days=rng.randrange(60, 900))
            if day < today:
                other = rng.choice(retail)
                await change_registration(
                    session,
                    national,
                    province=province,
                    registration_id=registration_id,
                    terms=Terms(category, scope, other.id, other.name, other.division_code, ""),
                    decided=Decided(None, "演示数据", day),
                )
                events += 1
        ending = rng.random()
        if ending < 0.06:  # cancelled on application some time later
            day = min(today, day + timedelta(days=rng.randrange(30, 1200)))
            await cancel_registration(
                session,
                national,
                province=province,
                registration_id=registration_id,
                reason=rng.choice(_GROUNDS),
                decided=Decided(None, "演示数据", day),
            )
            return events + 1
        if valid_until >= today:
            return events
        if ending < 0.16:  # not renewed: closed when the five years were up
            await cancel_registration(
                session,
                national,
                province=province,
                registration_id=registration_id,
                reason="有效期届满未延续注册",
                decided=Decided(None, "演示数据", valid_until + timedelta(days=1)),
                expired=True,
            )
            return events + 1
        # Renewed a few weeks before the expiry date.
        await renew_registration(
            session,
            national,
            province=province,
            registration_id=registration_id,
            rules=rules,
            decided=Decided(None, "演示数据", valid_until - timedelta(days=rng.randrange(5, 30))),
        )
        return events + 1
