"""Planted risk cases (空挂与频繁变更), so that a risk scan of the demo data has something to show:
in Guangdong a pharmacist who changed practice unit four times within a year, a registration at a
pharmacy whose licence has expired, a 75-year-old still practising, a retail pharmacy with seven
pharmacists, and a registration made just before a pharmacy's licence renewal and cancelled just
after it. The people are made up (valid ID numbers, no accounts); made through the register's
own services, so their events reach the national facts like real ones. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.demo.generator import chinese_name, organisation, resident_id
from pharmreg.kit.db import Database, transaction
from pharmreg.practice import (
    PracticeUnitCreate,
    PracticeUnitRead,
    UnitType,
    list_practice_units,
    register_practice_unit,
)
from pharmreg.register import (
    Decided,
    Province,
    Registrant,
    Terms,
    cancel_registration,
    change_registration,
    load_rules,
    person_key,
    register_first,
    registrations_of,
)
from pharmreg.tenancy import TenantDirectory

PROVINCE = "gd"
DEMO = "演示数据"


async def plant_risk_cases(db: Database, directory: TenantDirectory, *, today: date, seed: int = 2026) -> int:
    """Plant the risk cases in Guangdong (if it is provisioned and not planted yet); returns how
    many registrations were made."""
    tenant = directory.get(PROVINCE)
    if tenant is None:
        return 0
    rng = random.Random(f"{seed}:{PROVINCE}:risks")
    province = Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
    made = 0
    async with db.tenant(tenant.schema, tenant.placement) as session, db.national() as national:
        async with transaction(session):
            units = [
                u
                for u in await list_practice_units(session, limit=500)
                if u.status == "active" and u.unit_type.startswith("retail") and u.licence_valid_until > today
            ]
            rules = await load_rules(session)
        if len(units) < 6:
            return 0
        people = [_person(rng, units[0].division_code, today, age=75 if n == 1 else None) for n in range(11)]
        async with transaction(session):
            if await registrations_of(session, tenant.slug, people[0].person_key, today):
                return 0  # planted by an earlier run

        async def register(person: Registrant, unit: PracticeUnitRead, on: date) -> int:
            async with transaction(session), transaction(national):
                row = await register_first(
                    session,
                    national,
                    province=province,
                    registrant=person,
                    terms=_terms(unit, made),
                    rules=rules,
                    decided=Decided(None, DEMO, on),
                )
            return row.id

        # Four changes of practice unit within the last twelve months.
        changer = await register(people[0], units[0], today - timedelta(days=340))
        for step, days_ago in enumerate((280, 200, 120, 35), start=1):
            async with transaction(session), transaction(national):
                await change_registration(
                    session,
                    national,
                    province=province,
                    registration_id=changer,
                    terms=_terms(units[step], made),
                    decided=Decided(None, DEMO, today - timedelta(days=days_ago)),
                )
        made += 1
        # Still practising at 75.
        await register(people[1], units[5], today - timedelta(days=800))
        made += 1
        async with transaction(session):
            expired = await _unit(
                session, rng, units[0], today, licence_valid_until=today - timedelta(days=45)
            )
            renewed = await _unit(
                session, rng, units[0], today, licence_valid_until=_years_after(today, 5) - timedelta(days=20)
            )
            crowded = await _unit(
                session, rng, units[0], today, licence_valid_until=today + timedelta(days=900)
            )
        # At a pharmacy whose licence expired 45 days ago.
        await register(people[2], expired, today - timedelta(days=600))
        made += 1
        # Registered 20 days before the pharmacy's licence renewal, cancelled 15 days after it.
        cluster = await register(people[3], renewed, today - timedelta(days=40))
        async with transaction(session), transaction(national):
            await cancel_registration(
                session,
                national,
                province=province,
                registration_id=cluster,
                reason="申请注销：离开执业单位",
                decided=Decided(None, DEMO, today - timedelta(days=5)),
            )
        made += 1
        # Seven pharmacists at one retail pharmacy.
        for n in range(4, 11):
            await register(people[n], crowded, today - timedelta(days=100 + n * 20))
            made += 1
    return made


def _person(rng: random.Random, division_code: str, today: date, *, age: int | None) -> Registrant:
    sex = rng.choice(("M", "F"))
    year = today.year - age if age else rng.randrange(1970, 1995)
    birth = date(year, rng.randrange(1, 13), rng.randrange(1, 28))
    if age and birth > today.replace(year=year):
        birth = date(year, 1, 2)
    number = resident_id(rng, division_code, birth, sex)
    return Registrant(
        person_key("resident_id", number),
        None,
        "resident_id",
        number,
        chinese_name(rng),
        sex,
        "bachelor",
        "pharmacy",
    )


def _terms(unit: PracticeUnitRead, serial: int) -> Terms:
    return Terms("pharmacy", "distribution", unit.id, unit.name, unit.division_code, f"DEMORISK{serial:05d}")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def _unit(
    session: AsyncSession,
    rng: random.Random,
    near: PracticeUnitRead,
    today: date,
    *,
    licence_valid_until: date,
) -> PracticeUnitRead:
    """A retail pharmacy beside `near` (same county), with the given licence expiry."""
    place = near.address.split("区")[0] + "区" if "区" in near.address else near.address[:6]
    org = organisation(
        rng,
        unit_type="retail",
        division_code=near.division_code,
        place=place,
        city=place[:3],
        province_abbr="粤",
        today=today,
    )
    unit = await register_practice_unit(
        session,
        PracticeUnitCreate(
            uscc=org.uscc,
            name=org.name,
            unit_type=UnitType.RETAIL,
            licence_no=org.licence_no,
            licence_valid_until=licence_valid_until,
            division_code=org.division_code,
            address=org.address,
            principal=org.principal,
        ),
        in_territory=lambda _code: True,  # the county of a unit already registered in the province
    )
    await session.flush()
    return PracticeUnitRead(
        id=unit.id,
        uscc=unit.uscc,
        name=unit.name,
        unit_type=unit.unit_type,
        unit_type_label=UnitType.RETAIL.label,
        licence_no=unit.licence_no,
        licence_valid_until=unit.licence_valid_until,
        division_code=unit.division_code,
        address=unit.address,
        status="active",
        state="active",
        state_label="正常",
    )
