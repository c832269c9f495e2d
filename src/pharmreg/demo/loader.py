"""Loading the demo data set through the platform's own services (events included)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.consultations import load_consultation_samples
from pharmreg.demo.cases import load_cases, load_reference
from pharmreg.demo.content import load_content
from pharmreg.demo.forum_posts import load_forum
from pharmreg.demo.generator import (
    Person,
    bureau_email,
    chinese_name,
    landline,
    mobile,
    organisation,
    person,
    street_address,
)
from pharmreg.demo.history import HISTORY_PER_PROVINCE, load_history
from pharmreg.demo.risks import plant_risk_cases
from pharmreg.divisions import DivisionIndex, DivisionRead
from pharmreg.identity import (
    ApplicantCreate,
    OfficerCreate,
    Position,
    StaffCreate,
    UnitRead,
    create_officer,
    create_staff,
    fill_unit_contacts,
    hash_password,
    list_officers,
    list_public_contact,
    list_units,
    register_applicant,
)
from pharmreg.kit.clock import utcnow
from pharmreg.kit.codes import province_abbreviation
from pharmreg.kit.db import Database
from pharmreg.practice import (
    PracticeUnitCreate,
    PracticeUnitError,
    UnitType,
    register_practice_unit,
)
from pharmreg.tenancy import TenantDirectory, TenantInfo, tenant_divisions

DEMO_PASSWORD = "Pharmreg#2026"
DEMO_PROVINCES = ("gd", "js", "sc", "bj", "bt")
PRACTICE_UNITS_PER_PROVINCE = 40
APPLICANTS_PER_PROVINCE = 30
# Roughly nine in ten registrations are in retail (domain.md, "Scale").
_UNIT_TYPE_WEIGHTS = (
    (UnitType.RETAIL_CHAIN_STORE, 50),
    (UnitType.RETAIL, 38),
    (UnitType.WHOLESALE, 5),
    (UnitType.MANUFACTURER, 3),
    (UnitType.MEDICAL, 4),
)
_PROVINCE_POSTS: tuple[tuple[str, str, tuple[Position, ...]], ...] = (
    ("admin", "系统管理员", (Position.TENANT_ADMIN,)),
    ("accept", "受理员", (Position.ACCEPTANCE,)),
    ("review", "审核员", (Position.REVIEW,)),
    ("decide", "审批员", (Position.DECISION,)),
    ("cert", "制证员", (Position.CERTIFICATE,)),
    ("publish", "信息员", (Position.PUBLISHING, Position.CONSULTATION, Position.COMPLAINT)),
    ("editor", "信息审核员", (Position.PUBLISHING_REVIEW,)),
    ("stats", "统计员", (Position.STATISTICS,)),
)
_STAFF = (
    ("nmpa.root", "陈立国", "国家药品监督管理局信息中心", "superadmin"),
    ("nmpa.admin", "周建华", "国家药品监督管理局执业药师资格认证中心", "staff"),
    ("nmpa.analyst", "林晓雯", "国家药品监督管理局药品监督管理司", "staff"),
)
# A city bureau answers its area's consultations and complaints itself, so that items can be
# passed between the province bureau and its cities.
_CITY_POSTS: tuple[tuple[str, tuple[Position, ...]], ...] = (
    ("admin", (Position.TENANT_ADMIN,)),
    ("consult", (Position.CONSULTATION, Position.COMPLAINT)),
)
_LOCAL_POSTS: tuple[tuple[str, tuple[Position, ...]], ...] = (
    ("accept", (Position.ACCEPTANCE,)),
    ("review", (Position.REVIEW,)),
    ("decide", (Position.DECISION, Position.CERTIFICATE)),
)


# Officers the public reaches, by username suffix: what they do for it, listed on the contacts page.
_PUBLIC_DUTIES = {
    "accept": "执业药师注册申请受理、材料补正咨询",
    "publish": "政策咨询、投诉举报受理",
    "cert": "电子注册证制作、补办咨询",
}
# Where a bureau whose code is no GB/T 2260 division sits: the Corps' headquarters are in Urumqi.
_SEATS = {"660000": "650102"}
AREA_CODES_FILE = Path(__file__).resolve().parents[3] / "tenants" / "reference" / "area_codes.tsv"


def read_area_codes(path: Path = AREA_CODES_FILE) -> dict[str, str]:
    """Division code -> telephone area code (tenants/reference/area_codes.tsv)."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return dict(line.split("\t") for line in lines if line)


@dataclass
class DemoLogin:
    where: str
    username: str
    name: str
    role: str


@dataclass
class DemoReport:
    officers: int = 0
    practice_units: int = 0
    applicants: int = 0
    staff: int = 0
    tasks: int = 0
    articles: int = 0
    forum_threads: int = 0
    unit_contacts: int = 0
    public_contacts: int = 0
    history_registrations: int = 0
    history_events: int = 0


async def load_demo(
    db: Database,
    directory: TenantDirectory,
    index: DivisionIndex,
    *,
    today: date,
    authority_model: str,
    seed: int = 2026,
    history: int = HISTORY_PER_PROVINCE,
) -> DemoReport:
    """Create the demo data set; running it again adds nothing (natural keys are unique).

    `history`: pharmacists per demo province with years of registration history (first
    registrations, changes, renewals, cancellations, expiries) for the statistics; 0 for none.
    """
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: demo only
    report = DemoReport()
    async with db.national() as session, session.begin():
        await _load_staff(session, password_hash, report)
    area_codes = read_area_codes()
    for province in directory.provinces():
        if directory.get(province.slug) is None:
            continue
        async with db.tenant(province.schema, province.placement) as session, session.begin():
            report.unit_contacts += await _load_unit_contacts(session, province, index, area_codes, seed)
    for slug in DEMO_PROVINCES:
        tenant = directory.get(slug)
        if tenant is None:
            continue
        rng = random.Random(f"{seed}:{slug}")
        own = tenant_divisions(tenant, directory, index)
        async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            for data, _login in plan_officers(tenant, own, password_hash):
                report.officers += await create_officer(session, data) is not None
            report.public_contacts += await _load_public_contacts(
                session, random.Random(f"{seed}:{slug}:contacts")
            )
            await _load_practice_units(session, tenant, own, rng, today, report)
        async with db.national() as session, session.begin():
            people = await _load_applicants(session, own, rng, today, password_hash, report)
        # Their own generator: cases are made once, which must not shift anything else.
        cases_rng = random.Random(f"{seed}:{slug}:cases")
        await load_reference(db, slug, people, cases_rng, today)
        cities = [d for d in own if d.level == 2 and not d.is_grouping]
        first_city = cities[0].code[:4] if cities else tenant.division_code[:2]
        report.tasks += await load_cases(db, tenant, people, cases_rng, today, authority_model, first_city)
        past = await load_history(
            db, tenant, own, random.Random(f"{seed}:{slug}:history"), today, pharmacists=history
        )
        report.history_registrations += past.registrations
        report.history_events += past.events
    provinces = [directory.get(slug) for slug in DEMO_PROVINCES]
    report.articles = await load_content(
        db, [(t.slug, t.schema, t.placement, t.name) for t in provinces if t is not None], now=utcnow()
    )
    report.forum_threads = await load_forum(db, directory)
    await load_consultation_samples(db, directory, index, today=today)
    await plant_risk_cases(db, directory, today=today)
    return report


def bureau_contacts(
    tenant: TenantInfo,
    units: list[UnitRead],
    index: DivisionIndex,
    area_codes: Mapping[str, str],
    rng: random.Random,
) -> dict[int, tuple[str, str, str]]:
    """Realistic (phone, address, e-mail) of each bureau: its city's area code, an address in its
    own place (the province bureau in the capital), a mailbox on a demo government domain."""
    found = {}
    for unit in units:
        division = index.get(unit.division_code)
        code = unit.division_code
        if code in _SEATS:
            place_code = _SEATS[code]
        elif unit.level == 1:
            # The province bureau sits in the capital (the first city), or a municipality's first district.
            capital = next((c for c in index.cities_of(code) if not c.is_grouping), None)
            seat = capital or next(iter(index.counties_of(code) or index.children(code)), None)
            first = next(iter(index.counties_of(seat.code)), None) if seat and seat.level == 2 else seat
            chosen = first or seat
            place_code = chosen.code if chosen is not None else code
        elif unit.level == 2:
            place_code = next((c.code for c in index.counties_of(code)), code)
        else:
            place_code = code
        place = index.get(place_code) or division
        parts = place.full_name.split(" ") if place else [tenant.name]
        # "广东省 广州市 天河区" -> 广州市天河区; "北京市 东城区" -> 北京市东城区
        named = "".join(parts[1:]) if len(parts) == 3 else "".join(parts)
        area = (
            area_codes.get(place_code)
            or area_codes.get(place_code[:4] + "00")
            or area_codes.get(code[:4] + "00")
            or area_codes.get(code[:2] + "0000")
            or area_codes.get(next((c.code for c in index.cities_of(code[:2] + "0000")), ""), "0991")
        )
        found[unit.id] = (
            landline(rng, area),
            street_address(rng, named),
            bureau_email(tenant.slug, code, unit.level),
        )
    return found


async def _load_unit_contacts(
    session: AsyncSession, tenant: TenantInfo, index: DivisionIndex, area_codes: Mapping[str, str], seed: int
) -> int:
    units = await list_units(session)
    details = bureau_contacts(tenant, units, index, area_codes, random.Random(f"{seed}:{tenant.slug}:units"))
    return await fill_unit_contacts(session, details)


async def _load_public_contacts(session: AsyncSession, rng: random.Random) -> int:
    """The demo officers who serve the public, listed with a work phone near their bureau's number."""
    units = {u.id: u for u in await list_units(session)}
    listed = 0
    for officer in await list_officers(session, limit=5000):
        duties = _PUBLIC_DUTIES.get(officer.username.rsplit(".", 1)[-1])
        unit = units.get(officer.unit_id)
        if duties is None or unit is None or not unit.phone:
            continue
        work_phone = unit.phone[:-2] + f"{rng.randrange(10, 99)}"
        order = list(_PUBLIC_DUTIES).index(officer.username.rsplit(".", 1)[-1])
        listed += await list_public_contact(
            session, unit.id, officer.id, work_phone=work_phone, duties=duties, sort_order=order
        )
    return listed


async def _load_staff(session: AsyncSession, password_hash: str, report: DemoReport) -> None:
    for username, name, department, role in _STAFF:
        created = await create_staff(
            session,
            StaffCreate(username=username, name=name, department=department, password_hash=password_hash),
            role=role,
        )
        report.staff += created is not None


def plan_officers(
    tenant: TenantInfo, own: list[DivisionRead], password_hash: str
) -> list[tuple[OfficerCreate, DemoLogin]]:
    """The demo officers of a province: its bureau's posts, two cities, two counties."""
    rng = random.Random(f"officers:{tenant.slug}")
    planned = []
    for suffix, title, posts in _PROVINCE_POSTS:
        planned.append(
            _officer(
                rng,
                tenant.slug,
                suffix,
                tenant.division_code,
                posts,
                password_hash,
                tenant.authority_name,
                title,
            )
        )
    # Two cities (or, in a municipality, two districts) and two counties of the first city.
    cities = [d for d in own if d.level == 2 and not d.is_grouping][:2]
    counties = [d for d in own if d.level == 3 and cities and d.parent_code == cities[0].code][:2]
    if not cities:
        counties = [d for d in own if d.level == 3][:2]
    for division in [*cities, *counties]:
        # A city bureau has its own administrator: its officers, and passing authority on to its counties.
        local = (*_CITY_POSTS, *_LOCAL_POSTS) if division.level == 2 else _LOCAL_POSTS
        for suffix, posts in local:
            planned.append(
                _officer(
                    rng,
                    f"{tenant.slug}.{division.code}",
                    suffix,
                    division.code,
                    posts,
                    password_hash,
                    division.full_name,
                    "、".join(p.label for p in posts),
                )
            )
    return planned


def _officer(
    rng: random.Random,
    prefix: str,
    suffix: str,
    unit_code: str,
    posts: tuple[Position, ...],
    password_hash: str,
    where: str,
    role: str,
) -> tuple[OfficerCreate, DemoLogin]:
    username = f"{prefix}.{suffix}"
    name = chinese_name(rng)
    data = OfficerCreate(
        username=username,
        name=name,
        unit_division_code=unit_code,
        password_hash=password_hash,
        mobile=mobile(rng),
        positions=tuple(p.value for p in posts),
    )
    return data, DemoLogin(where, username, name, role)


def demo_logins(directory: TenantDirectory, index: DivisionIndex) -> list[DemoLogin]:
    """Every demo account, computed without touching the database."""
    logins = [
        DemoLogin("全国", username, name, "超级管理员" if role == "superadmin" else department)
        for username, name, department, role in _STAFF
    ]
    for slug in DEMO_PROVINCES:
        tenant = directory.get(slug)
        if tenant is not None:
            own = tenant_divisions(tenant, directory, index)
            logins.extend(login for _data, login in plan_officers(tenant, own, ""))
    return logins


async def _load_practice_units(
    session: AsyncSession,
    tenant: TenantInfo,
    own: list[DivisionRead],
    rng: random.Random,
    today: date,
    report: DemoReport,
) -> None:
    counties = [d for d in own if d.level == 3]
    kinds = [k for k, _w in _UNIT_TYPE_WEIGHTS]
    weights = [w for _k, w in _UNIT_TYPE_WEIGHTS]
    territory = {d.code for d in own}
    for _ in range(PRACTICE_UNITS_PER_PROVINCE):
        county = rng.choice(counties)
        # "广东省 广州市 天河区" -> 广州市天河区 in 广州市; "北京市 东城区" -> 北京市东城区 in 北京市
        parts = county.full_name.split(" ")
        place = "".join(parts[1:]) if len(parts) == 3 else "".join(parts)
        city = parts[1] if len(parts) == 3 else (parts[0] if parts[0].endswith("市") else parts[-1])
        org = organisation(
            rng,
            unit_type=rng.choices(kinds, weights)[0].value,
            division_code=county.code,
            place=place,
            city=city,
            province_abbr=province_abbreviation(tenant.division_code),
            today=today,
        )
        try:
            await register_practice_unit(
                session,
                PracticeUnitCreate(
                    uscc=org.uscc,
                    name=org.name,
                    unit_type=UnitType(org.unit_type),
                    licence_no=org.licence_no,
                    licence_valid_until=org.licence_valid_until,
                    division_code=org.division_code,
                    address=org.address,
                    principal=org.principal,
                ),
                in_territory=territory.__contains__,
            )
        except PracticeUnitError:
            continue  # already loaded by an earlier run
        report.practice_units += 1


async def _load_applicants(
    session: AsyncSession,
    own: list[DivisionRead],
    rng: random.Random,
    today: date,
    password_hash: str,
    report: DemoReport,
) -> list[Person]:
    counties = [d for d in own if d.level == 3]
    people = []
    for number in range(APPLICANTS_PER_PROVINCE):
        # One name per province uses a CJK Extension B character (𠮷), which forms,
        # the database and documents must keep intact.
        name = "王𠮷" if number == 7 else None
        someone = person(rng, rng.choice(counties).code, name=name, today=today)
        created = await register_applicant(
            session,
            ApplicantCreate(
                id_type="resident_id",
                id_number=someone.id_number,
                name=someone.name,
                sex=someone.sex,
                birth_date=someone.birth_date,
                mobile=someone.mobile,
                password_hash=password_hash,
                mobile_confirmed_at=utcnow(),  # demo mobiles count as confirmed, as migrated accounts do
            ),
        )
        report.applicants += created is not None
        people.append(someone)
    return people
