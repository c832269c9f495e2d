"""Demo registrations and applications, made through the same services as real ones:
pharmacists with qualifications and CE credits, some registered, and cases waiting in the pools."""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import (
    Routing,
    add_attachment,
    count_applications,
    save_draft,
    start_application,
    submit_application,
)
from pharmreg.authority import Units, load_policy
from pharmreg.demo.generator import Person
from pharmreg.identity import applicant_account_by_login, security_rules
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.tabular import Row
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice import PracticeUnitRead, list_practice_units
from pharmreg.qualifications import demo_accounts, import_ce_credits, import_qualifications
from pharmreg.register import Decided, Province, Registrant, Terms, load_rules, person_key, register_first
from pharmreg.tenancy import TenantInfo

REGISTERED = 10  # the first demo pharmacists of a province hold a registration
# Open cases of the registered ones: (index, matter, form changes).
OPEN_OF_REGISTERED = ((0, "change"), (1, "renewal"), (2, "cancellation"), (3, "change"))
# 学历 and 专业 of the demo pharmacists, in turn: mostly 本科 and 大专, mostly 药学.
_EDUCATION = ("bachelor", "college", "bachelor", "master", "college", "secondary", "bachelor", "doctor")
_MAJORS = ("pharmacy", "pharmacy", "clinical_pharmacy", "pharmacy", "related", "pharmacy", "tcm")


def _schooling(index: int) -> tuple[str, str]:
    """(education, major) of the index-th demo pharmacist; a 中药学 registrant studied 中药学."""
    major = "tcm" if index % 5 == 4 else _MAJORS[index % len(_MAJORS)]
    return _EDUCATION[index % len(_EDUCATION)], major


def _png(rng: random.Random) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (90, 120), (rng.randrange(120, 220), 180, 200)).save(out, format="PNG")
    return out.getvalue()


def _pdf(title: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.drawString(72, 760, title)
    page.save()
    return out.getvalue()


def qualification_number(slug: str, index: int) -> str:
    return f"DEMO{slug.upper()}{index:05d}"


async def load_reference(
    db: Database, slug: str, people: Sequence[Person], rng: random.Random, today: date
) -> None:
    """Each demo pharmacist's qualification (药学, some 中药学) and recent CE credits (idempotent)."""
    qualifications: list[Row] = []
    credits: list[Row] = []
    for index, someone in enumerate(people):
        obtained = date(rng.randrange(2012, 2019), 10, rng.randrange(15, 29))
        qualifications.append(
            Row(
                index + 2,
                {
                    "certificate_no": qualification_number(slug, index),
                    "name": someone.name,
                    "id_number": someone.id_number,
                    "category": "中药学" if index % 5 == 4 else "药学",
                    "obtained_on": obtained.isoformat(),
                    "subject_1_name": "药学专业知识（一）",
                    "subject_1_score": str(rng.randrange(72, 110)),
                    "subject_1_year": str(obtained.year),
                },
            )
        )
        for year in range(max(obtained.year + 1, today.year - 5), today.year):
            for part, amount in (("公需科目", 10), ("专业科目", 20)):
                credits.append(
                    Row(
                        len(credits) + 2,
                        {
                            "id_number": someone.id_number,
                            "name": someone.name,
                            "year": str(year),
                            "part": part,
                            "hours": str(amount * 3),
                            "credits": str(amount),
                            "issuer": "国家执业药师继续教育平台（演示）",
                            "certificate_no": f"DEMO-{slug}-{index}-{year}-{part}",
                        },
                    )
                )
    async with db.national() as session, session.begin():
        assert not (await import_qualifications(session, qualifications)).errors
        assert not (await import_ce_credits(session, credits)).errors


async def load_cases(
    db: Database,
    tenant: TenantInfo,
    people: Sequence[Person],
    rng: random.Random,
    today: date,
    authority_model: str,
    first_city: str,
) -> int:
    """Registrations for the first pharmacists, and open applications for the others; once."""
    province = Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
    async with db.tenant(tenant.schema, tenant.placement) as session:
        if await count_applications(session):
            return 0
        units = await list_practice_units(session, limit=500)
        fresh = today + timedelta(days=400)
        usable = [u for u in units if u.status == "active" and u.licence_valid_until > fresh]
        retail = [u for u in usable if u.unit_type.startswith("retail")] or usable
        in_city = [u for u in retail if u.division_code.startswith(first_city)] or retail
        routing = Routing(await load_policy(session, authority_model), await Units.load(session))
        rules = await load_rules(session)
        await session.rollback()
    made = 0
    async with db.tenant(tenant.schema, tenant.placement) as session, db.national() as national:
        security = await security_rules(national)
        await national.rollback()
        for index, someone in enumerate(people):
            applicant = await applicant_account_by_login(national, someone.id_number, security)
            await national.rollback()
            if applicant is None:
                continue
            unit = (in_city if index % 3 == 0 else retail)[index % len(in_city if index % 3 == 0 else retail)]
            if index < REGISTERED:
                approved_on = today - timedelta(days=rng.randrange(200, 1800) if index != 1 else 1780)
                async with transaction(session), transaction(national):
                    await register_first(
                        session,
                        national,
                        province=province,
                        registrant=Registrant(
                            person_key(applicant.id_type, applicant.id_number),
                            applicant.id,
                            applicant.id_type,
                            applicant.id_number,
                            applicant.name,
                            applicant.sex,
                            *_schooling(index),
                        ),
                        terms=Terms(
                            "tcm" if index % 5 == 4 else "pharmacy",
                            "distribution",
                            unit.id,
                            unit.name,
                            unit.division_code,
                            qualification_number(tenant.slug, index),
                        ),
                        rules=rules,
                        decided=Decided(None, "演示数据", approved_on),
                    )
            matter = next((m for i, m in OPEN_OF_REGISTERED if i == index), None)
            if matter is None and index < REGISTERED:
                continue
            other = retail[(index + 7) % len(retail)]
            form = _form(
                matter or "first_registration", tenant.slug, index, other if matter == "change" else unit
            )
            async with transaction(session), transaction(national):
                app = await start_application(
                    session,
                    national,
                    province=province,
                    applicant=applicant,
                    matter=matter or "first_registration",
                    rules=rules,
                )
                await save_draft(session, app, form)
                for material, data, name in _materials(matter or "first_registration", rng):
                    await add_attachment(
                        session, app, material_key=material, filename=name, data=data, rules=rules
                    )
                await submit_application(
                    session,
                    national,
                    province=province,
                    app=app,
                    rules=rules,
                    calendar=WorkCalendar(),
                    routing=routing,
                    today=today,
                )
            made += 1
    return made


def _form(matter: str, slug: str, index: int, unit: PracticeUnitRead) -> dict[str, Any]:
    category = "tcm" if index % 5 == 4 else "pharmacy"
    form: dict[str, Any] = {
        "declaration": "yes",
        "categories": [category],
        "scope": "distribution",
        "unit_uscc": unit.uscc,
    }
    if matter == "first_registration":
        form["qualification_no"] = qualification_number(slug, index)
    if matter in ("first_registration", "change"):
        form["education"], form["major"] = _schooling(index)
    if matter == "cancellation":
        form["reason"] = "left_post"
    return form


def _materials(matter: str, rng: random.Random) -> list[tuple[str, bytes, str]]:
    if matter == "first_registration":
        return [
            ("photo", _png(rng), "照片.png"),
            ("id_copy", _pdf("ID"), "身份证.pdf"),
            ("qualification", _pdf("QUALIFICATION"), "资格证书.pdf"),
            ("consent", _pdf("CONSENT"), "聘用证明.pdf"),
        ]
    if matter in ("change", "renewal"):
        return [("consent", _pdf("CONSENT"), "聘用证明.pdf")]
    return []


async def demo_pharmacists(national: AsyncSession) -> list[tuple[str, str, str]]:
    """(mobile, name, qualification number) of every demo pharmacist, by province."""
    return await demo_accounts(national, prefix="DEMO")
