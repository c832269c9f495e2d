"""Pharmacists and places for tests: an account with a qualification in the national data,
and practice units, made through the platform's own services."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from pharmreg.demo.generator import uscc
from pharmreg.identity.models import Applicant
from pharmreg.kit.codes import resident_id_check_char
from pharmreg.kit.db import transaction
from pharmreg.kit.tabular import Row
from pharmreg.practice import PracticeUnitCreate, UnitType, practice_unit_by_uscc, register_practice_unit
from pharmreg.qualifications import import_ce_credits, import_qualifications
from pharmreg.register import Decided, Province, Registrant, Terms, load_rules, person_key, register_first
from tests.applications.journeys import officer_act
from tests.people import last_code

PASSWORD = "Blue#River2026"
_numbers = itertools.count(1)
_rng = random.Random(2026)


@dataclass
class Pharmacist:
    name: str
    id_number: str
    mobile: str
    qualification_no: str


def resident_id(division: str, birth: date, serial: int) -> str:
    first17 = f"{division}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


async def add_qualification(
    platform,
    person: Pharmacist,
    *,
    category: str = "药学",
    number: str | None = None,
    obtained: str = "2025-10-20",
) -> str:
    number = number or f"QA{next(_numbers):010d}"
    async with platform.db.national() as session, session.begin():
        report = await import_qualifications(
            session,
            [
                Row(
                    2,
                    {
                        "certificate_no": number,
                        "name": person.name,
                        "id_number": person.id_number,
                        "category": category,
                        "obtained_on": obtained,
                    },
                )
            ],
        )
    assert not report.errors, report.errors
    return number


async def add_credits(
    platform, person: Pharmacist, years: list[int], *, public: int = 10, professional: int = 20
) -> None:
    rows = []
    for year in years:
        for part, credits in (("公需科目", public), ("专业科目", professional)):
            rows.append(
                Row(
                    len(rows) + 2,
                    {
                        "id_number": person.id_number,
                        "name": person.name,
                        "year": str(year),
                        "part": part,
                        "hours": str(credits * 3),
                        "credits": str(credits),
                        "issuer": "测试施教机构",
                        "certificate_no": f"CE{next(_numbers):08d}",
                    },
                )
            )
    async with platform.db.national() as session, session.begin():
        report = await import_ce_credits(session, rows)
    assert not report.errors, report.errors


async def add_unit(
    platform,
    slug: str,
    division: str,
    *,
    unit_type: UnitType = UnitType.RETAIL,
    name: str | None = None,
    licence_until: date = date(2031, 1, 1),
) -> str:
    tenant = platform.directory.get(slug)
    code = uscc(_rng, division)
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        await register_practice_unit(
            session,
            PracticeUnitCreate(
                uscc=code,
                name=name or f"测试大药房{next(_numbers)}号店",
                unit_type=unit_type,
                licence_no="测DA0000001",
                licence_valid_until=licence_until,
                division_code=division,
                address="测试路1号",
                principal="张三",
            ),
            in_territory=lambda _code: True,
        )
    return code


_TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def ticket_of(html: str) -> str:
    """The proof in progress that a registration or dispute page carries."""
    found = _TICKET.search(html)
    assert found, "the page carries a ticket"
    return found.group(1)


async def prove_identity(platform, browser, person: Pharmacist, *, start: str = "/account/register"):
    """Step one of registering (or disputing, start="/account/disputes/new"): the identity with
    the certificate number; returns the next page (the code was texted to the person's mobile)."""
    await browser.get(start)
    return await browser.post(
        start,
        {
            "name": person.name,
            "document_type": "resident_id",
            "document_number": person.id_number,
            "certificate_no": person.qualification_no,
            "mobile": person.mobile,
        },
    )


async def register_account(platform, browser, person: Pharmacist, password: str = PASSWORD):
    """Register as a person does: identity, then the code from the text message and a password."""
    if not person.qualification_no:
        person.qualification_no = await add_qualification(platform, person)
    step = await prove_identity(platform, browser, person)
    assert step.status_code == 200, step.text[step.text.find("<main") :][:800]
    return await browser.post(
        "/account/register/confirm",
        {
            "ticket": ticket_of(step.text),
            "code": await last_code(platform, person.mobile),
            "password": password,
            "password_confirm": password,
        },
    )


@pytest.fixture
def make_pharmacist(platform, new_browser):
    """A signed-in applicant whose qualification is in the national data; returns (person, browser)."""

    async def make(
        name: str = "林晓彤",
        *,
        division: str = "440106",
        birth: date = date(1990, 3, 14),
        obtained: str = "2025-10-20",
    ):
        serial = next(_numbers)
        person = Pharmacist(name, resident_id(division, birth, serial), f"139{serial:08d}", "")
        person.qualification_no = await add_qualification(platform, person, obtained=obtained)
        browser = new_browser()
        response = await register_account(platform, browser, person)
        assert response.status_code == 303, response.text[response.text.find("<main") :][:800]
        return person, browser

    return make


async def seed_registration(platform, slug: str, person: Pharmacist, unit_uscc: str, on: date):
    """A registration approved on `on` (as if decided earlier), written through the register service."""
    tenant = platform.directory.get(slug)
    async with (
        platform.db.tenant(tenant.schema) as session,
        platform.db.national() as national,
        transaction(session),
        transaction(national),
    ):
        unit = await practice_unit_by_uscc(session, unit_uscc)
        applicant_id = await national.scalar(
            select(Applicant.id).where(Applicant.id_number == person.id_number)
        )
        return await register_first(
            session,
            national,
            province=Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code),
            registrant=Registrant(
                person_key("resident_id", person.id_number),
                applicant_id,
                "resident_id",
                person.id_number,
                person.name,
                "F",
            ),
            terms=Terms(
                "pharmacy",
                "distribution",
                unit.id,
                unit.name,
                unit.division_code,
                person.qualification_no,
            ),
            rules=await load_rules(session),
            decided=Decided(None, "测试", on),
        )


async def approve(new_browser, slug: str, ref: str, *, review: bool = True) -> None:
    """Accept, review and approve as the province bureau's officers."""
    steps = (
        [("accept", "accept"), ("review", "forward"), ("decide", "approve")]
        if review
        else [("accept", "accept"), ("decide", "approve")]
    )
    for login, action in steps:
        officer = new_browser()
        await officer.sign_in(f"/p/{slug}/office", f"{slug}.{login}")
        response = await officer_act(officer, slug, ref, action, note="同意")
        assert response.status_code == 303, response.text[response.text.find("<main") :][:1500]
