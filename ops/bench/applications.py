"""Benchmark: applications, officers' lists and public verification in a Guangdong-sized province.

The first run generates into Guangdong (gd, 440000) with bulk COPY: ~8,000 practice units
spread by city population, ~80,000 active registrations with their history (registered,
renewed, changed; ~150,000 rows) and national index entries, ~60,000 closed applications of
the past three years (approved or refused, with events, tasks and task history) and ~20,000
open ones (waiting for acceptance, review or decision; one open task each, their materials,
the national open-case slots), and the applicants and qualification records of everyone. The
province bureau hands every matter in Guangzhou (440100) to the Guangzhou city bureau through
`grant_delegation`, so cases there are routed to the city's pool. Later runs find the data by
counting rows and measure at once. When the counts fall short (a smaller earlier run, or
ops/bench/provisioning.py re-created tenant_gd), or with --regenerate, tenant_gd is dropped and
provisioned again (histories and timelines are append-only: their triggers refuse DELETE and
TRUNCATE), the generated national rows are deleted, and everything is made again.

Measured, each call in fresh sessions as a request makes it:

- submitting an application: `submit_application` plus the commits of both sessions (national
  first, as `committed_together` does), on drafts of fresh applicants prepared beforehand
  (qualification record, practice unit, the four required materials); also the handler's whole
  transaction, with the loads it makes (application, rules, calendar, units);
- an officer's to-do list (`todo_list`): the province bureau's acceptance and review officers,
  the Guangzhou city bureau's acceptance officer;
- the deadline view (`deadline_rows`): whole province, the province bureau's pool, Guangzhou's;
- public verification: `verify_certificate` against the national index, one caller and several
  concurrent callers; then GET /api/v1/verify/ through the whole ASGI app with httpx, every
  request from its own client address so that the limit of 20 a minute never refuses (its
  Redis count still runs); request logging at WARNING.

Certificate PDFs per second: ops/bench/certificates.py.

Run (servers from ops/stack.py; uses its own database `pharmreg_bench`):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/applications.py [--submits 300] [--runs 100] [--verifications 3000]
        [--concurrency 8] [--explain] [--regenerate]
        [--registrations 80000 --open 20000 --closed 60000 --units 8000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import itertools
import json
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import httpx
from common import ROOT, bench_url
from PIL import Image
from provisioning import ensure_bench_database, one_tenant
from reportlab.pdfgen import canvas
from sqlalchemy import delete, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import (
    Routing,
    add_attachment,
    deadline_rows,
    materials_for,
    save_draft,
    start_application,
    submit_application,
)
from pharmreg.applications.models import ApplicantTenant, Application, ApplicationEvent, application_ref_seq
from pharmreg.audit import SYSTEM
from pharmreg.authority import (
    AuthorityPolicy,
    DelegationForm,
    Matter,
    Units,
    delegators_for,
    grant_delegation,
    load_policy,
)
from pharmreg.authority.models import Delegation
from pharmreg.demo.generator import chinese_name, organisation
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    ApplicantAccount,
    OfficerAccount,
    OfficerCreate,
    PostPermissions,
    create_officer,
    hash_password,
    load_officer_account,
    security_rules,
)
from pharmreg.identity.models import Applicant, Officer
from pharmreg.kit.clock import CHINA_TIME, china_today
from pharmreg.kit.codes import resident_id_check_char
from pharmreg.kit.db import Database, committed_together
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice.models import PracticeUnit
from pharmreg.qualifications.models import Qualification
from pharmreg.register import load_rules, province_of, verify_certificate
from pharmreg.register.models import OpenCase, RegisterEntry, Registration, RegistrationHistory
from pharmreg.settings import Settings
from pharmreg.tenancy import TenantDirectory, TenantInfo, load_directory, tenant_divisions
from pharmreg.web.app import create_app
from pharmreg.workflow import Process, Task, current_process, load_calendar, todo_list

SLUG = "gd"
PROVINCE = "440000"
CITY = "440100"  # Guangzhou: its city bureau handles the cases in its districts
MODEL = (ROOT / "policies" / "authority.conf").read_text(encoding="utf-8")
PERMISSIONS = PostPermissions.from_file(ROOT / "policies" / "permissions.csv")
BENCH_PASSWORD = "Bench#Pass2026"  # noqa: S105 - every generated account shares it
# Residents in millions (2020 census, rounded): practice units, and so pharmacists, follow them.
CITY_RESIDENTS = {
    "440100": 18.7,
    "440200": 2.9,
    "440300": 17.6,
    "440400": 2.4,
    "440500": 5.5,
    "440600": 9.5,
    "440700": 4.8,
    "440800": 7.0,
    "440900": 6.2,
    "441200": 4.1,
    "441300": 6.0,
    "441400": 3.9,
    "441500": 2.7,
    "441600": 2.8,
    "441700": 2.6,
    "441800": 4.0,
    "441900": 10.5,
    "442000": 4.4,
    "445100": 2.6,
    "445200": 5.6,
    "445300": 2.4,
}
# Nine in ten pharmacists work in retail, as the demo data has it.
UNIT_TYPES = {"retail_chain_store": 50, "retail": 38, "wholesale": 5, "manufacturer": 3, "medical": 4}
SCOPE_OF = {"manufacturer": "production", "medical": "use"}  # the others: distribution
OFFICERS = {
    PROVINCE: {"acceptance": 8, "review": 8, "decision": 4},
    CITY: {"acceptance": 3, "review": 3, "decision": 2},
}
MOBILE_PREFIX = "170"  # generated applicants: 170 and eight digits
QUALIFICATION_PREFIX = "QB"
HISTORY_YEARS = 3  # applications go back this far; older registrations were decided on paper
FRESH_PEOPLE = 2_000_000  # the applicants made for the submissions are numbered from here
ACTION_LABELS = {
    "accept": "受理",
    "forward": "审核通过，提交下一环节",
    "approve": "准予注册",
    "refuse": "不予注册",
}

Officers = dict[tuple[str, str], list[tuple[uuid.UUID, str]]]  # (unit code, position) -> [(id, name)]


@dataclass(frozen=True)
class Sizes:
    units: int
    registrations: int
    open: int
    closed: int


# --------------------------------------------------------------------------- output


def line(label: str, seconds: Sequence[float], extra: str = "") -> str:
    ordered = sorted(s * 1000 for s in seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    return f"{label:<62} median {median:8.2f} ms   p99 {p99:8.2f} ms   (n={len(ordered)}){extra}"


def rate(label: str, count: int, seconds: float, extra: str = "") -> str:
    return f"{label:<62} {count / seconds:8.0f} per s   (n={count}){extra}"


async def repeat(runs: int, call: Callable[[], Awaitable[int]]) -> tuple[list[float], int]:
    """Seconds per call after three untimed warm-up calls, and what the last call returned."""
    result = 0
    for _ in range(3):
        result = await call()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await call()
        seconds.append(time.perf_counter() - started)
    return seconds, result


# --------------------------------------------------------------------------- bulk writing


class Table:
    """Rows for one table, given by column name, written with COPY."""

    def __init__(self, schema: str, name: str, columns: str) -> None:
        self.schema, self.name, self.columns = schema, name, tuple(columns.split())
        self.rows: list[tuple[Any, ...]] = []

    def add(self, **values: Any) -> None:
        assert len(values) == len(self.columns), set(values) ^ set(self.columns)
        self.rows.append(tuple(values[c] for c in self.columns))

    async def copy(self, session: AsyncSession) -> None:
        """COPY the rows in the session's transaction (binary, through asyncpg)."""
        if not self.rows:
            return
        await session.execute(text("SELECT 1"))  # the driver's transaction is open before COPY
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.copy_records_to_table(
            self.name, schema_name=self.schema, columns=list(self.columns), records=self.rows
        )


async def next_id(session: AsyncSession, schema: str, table: str) -> int:
    statement = text("SELECT nextval(pg_get_serial_sequence(:table, 'id'))")
    return int(await session.scalar(statement, {"table": f"{schema}.{table}"}))


async def set_id_sequence(session: AsyncSession, schema: str, table: str, last: int) -> None:
    statement = text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)")
    await session.execute(statement, {"table": f"{schema}.{table}", "last": last})


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def moment(day: date, rng: random.Random) -> datetime:
    """A time in office hours of `day`, China time."""
    return datetime.combine(day, clock_time(9), CHINA_TIME) + timedelta(minutes=rng.randrange(480))


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), "#336699").save(out, format="PNG")
    return out.getvalue()


def pdf(label: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, label)
    page.save()
    return out.getvalue()


# --------------------------------------------------------------------------- people and places


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    uscc: str
    name: str
    unit_type: str
    division_code: str
    licence_valid_until: date

    @property
    def scope(self) -> str:
        return SCOPE_OF.get(self.unit_type, "distribution")


@dataclass(frozen=True, slots=True)
class Someone:
    number: int
    applicant_id: uuid.UUID
    name: str
    id_number: str
    sex: str
    birth: date
    category: str

    @property
    def key(self) -> str:
        return f"resident_id:{self.id_number}"

    @property
    def mobile(self) -> str:
        return f"{MOBILE_PREFIX}{self.number:08d}"

    @property
    def qualification_no(self) -> str:
        return f"{QUALIFICATION_PREFIX}{self.number:010d}"


def someone(number: int, rng: random.Random, birthplaces: Sequence[str]) -> Someone:
    """Person `number`; ID numbers are unique by construction (birth day and order come from the number)."""
    birth = date(1962, 1, 1) + timedelta(days=(number * 7919) % 13_000)  # 7919 is prime to 13,000
    sex = rng.choice("MF")
    order = (number // 13_000) * 2 + (sex == "M")  # odd for men; three digits up to 6.5 million people
    first17 = f"{rng.choice(birthplaces)}{birth:%Y%m%d}{order:03d}"
    return Someone(
        number=number,
        applicant_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        name=chinese_name(rng),
        id_number=first17 + resident_id_check_char(first17),
        sex=sex,
        birth=birth,
        category="pharmacy" if rng.random() < 0.86 else "tcm",
    )


def form_of(who: Someone, place: Place) -> dict[str, str]:
    return {
        "qualification_no": who.qualification_no,
        "qualification_no_2": "",
        "categories": who.category,
        "scope": place.scope,
        "unit_uscc": place.uscc,
        "reason": "",
        "note": "",
        "declaration": "yes",
    }


class People:
    """National rows of generated people: accounts and qualification records."""

    def __init__(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.applicants = Table(
            "national", "applicant", "id id_type id_number name sex birth_date mobile password_hash"
        )
        self.qualifications = Table(
            "national", "qualification", "certificate_no name id_number category obtained_on education major"
        )

    def add(self, who: Someone, qualified_on: date) -> None:
        self.applicants.add(
            id=who.applicant_id,
            id_type="resident_id",
            id_number=who.id_number,
            name=who.name,
            sex=who.sex,
            birth_date=who.birth,
            mobile=who.mobile,
            password_hash=self.password_hash,
        )
        self.qualifications.add(
            certificate_no=who.qualification_no,
            name=who.name,
            id_number=who.id_number,
            category=who.category,
            obtained_on=qualified_on,
            education="本科",
            major="药学" if who.category == "pharmacy" else "中药学",
        )


# --------------------------------------------------------------------------- the province


@dataclass
class World:
    db: Database
    tenant: TenantInfo
    index: DivisionIndex
    today: date
    calendar: WorkCalendar
    policy: AuthorityPolicy
    units: Units
    processes: dict[str, tuple[int, Process]]
    officers: Officers
    places: list[Place] = field(default_factory=list)
    _holders: dict[tuple[str, str], int] = field(default_factory=dict)

    def holder(self, matter: str, division: str) -> int:
        """The id of the unit whose pool gets a task of `matter` at `division`."""
        key = (matter, division)
        if key not in self._holders:
            code = self.policy.responsible_unit(matter, division)
            assert code is not None, key
            self._holders[key] = self.units.by_code[code].id
        return self._holders[key]

    def officer(self, unit_id: int, position: str, rng: random.Random) -> tuple[uuid.UUID | None, str]:
        found = self.officers.get((self.units.by_id[unit_id].division_code, position))
        return rng.choice(found) if found else (None, "经办人")


def places_of(tenant: TenantInfo, directory: TenantDirectory, index: DivisionIndex) -> dict[str, float]:
    """Counties (and cities without counties) -> their share of the population."""
    counties: dict[str, list[str]] = {}
    for division in tenant_divisions(tenant, directory, index):
        if division.level == 3 and division.parent_code:
            counties.setdefault(division.parent_code, []).append(division.code)
    weights = {}
    for city, residents in CITY_RESIDENTS.items():
        inside = counties.get(city, [city])
        weights |= {code: residents / len(inside) for code in inside}
    return weights


async def ensure_officers(db: Database, tenant: TenantInfo, password_hash: str) -> Officers:
    """A province administrator; acceptance, review and decision officers in two bureaus."""
    rng = random.Random(17)
    wanted = [
        OfficerCreate(
            f"bench.{PROVINCE}.tenant_admin.00",
            "基准管理员",
            PROVINCE,
            password_hash,
            positions=("tenant_admin",),
        )
    ]
    for unit_code, posts in OFFICERS.items():
        for position, count in posts.items():
            wanted += [
                OfficerCreate(
                    f"bench.{unit_code}.{position}.{n:02d}",
                    chinese_name(rng),
                    unit_code,
                    password_hash,
                    positions=(position,),
                )
                for n in range(count)
            ]
    bench = Officer.username.like("bench.4%")
    async with db.tenant(tenant.schema) as session, session.begin():
        existing = set(await session.scalars(select(Officer.username).where(bench)))
        for data in wanted:
            if data.username not in existing:
                await create_officer(session, data)
    async with db.tenant(tenant.schema) as session:
        rows = await session.execute(select(Officer.id, Officer.name, Officer.username).where(bench))
    found: Officers = {}
    for officer_id, name, username in sorted(rows, key=lambda r: r.username):
        _bench, unit_code, position, _number = username.split(".")
        found.setdefault((unit_code, position), []).append((officer_id, name))
    return found


async def officer_account(db: Database, tenant: TenantInfo, officer_id: uuid.UUID) -> OfficerAccount:
    async with db.tenant(tenant.schema) as session:
        rules = await security_rules(session)
        account = await load_officer_account(session, SLUG, officer_id, rules, PERMISSIONS)
    assert account is not None
    return account


async def ensure_delegation(
    db: Database, tenant: TenantInfo, index: DivisionIndex, officers: Officers
) -> None:
    """Every matter in Guangzhou handed to the Guangzhou city bureau (once)."""
    async with db.tenant(tenant.schema) as session:
        city = (await Units.load(session)).by_code[CITY]
        to_city = select(func.count()).select_from(Delegation).where(Delegation.delegate_unit_id == city.id)
        if await session.scalar(to_city):
            return
    admin = await officer_account(db, tenant, officers[(PROVINCE, "tenant_admin")][0][0])
    async with db.tenant(tenant.schema) as session, session.begin():
        await grant_delegation(
            session,
            DelegationForm(
                delegate_unit_id=city.id,
                matters=tuple(m.value for m in Matter),
                reason="基准测试：广州市局办理本市注册",
            ),
            tenant=tenant,
            grantor=admin,
            divisions=index,
            policy=await load_policy(session, MODEL),
            actor=SYSTEM,
        )


async def ensure_practice_units(world: World, target: int, weights: dict[str, float]) -> None:
    """Practice units up to `target`, spread like the population; then loads them all."""
    schema = world.tenant.schema
    async with world.db.tenant(schema) as session, session.begin():
        have = await session.scalar(select(func.count()).select_from(PracticeUnit)) or 0
        rng = random.Random(have)
        known = set(await session.scalars(select(PracticeUnit.uscc)))
        table = Table(
            schema,
            "practice_unit",
            "uscc name unit_type licence_no licence_valid_until division_code address principal",
        )
        codes, shares = list(weights), list(weights.values())
        while have + len(table.rows) < target:
            division = world.index.get(rng.choices(codes, shares)[0])
            assert division is not None
            parts = division.full_name.split(" ")  # "广东省 广州市 天河区" or "广东省 东莞市"
            org = organisation(
                rng,
                unit_type=rng.choices(list(UNIT_TYPES), list(UNIT_TYPES.values()))[0],
                division_code=division.code,
                place="".join(parts[1:]),
                city=parts[1],
                province_abbr="粤",
                today=world.today,
            )
            if org.uscc in known:
                continue
            known.add(org.uscc)
            table.add(
                uscc=org.uscc,
                name=org.name,
                unit_type=org.unit_type,
                licence_no=org.licence_no,
                licence_valid_until=org.licence_valid_until,
                division_code=org.division_code,
                address=org.address,
                principal=org.principal,
            )
        await table.copy(session)
    async with world.db.tenant(schema) as session:
        columns = (
            PracticeUnit.id,
            PracticeUnit.uscc,
            PracticeUnit.name,
            PracticeUnit.unit_type,
            PracticeUnit.division_code,
            PracticeUnit.licence_valid_until,
        )
        world.places = [
            Place(*row) for row in await session.execute(select(*columns).order_by(PracticeUnit.id))
        ]


# --------------------------------------------------------------------------- registrations and cases


@dataclass(frozen=True, slots=True)
class Case:
    """One application as the generator plans it: who, what, where, and its days."""

    who: Someone
    matter: str
    place: Place
    registration_id: int | None
    received: date
    accepted: date | None = None
    forwarded: date | None = None
    decided: date | None = None
    outcome: str | None = None  # "approve" or "refuse" for a closed case


class Generator:
    """Makes the rows of the province's register and cases, handing out ids itself."""

    def __init__(self, world: World, people: People, rng: random.Random, first_ids: dict[str, int]) -> None:
        self.world, self.people, self.rng = world, people, rng
        self.next = dict(first_ids)  # table -> next id; "ref" -> next reference number
        self.counters: dict[int, int] = {}  # year -> last certificate number
        schema = world.tenant.schema
        self.registrations = Table(
            schema,
            "registration",
            "id person_key applicant_id id_type id_number name sex categories scope practice_unit_id"
            " unit_name division_code certificate_no qualification_nos first_registered_on issued_on"
            " valid_from valid_until status created_at updated_at",
        )
        self.history = Table(
            schema,
            "registration_history",
            "registration_id at effective_on kind application_ref summary actor_name public",
        )
        self.applications = Table(
            schema,
            "application",
            "id ref applicant_id person_key applicant_name id_type id_number sex birth_date matter status"
            " step process_id form registration_id practice_unit_id division_code suspended submitted_at"
            " received_on acceptance_due accepted_on statutory_due promised_due due_provisional paused_on"
            " decided_on created_at updated_at",
        )
        self.events = Table(
            schema, "application_event", "application_id at action actor_kind actor_name step note"
        )
        self.tasks = Table(
            schema,
            "task",
            "id case_ref application_id step subject matter division_code position candidate_unit_id"
            " assignee_id status priority due_date created_at updated_at",
        )
        self.task_history = Table(schema, "task_history", "task_id at action actor_id to_unit_id note")
        self.attachments = Table(
            schema,
            "application_attachment",
            "application_id material filename content_type size sha256 content uploaded_at",
        )
        self.counter_rows = Table(schema, "certificate_counter", "year last")
        self.entries = Table(
            "national",
            "register_entry",
            "person_key tenant registration_id certificate_no name categories scope unit_name region"
            " division_code valid_from valid_until status",
        )
        self.open_cases = Table("national", "open_case", "person_key tenant application_ref matter opened_at")
        self.applicant_tenants = Table("national", "applicant_tenant", "applicant_id tenant first_at")
        self.seen: set[uuid.UUID] = set()
        photo, scan = png(), pdf("bench scan")
        self.files = {
            True: (photo, hashlib.sha256(photo).hexdigest(), "image/png", "png"),
            False: (scan, hashlib.sha256(scan).hexdigest(), "application/pdf", "pdf"),
        }

    def national_tables(self) -> list[Table]:
        return [self.people.applicants, self.people.qualifications, self.entries, self.open_cases]

    def tenant_tables(self) -> list[Table]:
        return [
            self.registrations,
            self.history,
            self.applications,
            self.events,
            self.tasks,
            self.task_history,
            self.attachments,
            self.counter_rows,
        ]

    def _id(self, kind: str) -> int:
        value = self.next[kind]
        self.next[kind] = value + 1
        return value

    def application(self, case: Case) -> str:
        """The case's application with its timeline, tasks and materials; returns its reference."""
        world, rng, who = self.world, self.rng, case.who
        process_id, process = world.processes[case.matter]
        app_id = self._id("application")
        submitted = moment(case.received, rng)
        ref = f"{PROVINCE[:2]}{case.received:%Y%m%d}{self._id('ref'):06d}"
        if who.applicant_id not in self.seen:
            self.seen.add(who.applicant_id)
            self.applicant_tenants.add(applicant_id=who.applicant_id, tenant=SLUG, first_at=submitted)
        division = case.place.division_code
        holder = world.holder(case.matter, division)
        status = {"approve": "approved", "refuse": "refused"}.get(case.outcome or "", "processing")
        step = acceptance_due = statutory = promised = paused = None
        provisional = suspended = False
        if case.outcome is not None:
            assert case.accepted is not None
            statutory, promised = case.accepted + timedelta(days=28), case.accepted + timedelta(days=21)
        elif case.accepted is None:
            status, step = "submitted", "accept"
            due = world.calendar.add_working_days(case.received, process.acceptance_days)
            acceptance_due, provisional = due.due, due.provisional
        else:
            step = "decide" if case.forwarded else "review"
            law = world.calendar.add_working_days(case.accepted, process.statutory_days)
            own = world.calendar.add_working_days(case.accepted, process.promised_days)
            statutory, promised, provisional = law.due, own.due, law.provisional or own.provisional
            if rng.random() < 0.01:
                suspended = True
                paused = max(case.accepted, world.today - timedelta(days=rng.randrange(1, 10)))
        self.applications.add(
            id=app_id,
            ref=ref,
            applicant_id=who.applicant_id,
            person_key=who.key,
            applicant_name=who.name,
            id_type="resident_id",
            id_number=who.id_number,
            sex=who.sex,
            birth_date=who.birth,
            matter=case.matter,
            status=status,
            step=step,
            process_id=process_id,
            form=json.dumps(form_of(who, case.place), ensure_ascii=False),
            registration_id=case.registration_id,
            practice_unit_id=case.place.id,
            division_code=division,
            suspended=suspended,
            submitted_at=submitted,
            received_on=case.received,
            acceptance_due=acceptance_due,
            accepted_on=case.accepted,
            statutory_due=statutory,
            promised_due=promised,
            due_provisional=provisional,
            paused_on=paused,
            decided_on=case.decided,
            created_at=submitted - timedelta(hours=rng.randrange(1, 72)),
            updated_at=moment(case.decided or case.forwarded or case.accepted or case.received, rng),
        )
        for action, at in (("created", submitted - timedelta(hours=1)), ("submit", submitted)):
            self.events.add(
                application_id=app_id,
                at=at,
                action=action,
                actor_kind="applicant",
                actor_name=who.name,
                step=None,
                note=None,
            )
        # The steps the case has reached: each opens when the one before closes.
        keys = {s.key for s in process.steps}
        opened = case.received
        of_case = {
            "case_ref": ref,
            "application_id": app_id,
            "subject": f"{who.name} · {Matter(case.matter).label}",
            "matter": case.matter,
            "division_code": division,
            "candidate_unit_id": holder,
        }
        for key, done, action in (
            ("accept", case.accepted, "accept"),
            ("review", case.forwarded, "forward"),
            ("decide", case.decided, case.outcome),
        ):
            if key not in keys:
                continue
            current = process.step(key)
            assert current is not None
            task_id, created = self._id("task"), moment(opened, rng)
            if done is None:
                claimed = rng.random() < (0.1 if key == "accept" else 0.4)
                due = acceptance_due
                if key != "accept":
                    due = world.calendar.add_working_days(opened, current.limit_days).due
                    due = min(due, statutory or due)
                self.tasks.add(
                    **of_case,
                    id=task_id,
                    step=key,
                    position=current.position,
                    assignee_id=world.officer(holder, current.position, rng)[0] if claimed else None,
                    status="open",
                    priority=2 if rng.random() < 0.02 else 0,
                    due_date=due,
                    created_at=created,
                    updated_at=created,
                )
                self.task_history.add(
                    task_id=task_id, at=created, action="created", actor_id=None, to_unit_id=holder, note=None
                )
                break
            assert action is not None
            officer_id, officer_name = world.officer(holder, current.position, rng)
            finished = moment(done, rng)
            self.tasks.add(
                **of_case,
                id=task_id,
                step=key,
                position=current.position,
                assignee_id=officer_id,
                status="done",
                priority=0,
                due_date=None,
                created_at=created,
                updated_at=finished,
            )
            self.task_history.add(
                task_id=task_id, at=created, action="created", actor_id=None, to_unit_id=holder, note=None
            )
            self.task_history.add(
                task_id=task_id,
                at=finished,
                action="completed",
                actor_id=officer_id,
                to_unit_id=None,
                note=ACTION_LABELS[action],
            )
            self.events.add(
                application_id=app_id,
                at=finished,
                action=action,
                actor_kind="officer",
                actor_name=officer_name,
                step=current.label,
                note="所附执业单位证明与申请不符" if action == "refuse" else None,
            )
            opened = done
        if case.outcome is None:
            for item in materials_for(case.matter):
                if item.required:
                    data, digest, mime, extension = self.files[item.image_only]
                    self.attachments.add(
                        application_id=app_id,
                        material=item.key,
                        filename=f"{item.key}.{extension}",
                        content_type=mime,
                        size=len(data),
                        sha256=digest,
                        content=data,
                        uploaded_at=submitted - timedelta(minutes=30),
                    )
        return ref

    def registered(self, who: Someone, place: Place, since: date, budget: list[int]) -> int:
        """An active registration, its history and index entry; approvals since `since` get applications."""
        world, rng, today = self.world, self.rng, self.world.today
        registration_id = self._id("registration")
        first = today - timedelta(days=rng.randrange(30, 3650))
        self.people.add(who, first - timedelta(days=rng.randrange(60, 1500)))
        self.counters[first.year] = seq = self.counters.get(first.year, 0) + 1
        certificate_no = f"{PROVINCE[:2]}{first.year}{seq:06d}"
        # What happened, in order: (day, kind, summary, the unit from then on).
        changes = rng.choices((0, 1, 2), (70, 22, 8))[0]
        path = [rng.choice(world.places) for _ in range(changes)] + [place]
        valid_from, valid_until = first, add_years(first, 5) - timedelta(days=1)
        happened = [(first, "registered", f"首次注册，有效期至 {valid_until:%Y-%m-%d}", path[0])]
        for number, day in enumerate(
            sorted(first + timedelta(days=rng.randrange(1, (today - first).days)) for _ in path[1:])
        ):
            summary = f"变更注册：执业单位 {path[number].name} → {path[number + 1].name}"
            happened.append((day, "changed", summary, path[number + 1]))
        while valid_until < today:
            previous, valid_from = valid_until, valid_until + timedelta(days=1)
            valid_until = add_years(valid_from, 5) - timedelta(days=1)
            summary = f"延续注册，有效期 {previous:%Y-%m-%d} 延至 {valid_until:%Y-%m-%d}"
            happened.append((previous - timedelta(days=rng.randrange(30, 90)), "renewed", summary, place))
        happened.sort(key=lambda h: h[0])
        unit = path[0]
        for day, kind, summary, then in happened:
            unit = unit if kind == "renewed" else then  # a renewal keeps the unit of its time
            ref = None
            if day >= since and budget[0] > 0:
                budget[0] -= 1
                matter = {"registered": "first_registration", "renewed": "renewal", "changed": "change"}[kind]
                accepted = day - timedelta(days=rng.randrange(6, 25))
                received = accepted - timedelta(days=rng.randrange(0, 5))
                forwarded = accepted + (day - accepted) / 2
                ref = self.application(
                    Case(who, matter, unit, registration_id, received, accepted, forwarded, day, "approve")
                )
            _officer_id, approver = world.officer(world.holder("change", unit.division_code), "decision", rng)
            self.history.add(
                registration_id=registration_id,
                at=moment(day, rng),
                effective_on=day,
                kind=kind,
                application_ref=ref,
                summary=summary,
                actor_name=approver,
                public=kind == "registered",
            )
        issued = happened[-1][0]
        self.registrations.add(
            id=registration_id,
            person_key=who.key,
            applicant_id=who.applicant_id,
            id_type="resident_id",
            id_number=who.id_number,
            name=who.name,
            sex=who.sex,
            categories=who.category,
            scope=place.scope,
            practice_unit_id=place.id,
            unit_name=place.name,
            division_code=place.division_code,
            certificate_no=certificate_no,
            qualification_nos=who.qualification_no,
            first_registered_on=first,
            issued_on=issued,
            valid_from=valid_from,
            valid_until=valid_until,
            status="active",
            created_at=moment(first, rng),
            updated_at=moment(issued, rng),
        )
        self.entries.add(
            person_key=who.key,
            tenant=SLUG,
            registration_id=registration_id,
            certificate_no=certificate_no,
            name=who.name,
            categories=who.category,
            scope=place.scope,
            unit_name=place.name,
            region=world.tenant.name,
            division_code=place.division_code,
            valid_from=valid_from,
            valid_until=valid_until,
            status="active",
        )
        return registration_id

    def in_progress(self, who: Someone, matter: str, place: Place, registration_id: int | None) -> None:
        """A case in progress: waiting for acceptance (40%), review (35%) or decision (25%).

        Most are within their time limits (5 working days to accept, 20 to decide); one in
        thirty is late.
        """
        rng, today = self.rng, self.world.today
        draw, late = rng.random(), rng.random() < 1 / 30
        if draw < 0.4:
            received = today - timedelta(days=rng.randrange(8, 15) if late else rng.randrange(0, 7))
            case = Case(who, matter, place, registration_id, received)
        else:
            accepted = today - timedelta(days=rng.randrange(29, 45) if late else rng.randrange(0, 27))
            received = accepted - timedelta(days=rng.randrange(0, 5))
            forwarded = min(today, accepted + timedelta(days=rng.randrange(1, 12))) if draw >= 0.75 else None
            case = Case(who, matter, place, registration_id, received, accepted, forwarded)
        ref = self.application(case)
        self.open_cases.add(
            person_key=who.key,
            tenant=SLUG,
            application_ref=ref,
            matter=matter,
            opened_at=moment(case.received, rng),
        )

    def generate(self, sizes: Sizes, birthplaces: Sequence[str]) -> None:
        rng, world = self.rng, self.world
        since = world.today - timedelta(days=365 * HISTORY_YEARS)
        approvals = int(sizes.closed * 0.88)  # with an application; refusals make up the rest
        budget = [approvals]
        registered = []
        for number in range(sizes.registrations):
            who, place = someone(number, rng, birthplaces), rng.choice(world.places)
            registered.append((who, place, self.registered(who, place, since, budget)))
        refusals = sizes.closed - (approvals - budget[0])
        for who, place, registration_id in rng.sample(registered, min(refusals, len(registered))):
            matter = "change" if rng.random() < 0.7 else "renewal"
            target = rng.choice(world.places) if matter == "change" else place
            decided = world.today - timedelta(days=rng.randrange(20, 365 * HISTORY_YEARS))
            accepted = decided - timedelta(days=rng.randrange(6, 25))
            received = accepted - timedelta(days=rng.randrange(0, 5))
            forwarded = accepted + timedelta(days=3)
            self.application(
                Case(who, matter, target, registration_id, received, accepted, forwarded, decided, "refuse")
            )
        # In progress: six in ten first registrations of newly qualified people, then changes and renewals.
        firsts = int(sizes.open * 0.6)
        for number in range(sizes.registrations, sizes.registrations + firsts):
            who = someone(number, rng, birthplaces)
            self.people.add(who, world.today - timedelta(days=rng.randrange(20, 700)))
            self.in_progress(who, "first_registration", rng.choice(world.places), None)
        for who, place, registration_id in rng.sample(registered, min(sizes.open - firsts, len(registered))):
            if rng.random() < 0.6:
                self.in_progress(who, "change", rng.choice(world.places), registration_id)
            else:
                self.in_progress(who, "renewal", place, registration_id)
        for year, last in sorted(self.counters.items()):
            self.counter_rows.add(year=year, last=last)


async def counts(db: Database, tenant: TenantInfo) -> dict[str, int]:
    async with db.tenant(tenant.schema) as session:
        active = select(func.count()).select_from(Registration).where(Registration.status == "active")
        registrations = await session.scalar(active) or 0
        by_status = select(Application.status, func.count()).group_by(Application.status)
        statuses: dict[str, int] = dict((await session.execute(by_status)).all())
    async with db.national() as national:
        ours = (RegisterEntry.tenant == SLUG, RegisterEntry.status == "active")
        entries = await national.scalar(select(func.count()).select_from(RegisterEntry).where(*ours)) or 0
    return {
        "registrations": registrations,
        "entries": entries,
        "open": statuses.get("submitted", 0) + statuses.get("processing", 0),
        "closed": statuses.get("approved", 0) + statuses.get("refused", 0),
        "any": registrations + sum(statuses.values()),
    }


async def prepare_province(url: str, sizes: Sizes, *, regenerate: bool) -> bool:
    """Whether the generated data is there; if part of it is, start again from a new tenant_gd.

    Histories, timelines and notices are append-only (their triggers refuse DELETE and
    TRUNCATE), so the province is dropped and provisioned again as provisioning.py does.
    """
    db = Database(url, pool_size=1)
    try:
        async with db.national() as national:
            tenant = (await load_directory(national)).get(SLUG)
        assert tenant is not None
        found = await counts(db, tenant)
    finally:
        await db.dispose()
    if (
        not regenerate
        and min(found["registrations"], found["entries"]) >= sizes.registrations
        and found["open"] >= sizes.open
        and found["closed"] >= sizes.closed
    ):
        return True
    if found["any"]:
        print(f"re-creating {tenant.schema}: it holds {found}, we want {sizes}")
        await one_tenant(url, SLUG, 1)
    return False


async def generate_cases(world: World, sizes: Sizes, birthplaces: Sequence[str], password_hash: str) -> None:
    """Registrations, their history and the applications, in a province that has none."""
    print(f"generating {SLUG}: {sizes} ...")
    schema, db = world.tenant.schema, world.db
    async with (
        db.tenant(schema) as session,
        db.national() as national,
        committed_together(session, national, "bench data"),
    ):
        # National rows an earlier, smaller or interrupted run left go first.
        await national.execute(delete(RegisterEntry).where(RegisterEntry.tenant == SLUG))
        await national.execute(delete(OpenCase).where(OpenCase.tenant == SLUG))
        await national.execute(delete(ApplicantTenant).where(ApplicantTenant.tenant == SLUG))
        await national.execute(delete(Applicant).where(Applicant.mobile.like(f"{MOBILE_PREFIX}%")))
        generated = Qualification.certificate_no.like(f"{QUALIFICATION_PREFIX}%")
        await national.execute(delete(Qualification).where(generated))
        first_ids = {t: await next_id(session, schema, t) for t in ("registration", "application", "task")}
        first_ids["ref"] = int(await session.scalar(select(application_ref_seq.next_value())))
        started = time.perf_counter()
        make = Generator(world, People(password_hash), random.Random(2026), first_ids)
        make.generate(sizes, birthplaces)
        made = time.perf_counter() - started
        started = time.perf_counter()
        for table in [*make.national_tables(), make.applicant_tenants]:
            await table.copy(national)
        for table in make.tenant_tables():
            await table.copy(session)
        for name in ("registration", "application", "task"):
            if make.next[name] > first_ids[name]:
                await set_id_sequence(session, schema, name, make.next[name] - 1)
        await session.execute(
            text("SELECT setval(CAST(:sequence AS regclass), :last)"),
            {"sequence": f'"{schema}".application_ref_seq', "last": make.next["ref"] - 1},
        )
    tables = [*make.national_tables(), make.applicant_tenants, *make.tenant_tables()]
    async with db.tenant(schema) as session, session.begin():
        for table in [*tables, Table(schema, "practice_unit", "")]:
            await session.execute(text(f'ANALYZE "{table.schema}".{table.name}'))
    rows = sum(len(t.rows) for t in tables)
    written = time.perf_counter() - started
    print(
        f"  {rows:,} rows: made in Python in {made:.1f} s, written (COPY, commit, ANALYZE) in {written:.1f} s"
    )


# --------------------------------------------------------------------------- submission


async def prepare_drafts(
    world: World, count: int, birthplaces: Sequence[str], password_hash: str
) -> list[tuple[int, str]]:
    """Fresh applicants with qualification records, each with a complete first-registration draft."""
    db, schema = world.db, world.tenant.schema
    async with db.national() as national:
        start = FRESH_PEOPLE + (await national.scalar(select(func.count()).select_from(Applicant)) or 0)
    rng = random.Random(start)
    fresh = [someone(number, rng, birthplaces) for number in range(start, start + count)]
    people = People(password_hash)
    for who in fresh:
        people.add(who, world.today - timedelta(days=rng.randrange(20, 700)))
    async with db.national() as national, national.begin():
        await people.applicants.copy(national)
        await people.qualifications.copy(national)
    usable = [
        p
        for p in world.places
        if p.unit_type in ("retail", "retail_chain_store")
        and p.licence_valid_until > world.today + timedelta(days=30)
    ]
    files = {
        "photo": ("photo.png", png()),
        "id_copy": ("id.pdf", pdf("id card")),
        "qualification": ("qualification.pdf", pdf("qualification")),
        "consent": ("consent.pdf", pdf("consent")),
    }
    province = province_of(world.tenant)
    drafts = []
    for batch in itertools.zip_longest(*[iter(fresh)] * 50):
        async with (
            db.tenant(schema) as session,
            db.national() as national,
            committed_together(session, national, "bench drafts"),
        ):
            rules = await load_rules(session)
            for who in filter(None, batch):
                applicant = ApplicantAccount(
                    id=who.applicant_id,
                    name=who.name,
                    id_type="resident_id",
                    id_number=who.id_number,
                    sex=who.sex,
                    birth_date=who.birth,
                    mobile=who.mobile,
                    active=True,
                    password_expired=False,
                )
                app = await start_application(
                    session,
                    national,
                    province=province,
                    applicant=applicant,
                    matter="first_registration",
                    rules=rules,
                )
                await save_draft(session, app, form_of(who, rng.choice(usable)))
                for material, (filename, data) in files.items():
                    await add_attachment(
                        session, app, material_key=material, filename=filename, data=data, rules=rules
                    )
                drafts.append((app.id, app.ref))
    return drafts


async def measure_submissions(
    world: World, drafts: Sequence[tuple[int, str]]
) -> tuple[list[float], list[float], list[str]]:
    """Seconds for submit + commits, and for the handler's whole transaction; the failures."""
    province = province_of(world.tenant)
    service, handler, failures = [], [], []
    for application_id, ref in drafts:
        async with world.db.tenant(world.tenant.schema) as session, world.db.national() as national:
            started = time.perf_counter()
            try:
                async with committed_together(session, national, "submit"):
                    app = await session.get(Application, application_id)
                    assert app is not None
                    rules = await load_rules(session)
                    calendar = await load_calendar(national)
                    routing = Routing(world.policy, await Units.load(session))
                    submitting = time.perf_counter()
                    await submit_application(
                        session,
                        national,
                        province=province,
                        app=app,
                        rules=rules,
                        calendar=calendar,
                        routing=routing,
                        today=china_today(),
                    )
            except Exception as exc:
                failures.append(f"{ref}: {type(exc).__name__}: {getattr(exc, 'errors', exc)}")
                continue
            finished = time.perf_counter()
            service.append(finished - submitting)
            handler.append(finished - started)
    return service, handler, failures


# --------------------------------------------------------------------------- EXPLAIN of what a call sends


class Statements:
    """The SQL statements one call sends, with their parameters and time, to EXPLAIN the slowest."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen: list[tuple[float, str, Any]] = []

    @asynccontextmanager
    async def recording(self) -> AsyncIterator[None]:
        engine = self.db.engine().sync_engine
        started: dict[int, float] = {}

        def before(
            _conn: Any, cursor: Any, _statement: str, _parameters: Any, _context: Any, _many: bool
        ) -> None:
            started[id(cursor)] = time.perf_counter()

        def after(
            _conn: Any, cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
        ) -> None:
            self.seen.append((time.perf_counter() - started.pop(id(cursor)), statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)

    async def explain_slowest(self, label: str) -> None:
        seconds, statement, parameters = max(self.seen, key=lambda s: s[0])
        self.seen.clear()
        async with self.db.national() as session:
            await session.execute(text("SELECT 1"))
            raw = (await (await session.connection()).get_raw_connection()).driver_connection
            assert raw is not None
            plan = await raw.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *(parameters or ()))
        print(f"\n-- {label}: slowest statement ({seconds * 1000:.2f} ms), parameters {parameters}")
        print(statement)
        for row in plan:
            print("   ", row[0])
        print()


# --------------------------------------------------------------------------- verification


async def one_by_one(calls: Sequence[Callable[[], Awaitable[object]]]) -> tuple[list[float], list[object]]:
    seconds, results = [], []
    for call in calls:
        started = time.perf_counter()
        results.append(await call())
        seconds.append(time.perf_counter() - started)
    return seconds, results


async def concurrently(calls: Sequence[Callable[[], Awaitable[object]]], workers: int) -> float:
    """Wall seconds to make the calls with `workers` callers at a time."""
    pending = iter(calls)

    async def worker() -> None:
        for call in pending:
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def verification_samples(world: World, count: int) -> list[tuple[str, str]]:
    """(certificate number, name): nine in ten right, one in ten with a wrong name or number."""
    async with world.db.national() as national:
        query = (
            select(RegisterEntry.certificate_no, RegisterEntry.name)
            .where(RegisterEntry.tenant == SLUG)
            .order_by(func.random())
            .limit(count)
        )
        found = (await national.execute(query)).all()
    rng = random.Random(5)
    samples = []
    for number, name in itertools.islice(itertools.cycle(found), count):
        draw = rng.random()
        if draw < 0.05:
            samples.append((number, chinese_name(rng)))
        elif draw < 0.1:
            samples.append((f"44{rng.randrange(2016, 2027)}{rng.randrange(10**6):06d}X", name))
        else:
            samples.append((number, name))
    return samples


async def measure_http(
    url: str, samples: Sequence[tuple[str, str]], concurrency: int
) -> tuple[list[float], float, dict[int, int]]:
    """GET /api/v1/verify/ through the whole app: seconds one by one, wall seconds concurrently."""
    app = create_app(
        Settings.from_env(database_url=url, log_level="WARNING", db_pool_size=max(4, concurrency))
    )
    addresses = itertools.count(1)

    async def from_own_address(scope: Any, receive: Any, send: Any) -> None:
        # The limit counts per client address: every request gets its own, as the public's would.
        if scope["type"] == "http":
            n = next(addresses)
            scope = {**scope, "client": (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", 40000)}
        await app(scope, receive, send)

    statuses: dict[int, int] = {}
    transport = httpx.ASGITransport(app=from_own_address)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

        def call(number: str, name: str) -> Callable[[], Awaitable[object]]:
            async def get() -> int:
                response = await http.get("/api/v1/verify/", params={"certificate_no": number, "name": name})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                return response.status_code

            return get

        calls = [call(*s) for s in samples]
        await one_by_one(calls[:20])
        statuses.clear()
        seconds, _ = await one_by_one(calls)
        one_client = dict(statuses)
        wall = await concurrently(calls, concurrency)
    return seconds, wall, one_client


# --------------------------------------------------------------------------- main


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=8000, help="practice units (default 8000)")
    parser.add_argument(
        "--registrations", type=int, default=80_000, help="active registrations (default 80000)"
    )
    parser.add_argument("--open", type=int, default=20_000, help="open applications (default 20000)")
    parser.add_argument("--closed", type=int, default=60_000, help="closed applications (default 60000)")
    parser.add_argument("--submits", type=int, default=300, help="applications to submit (default 300)")
    parser.add_argument("--runs", type=int, default=100, help="calls of each list and view (default 100)")
    parser.add_argument(
        "--verifications", type=int, default=3000, help="verifications per series (default 3000)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent verifying callers (default 8)")
    parser.add_argument("--regenerate", action="store_true", help="make the data again even if it is there")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statement of each"
    )
    args = parser.parse_args()
    sizes = Sizes(args.units, args.registrations, args.open, args.closed)
    url = bench_url()
    began = time.perf_counter()
    await ensure_bench_database(url)
    ready = await prepare_province(url, sizes, regenerate=args.regenerate)
    db = Database(url, pool_size=max(4, args.concurrency))
    try:
        async with db.national() as national:
            directory = await load_directory(national)
            index = await DivisionIndex.load(national)
            calendar = await load_calendar(national)
        tenant = directory.get(SLUG)
        assert tenant is not None
        password_hash = hash_password(BENCH_PASSWORD)  # one hash for every generated account
        officers = await ensure_officers(db, tenant, password_hash)
        await ensure_delegation(db, tenant, index, officers)
        async with db.tenant(tenant.schema) as session, session.begin():
            matters = ("first_registration", "change", "renewal")
            processes = {m: await current_process(session, m) for m in matters}
            policy = await load_policy(session, MODEL)
            units = await Units.load(session)
        world = World(db, tenant, index, china_today(), calendar, policy, units, processes, officers)
        weights = places_of(tenant, directory, index)
        await ensure_practice_units(world, sizes.units, weights)
        if not ready:
            await generate_cases(world, sizes, list(weights), password_hash)
        setup = time.perf_counter() - began
        print(f"generation {'skipped (data found), set-up took' if ready else 'took'} {setup:.1f} s")

        async with db.tenant(tenant.schema) as session:
            history = await session.scalar(select(func.count()).select_from(RegistrationHistory))
            by_status = select(Task.status, func.count()).group_by(Task.status)
            tasks = dict((await session.execute(by_status)).all())
            events = await session.scalar(select(func.count()).select_from(ApplicationEvent))
        found = await counts(db, tenant)
        print(
            f"province {SLUG}: {len(world.places):,} practice units, {found['registrations']:,} active "
            f"registrations ({history:,} history rows, {found['entries']:,} national index entries), "
            f"{found['open']:,} open and {found['closed']:,} closed applications ({events:,} events), "
            f"tasks {tasks}"
        )

        # 1. Submitting an application.
        started = time.perf_counter()
        drafts = await prepare_drafts(world, args.submits, list(weights), password_hash)
        prepared = time.perf_counter() - started
        print(f"prepared {len(drafts)} drafts of fresh applicants (4 materials each) in {prepared:.1f} s")
        service, handler, failures = await measure_submissions(world, drafts)
        if failures:
            print(f"{len(failures)} submissions failed, e.g. {failures[0]}")
        if service:
            print(line("submit: submit_application + commits (national, province)", service))
            print(line("submit: handler's transaction (+ app, rules, calendar, units)", handler))

        # 2. The officers' views.
        statements = Statements(db)
        for label, unit_code, position in (
            ("to-do list: province bureau, acceptance officer", PROVINCE, "acceptance"),
            ("to-do list: province bureau, review officer", PROVINCE, "review"),
            ("to-do list: Guangzhou city bureau, acceptance officer", CITY, "acceptance"),
        ):
            officer = await officer_account(db, tenant, officers[(unit_code, position)][0][0])
            async with db.tenant(tenant.schema) as session:
                delegators = await delegators_for(session, officer.id)

            async def todo(officer: OfficerAccount = officer, delegators: Any = delegators) -> int:
                async with db.tenant(tenant.schema) as session:
                    return len(await todo_list(session, officer, delegators, index))

            seconds, shown = await repeat(args.runs, todo)
            print(line(label, seconds, f"   {shown} tasks shown"))
            if args.explain and position == "acceptance":
                async with statements.recording():
                    await todo()
                await statements.explain_slowest(label)
        for label, unit_ids in (
            ("deadline view: whole province", None),
            ("deadline view: province bureau's pool", [units.by_code[PROVINCE].id]),
            ("deadline view: Guangzhou city bureau's pool", [units.by_code[CITY].id]),
        ):

            async def deadlines(unit_ids: list[int] | None = unit_ids) -> int:
                async with db.tenant(tenant.schema) as session:
                    rows = await deadline_rows(
                        session, units=units, unit_ids=unit_ids, today=world.today, calendar=calendar
                    )
                return len(rows)

            seconds, shown = await repeat(args.runs, deadlines)
            print(line(label, seconds, f"   {shown} rows"))
            if args.explain and unit_ids is None:
                async with statements.recording():
                    await deadlines()
                await statements.explain_slowest(label)

        # 3. Public verification.
        samples = await verification_samples(world, args.verifications)
        secret = hashlib.sha256(b"bench verification").hexdigest()

        def verify(number: str, name: str) -> Callable[[], Awaitable[object]]:
            async def call() -> bool:
                async with db.national() as national:
                    found = await verify_certificate(
                        national, number, name=name, token=None, secret=secret, today=world.today
                    )
                return found is not None

            return call

        calls = [verify(*s) for s in samples]
        await one_by_one(calls[:20])
        seconds, results = await one_by_one(calls)
        hits = sum(bool(r) for r in results)
        print(line("verify_certificate, one caller", seconds, f"   {len(seconds) / sum(seconds):.0f} per s"))
        wall = await concurrently(calls, args.concurrency)
        print(
            rate(
                f"verify_certificate, {args.concurrency} concurrent callers",
                len(calls),
                wall,
                f", {hits} found",
            )
        )
        if args.explain:
            async with statements.recording():
                await calls[0]()
            await statements.explain_slowest("verify_certificate")
        seconds, wall, statuses = await measure_http(url, samples, args.concurrency)
        per_second = f"   {len(seconds) / sum(seconds):.0f} per s, statuses {statuses}"
        print(line("GET /api/v1/verify/ (ASGI app, httpx), one client", seconds, per_second))
        print(rate(f"GET /api/v1/verify/, {args.concurrency} concurrent clients", len(samples), wall))
        print("certificate PDFs per second: ops/bench/certificates.py")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
