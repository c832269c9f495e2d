"""A national data set for the supervision benchmark, generated straight into the fact tables.

The database is `pharmreg_bench_supervision` (never the development or test data), set up with the
project's own command (`pharmreg setup --demo`: national schema, divisions, every province schema,
the demo accounts such as nmpa.analyst and gd.stats). Then every analytic fact is replaced by a
generated national data set, made in PostgreSQL with set-based SQL (generate_series, one
INSERT … SELECT per table), never row by row:

- practice units (fact_practice_unit): by default 300,000 over the 32 provinces (the 31 mainland
  provinces and the Xinjiang Production and Construction Corps), spread by population (2020
  census), every type of `practice.UnitType` (about 88 % retail), licence states active,
  suspended, revoked and closed, licences valid until a year ago to five years ahead;
- registration events (fact_registration): by default 1,000,000 over five years, kinds as
  `register.service` records them. The mix follows what a five-year validity implies: the
  registrations in validity five years ago are renewed (renewed, ~40 %) or close (expired,
  cancelled, transferred_out, ~7 %); new pharmacists register (registered, ~42 %) or move in from
  another province (transferred_in, ~1 %); ~6 % changes, ~4 % closings of those. At the end about
  790,000 are in validity (NMPA, December 2023: 789,313) and the total grew by about 5,300 a
  month; about 90 % practise in retail (the practice field of the unit they are registered at),
  with county, category, scope, sex, birth year, education and major;
- cases (fact_case): 300,000 a year (first registrations, renewals, changes, cancellations,
  reissues; approved, refused, not accepted, withdrawn, and the recent ones still open), with
  acceptance and decision dates, working days (median ~5, p90 ~12, ~2 % past the 20-day limit),
  supplement notices, the handling bureau and whether it acted under delegation;
- complaints and consultations (fact_enquiry): 50,000 a year (70 % consultations), with
  category, county, handling bureau, reply and closing times, within the limit or not,
  transferred (with the receiving province's copy, transferred_in) and published, and two or
  three main terms of the question;
- what the facts' writers keep with them: each registration event's `ends_on` and the provinces'
  `fact_validity_month` and `fact_case_month`, made by the repository's own functions
  (`settle_registration_ends`, `recompute_validity_months`, `recompute_case_months`) per province,
  and each case's due date.

Person hashes are random-looking hex strings (sha256 of a lineage number): no personal data.

Run (servers from ops/stack.py):
    eval "$(.venv/bin/python ops/stack.py env)"
    .venv/bin/python ops/bench/supervision_data.py [--events 1000000] [--cases-per-year 300000]
        [--enquiries-per-year 50000] [--units 300000] [--years 5]
"""

# Statements are assembled from this file's own constants; values go in as parameters or literals
# computed here.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import date

import asyncpg
from common import ROOT, bench_url
from sqlalchemy import text
from sqlalchemy.engine import make_url

from pharmreg.divisions import DivisionIndex
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database
from pharmreg.supervision.repository import (
    recompute_case_months,
    recompute_validity_months,
    settle_registration_ends,
)
from pharmreg.tenancy import TenantDirectory, load_directory, tenant_divisions

DATABASE = "pharmreg_bench_supervision"

# Residents in millions (2020 census, rounded); the Corps' 3.25 million are taken out of Xinjiang.
RESIDENTS = {
    "bj": 21.89,
    "tj": 13.87,
    "he": 74.61,
    "sx": 34.92,
    "nm": 24.05,
    "ln": 42.59,
    "jl": 24.07,
    "hl": 31.85,
    "sh": 24.87,
    "js": 84.75,
    "zj": 64.57,
    "ah": 61.03,
    "fj": 41.54,
    "jx": 45.19,
    "sd": 101.53,
    "ha": 99.37,
    "hb": 57.75,
    "hn": 66.44,
    "gd": 126.01,
    "gx": 50.13,
    "hi": 10.08,
    "cq": 32.05,
    "sc": 83.67,
    "gz": 38.56,
    "yn": 47.21,
    "xz": 3.65,
    "sn": 39.53,
    "gs": 25.02,
    "qh": 5.92,
    "nx": 7.20,
    "xj": 22.60,
    "bt": 3.25,
}

# (unit type, weight): the bulletin counts 90 % of pharmacists in retail; pharmacies dominate.
UNIT_TYPES = (
    ("retail_chain_store", 52.0),
    ("retail", 36.0),
    ("wholesale", 3.0),
    ("logistics", 0.5),
    ("manufacturer", 1.5),
    ("mah", 0.3),
    ("medical", 6.0),
    ("online_platform", 0.2),
    ("prescription_review", 0.5),
)
# The practice field of each type, as `supervision.service.practice_field` maps them.
TYPE_FIELD = {
    "retail_chain_store": "retail",
    "retail": "retail",
    "wholesale": "wholesale",
    "logistics": "wholesale",
    "manufacturer": "manufacturing",
    "mah": "manufacturing",
    "medical": "medical",
}
# Registrations by practice field (NMPA, December 2023: 714,067 / 46,015 / 5,441 / 23,586 / 204).
FIELDS = (
    ("retail", 0.905),
    ("wholesale", 0.058),
    ("manufacturing", 0.007),
    ("medical", 0.030),
    ("other", 0.0003),
)
SCOPE_OF_FIELD = {
    "retail": "distribution",
    "wholesale": "distribution",
    "manufacturing": "production",
    "medical": "use",
    "other": "distribution",
}
EDUCATION = (
    ("college", 0.44),
    ("bachelor", 0.38),
    ("secondary", 0.09),
    ("master", 0.07),
    ("second_bachelor", 0.01),
    ("doctor", 0.01),
)
MAJORS = (("pharmacy", 0.55), ("tcm", 0.25), ("clinical_pharmacy", 0.05), ("related", 0.15))
CATEGORIES = (("pharmacy", 0.64), ("tcm", 0.31), ("pharmacy,tcm", 0.05))
GROUNDS = (
    "本人申请注销",
    "不再从事执业活动",
    "执业单位注销",
    "死亡或者被宣告失踪",
    "受到刑事处罚",
    "依法被撤销注册",
)
MATTERS = (
    ("first_registration", 0.42),
    ("renewal", 0.36),
    ("change", 0.14),
    ("cancellation", 0.06),
    ("reissue", 0.02),
)
CONSULTATION_CATEGORIES = (
    ("registration", 0.45),
    ("exam", 0.2),
    ("continuing_education", 0.2),
    ("system", 0.1),
    ("other", 0.05),
)
COMPLAINT_CATEGORIES = (
    ("efficiency", 0.35),
    ("system", 0.25),
    ("conduct", 0.15),
    ("suggestion", 0.15),
    ("other", 0.1),
)

# Shares of the registration events (see the module docstring): lineages by how they show in the
# five years, and of the lineages that open in them, the shares that change and that close again.
SHARE_RENEWED_BASE = 0.40
SHARE_CLOSED_BASE = 0.07
SHARE_FIRST = 0.42
SHARE_TRANSFERRED_IN = 0.01
SHARE_CHANGES = 0.06
SHARE_LATER_CLOSINGS = 0.04


def database_url() -> str:
    return bench_url(DATABASE)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pick(column_random: str, choices: tuple[tuple[str, float], ...]) -> str:
    """SQL choosing one of `choices` by weight from a uniform random value in [0, 1)."""
    total = sum(w for _c, w in choices)
    bounds, running = [], 0.0
    for _choice, weight in choices:
        running += weight / total
        bounds.append(running)
    whens = " ".join(
        f"WHEN {column_random} < {bound:.6f} THEN '{choice}'"
        for (choice, _w), bound in zip(choices[:-1], bounds, strict=False)
    )
    return f"(CASE {whens} ELSE '{choices[-1][0]}' END)"


def setup_database(url: str) -> None:
    """Create and migrate the benchmark database with the project's own command, demo included."""
    env = {**os.environ, "DATABASE_URL": make_url(url).set(drivername="postgresql").render_as_string(False)}
    env.setdefault("PHARMREG_LOG_LEVEL", "WARNING")
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "pharmreg"), "setup", "--demo"], check=True, env=env)
    print(f"pharmreg setup --demo                               {time.perf_counter() - started:8.1f} s")


@dataclass(frozen=True, slots=True)
class Place:
    tenant: str
    county: str
    city_name: str


async def places(db: Database) -> tuple[TenantDirectory, list[Place], dict[str, str]]:
    """Every county of every province (cities without counties stand for themselves), and the
    province bureaus' names."""
    async with db.national() as session:
        directory = await load_directory(session)
        index = await DivisionIndex.load(session)
    found, bureaus = [], {}
    for tenant in directory.provinces():
        bureaus[tenant.slug] = tenant.authority_name
        own = tenant_divisions(tenant, directory, index)
        counties = [d for d in own if d.level == 3 and not d.is_grouping]
        with_counties = {d.parent_code for d in counties}
        counties += [d for d in own if d.level == 2 and not d.is_grouping and d.code not in with_counties]
        for county in counties:
            city = index.get(county.parent_code or "") if county.level == 3 else county
            name = city.name if city and not city.is_grouping else tenant.name
            found.append(Place(tenant.slug, county.code, name))
    return directory, found, bureaus


async def load_places(conn: asyncpg.Connection, found: list[Place], bureaus: dict[str, str]) -> None:
    """Temporary tables: provinces with cumulative population shares, and their counties."""
    slugs = [s for s in RESIDENTS if s in bureaus]
    total = sum(RESIDENTS[s] for s in slugs)
    await conn.execute(
        "CREATE TEMP TABLE g_prov (idx int PRIMARY KEY, tenant text, bureau text, lo float8, n_counties int)"
    )
    await conn.execute("CREATE TEMP TABLE g_county (tenant text, k int, code text, city_name text)")
    rows, running = [], 0.0
    for idx, slug in enumerate(slugs, start=1):
        n = sum(1 for p in found if p.tenant == slug)
        rows.append((idx, slug, bureaus[slug], running, n))
        running += RESIDENTS[slug] / total
    await conn.copy_records_to_table("g_prov", records=rows)
    counters: dict[str, int] = {}
    county_rows = []
    for place in found:
        counters[place.tenant] = counters.get(place.tenant, 0) + 1
        county_rows.append((place.tenant, counters[place.tenant], place.county, place.city_name))
    await conn.copy_records_to_table("g_county", records=county_rows)
    await conn.execute("CREATE INDEX ON g_county (tenant, k)")
    await conn.execute("ANALYZE g_prov; ANALYZE g_county")


def province_of(random_sql: str) -> str:
    """SQL: the g_prov.idx a uniform random value falls in (by population)."""
    return f"width_bucket({random_sql}, (SELECT array_agg(lo ORDER BY idx) FROM g_prov))"


async def timed_step(conn: asyncpg.Connection, label: str, sql: str, *args: object) -> int:
    started = time.perf_counter()
    status = await conn.execute(sql, *args)
    rows = int(status.split()[-1]) if status.split()[-1].isdigit() else 0
    print(f"{label:<52}{rows:>10} rows {time.perf_counter() - started:8.1f} s")
    return rows


async def generate_units(conn: asyncpg.Connection, units: int, end: date) -> None:
    type_pick = pick("r_type", UNIT_TYPES)
    field_case = " ".join(f"WHEN '{t}' THEN '{f}'" for t, f in TYPE_FIELD.items())
    await timed_step(
        conn,
        "practice units (temporary)",
        f"""
        CREATE TEMP TABLE g_unit AS
        WITH drawn AS (
            SELECT g AS unit_id, {province_of("random()")} AS idx, random() AS r_type,
                   random() AS r_county, random() AS r_status, random() AS r_licence
            FROM generate_series(1, $1) AS g
        ), typed AS (
            SELECT d.*, {type_pick} AS unit_type FROM drawn d
        )
        SELECT t.unit_id, p.tenant, t.unit_type,
               CASE t.unit_type {field_case} ELSE 'other' END AS field,
               c.code AS division_code, c.city_name,
               CASE WHEN t.r_status < 0.94 THEN 'active' WHEN t.r_status < 0.95 THEN 'suspended'
                    WHEN t.r_status < 0.96 THEN 'revoked' ELSE 'closed' END AS status,
               ($2::date - 365 + floor(t.r_licence * 6 * 365)::int) AS licence_valid_until
        FROM typed t
        JOIN g_prov p ON p.idx = t.idx
        JOIN g_county c ON c.tenant = p.tenant AND c.k = 1 + floor(t.r_county * p.n_counties)::int
        """,
        units,
        end,
    )
    # Every province gets at least one unit of every field, so that each registration finds one.
    await conn.execute(
        f"""
        INSERT INTO g_unit
        SELECT (SELECT max(unit_id) FROM g_unit) + row_number() OVER (), p.tenant,
               CASE f.field WHEN 'retail' THEN 'retail' WHEN 'wholesale' THEN 'wholesale'
                    WHEN 'manufacturing' THEN 'manufacturer' WHEN 'medical' THEN 'medical'
                    ELSE 'online_platform' END,
               f.field, c.code, c.city_name, 'active', $1::date + 900
        FROM g_prov p
        CROSS JOIN (VALUES {", ".join(f"('{f}')" for f, _w in FIELDS)}) AS f(field)
        JOIN g_county c ON c.tenant = p.tenant AND c.k = 1
        WHERE NOT EXISTS (SELECT 1 FROM g_unit u WHERE u.tenant = p.tenant AND u.field = f.field)
        """,
        end,
    )
    await conn.execute(
        """
        CREATE TEMP TABLE g_unit_pick AS
        SELECT unit_id, tenant, field, unit_type, division_code, city_name,
               row_number() OVER (PARTITION BY tenant, field ORDER BY unit_id) AS k
        FROM g_unit;
        CREATE INDEX ON g_unit_pick (tenant, field, k);
        CREATE TEMP TABLE g_unit_count AS
        SELECT tenant, field, count(*) AS n FROM g_unit GROUP BY tenant, field;
        CREATE INDEX ON g_unit_count (tenant, field);
        ANALYZE g_unit_pick; ANALYZE g_unit_count;
        """
    )
    await timed_step(
        conn,
        "fact_practice_unit",
        """
        INSERT INTO national.fact_practice_unit
            (tenant, unit_id, unit_type, field, division_code, status, licence_valid_until)
        SELECT tenant, unit_id, unit_type, field, division_code, status, licence_valid_until FROM g_unit
        """,
    )


async def generate_registrations(conn: asyncpg.Connection, events: int, end: date, years: int) -> None:
    lineages = round(events * (SHARE_RENEWED_BASE + SHARE_CLOSED_BASE + SHARE_FIRST + SHARE_TRANSFERRED_IN))
    opening = SHARE_RENEWED_BASE + SHARE_FIRST + SHARE_TRANSFERRED_IN
    # Of the lineages that open in the window, the shares that close again and that change.
    p_close = SHARE_LATER_CLOSINGS / opening
    p_change = SHARE_CHANGES / opening
    total = SHARE_RENEWED_BASE + SHARE_CLOSED_BASE + SHARE_FIRST + SHARE_TRANSFERRED_IN
    b1 = SHARE_RENEWED_BASE / total
    b2 = b1 + SHARE_CLOSED_BASE / total
    b3 = b2 + SHARE_FIRST / total
    field_pick = pick("r_field", FIELDS)
    await timed_step(
        conn,
        "registration lineages (temporary)",
        f"""
        CREATE TEMP TABLE g_lineage AS
        WITH drawn AS (
            SELECT g AS n, random() AS r_kind, {province_of("random()")} AS idx, random() AS r_field,
                   random() AS r_unit, random() AS r_unit2, random() AS r_open, random() AS r_shape,
                   random() AS r_close, random() AS r_close_at, random() AS r_change, random() AS r_change_at,
                   random() AS r_sex, random() AS r_birth, random() AS r_edu, random() AS r_major,
                   random() AS r_cat, random() AS r_ground
            FROM generate_series(1, $1) AS g
        ), shaped AS (
            SELECT d.*,
                   CASE WHEN r_kind < {b1} THEN 'R' WHEN r_kind < {b2} THEN 'X'
                        WHEN r_kind < {b3} THEN 'F' ELSE 'T' END AS lineage,
                   {field_pick} AS field,
                   ($2::date - ($3::int * 365)) AS window_start,
                   ($3::int * 365) AS window_days
            FROM drawn d
        ), dated AS (
            SELECT s.*,
                   -- new registrations grow over the years (half uniform, half rising linearly)
                   window_start + floor(window_days * CASE WHEN lineage = 'F' AND r_shape < 0.5
                       THEN sqrt(r_open) ELSE r_open END)::int AS opened_on
            FROM shaped s
        )
        SELECT d.n, p.tenant, d.lineage, d.field, d.opened_on,
               u.unit_id, u.unit_type, u.division_code,
               u2.unit_id AS unit2_id, u2.unit_type AS unit2_type, u2.division_code AS division2_code,
               (d.lineage <> 'X' AND d.r_close < {p_close}) AS closes,
               CASE WHEN d.lineage <> 'X' AND d.r_close < {p_close}
                    THEN d.opened_on + 1 + floor(d.r_close_at * ($2::date - d.opened_on - 1))::int END
                   AS closed_on,
               (d.lineage <> 'X' AND d.r_change < {p_change}) AS changes,
               d.r_change_at, d.r_ground,
               CASE WHEN d.r_sex < 0.62 THEN 'F' ELSE 'M' END AS sex,
               (1958 + floor(42 * (d.r_birth + random() + random()) / 3))::smallint AS birth_year,
               {pick("d.r_edu", EDUCATION)} AS education,
               {pick("d.r_major", MAJORS)} AS major,
               {pick("d.r_cat", CATEGORIES)} AS categories
        FROM dated d
        JOIN g_prov p ON p.idx = d.idx
        JOIN g_unit_count uc ON uc.tenant = p.tenant AND uc.field = d.field
        JOIN g_unit_pick u ON u.tenant = p.tenant AND u.field = d.field
            AND u.k = 1 + floor(d.r_unit * uc.n)::int
        JOIN g_unit_pick u2 ON u2.tenant = p.tenant AND u2.field = d.field
            AND u2.k = 1 + floor(d.r_unit2 * uc.n)::int
        """,
        lineages,
        end,
        years,
    )
    scope_case = " ".join(f"WHEN '{f}' THEN '{s}'" for f, s in SCOPE_OF_FIELD.items())
    grounds = "ARRAY[" + ", ".join(f"'{g}'" for g in GROUNDS) + "]"
    common = f"""
        substr(division_code, 1, 2) || '0000', substr(division_code, 1, 4) || '00', division_code,
        categories, CASE field {scope_case} END, sex, birth_year, education, major
    """
    await timed_step(
        conn,
        "fact_registration",
        f"""
        INSERT INTO national.fact_registration
            (tenant, event_id, registration_id, person_hash, kind, effective_on, ground, valid_until,
             practice_unit_id, unit_type, field,
             province_code, city_code, county_code, categories, scope, sex, birth_year, education, major)
        -- the event that opens the lineage in the window (or, for the old ones that close, closes it)
        SELECT tenant, n * 4, n, encode(sha256(('p' || n)::bytea), 'hex'),
               CASE lineage WHEN 'R' THEN 'renewed' WHEN 'F' THEN 'registered' WHEN 'T' THEN 'transferred_in'
                    ELSE CASE WHEN r_ground < 0.71 THEN 'expired' WHEN r_ground < 0.92 THEN 'cancelled'
                              ELSE 'transferred_out' END END,
               opened_on,
               CASE WHEN lineage = 'X' AND r_ground >= 0.71 AND r_ground < 0.92
                    THEN ({grounds})[1 + floor(r_ground * 1000)::int % {len(GROUNDS)}]
                    WHEN lineage = 'X' AND r_ground < 0.71 THEN '有效期届满未延续'
                    WHEN lineage = 'X' THEN '跨省变更转出' END,
               CASE WHEN lineage = 'X' THEN NULL ELSE (opened_on + interval '5 years')::date - 1 END,
               unit_id, unit_type, field, {common}
        FROM g_lineage
        UNION ALL
        -- a change of practice unit (or of scope or category) some time after it opened
        SELECT tenant, n * 4 + 1, n, encode(sha256(('p' || n)::bytea), 'hex'), 'changed',
               opened_on + floor(r_change_at * (coalesce(closed_on, $1::date) - opened_on))::int,
               NULL, (opened_on + interval '5 years')::date - 1,
               unit2_id, unit2_type, field,
               substr(division2_code, 1, 2) || '0000', substr(division2_code, 1, 4) || '00', division2_code,
               categories, CASE field {scope_case} END, sex, birth_year, education, major
        FROM g_lineage WHERE changes
        UNION ALL
        -- a later cancellation or move to another province
        SELECT tenant, n * 4 + 2, n, encode(sha256(('p' || n)::bytea), 'hex'),
               CASE WHEN r_ground < 0.75 THEN 'cancelled' ELSE 'transferred_out' END,
               closed_on,
               CASE WHEN r_ground < 0.75 THEN ({grounds})[1 + floor(r_ground * 1000)::int % {len(GROUNDS)}]
                    ELSE '跨省变更转出' END,
               NULL,
               CASE WHEN changes THEN unit2_id ELSE unit_id END,
               CASE WHEN changes THEN unit2_type ELSE unit_type END, field, {common}
        FROM g_lineage WHERE closes
        """,
        end,
    )


async def settle_summaries(url: str, tenants: list[str]) -> None:
    """What the facts' writers keep with the facts, made by their own functions per province: each
    registration event's `ends_on`, the province's `fact_validity_month` and `fact_case_month`."""
    started = time.perf_counter()
    db = Database(url, pool_size=1)
    try:
        for tenant in tenants:
            async with db.national() as session:
                await session.execute(text("SET LOCAL work_mem = '256MB'"))
                await settle_registration_ends(session, tenant)
                await recompute_validity_months(session, tenant)
                await recompute_case_months(session, tenant)
                await session.commit()
    finally:
        await db.dispose()
    label = "ends_on, fact_validity_month, fact_case_month"
    print(f"{label:<52}{'':>15} {time.perf_counter() - started:8.1f} s")


async def generate_cases(conn: asyncpg.Connection, per_year: int, end: date, years: int) -> None:
    await timed_step(
        conn,
        "fact_case",
        f"""
        INSERT INTO national.fact_case
            (tenant, case_ref, matter, status, division_code, handling_unit, delegated,
             received_on, accepted_on, decided_on, outcome, supplement_notices, working_days, due_on,
             overdue)
        WITH drawn AS (
            SELECT g AS n, {province_of("random()")} AS idx, random() AS r_county, random() AS r_matter,
                   random() AS r_status, random() AS r_city, random() AS r_suppl, random() AS r_accept,
                   -- working days: exponential around 5, so the median is ~5 and p90 ~12
                   1 + floor(-ln(1 - random()) * 5)::int AS days,
                   $2::date - ($3::int * 365) + floor(random() * $3::int * 365)::int AS received_on
            FROM generate_series(1, $1) AS g
        ), placed AS (
            SELECT d.*, p.tenant, p.bureau, c.code, c.city_name,
                   CASE WHEN d.received_on > $2::date - 25 AND d.r_status < 0.6 THEN 'open'
                        WHEN d.r_status < 0.90 THEN 'approved' WHEN d.r_status < 0.93 THEN 'refused'
                        WHEN d.r_status < 0.97 THEN 'not_accepted' ELSE 'withdrawn' END AS closing,
                   d.received_on + floor(d.r_accept * 3)::int AS accepted_on
            FROM drawn d
            JOIN g_prov p ON p.idx = d.idx
            JOIN g_county c ON c.tenant = p.tenant AND c.k = 1 + floor(d.r_county * p.n_counties)::int
        ), dated AS (
            SELECT pl.*,
                   CASE WHEN closing = 'not_accepted' THEN received_on + 1 + floor(r_accept * 4)::int
                        WHEN closing = 'open' THEN NULL
                        ELSE accepted_on + (days * 7) / 5 END AS decided_on
            FROM placed pl
        )
        SELECT tenant, upper(tenant) || extract(year FROM received_on)::int || lpad(n::text, 9, '0'),
               {pick("r_matter", MATTERS)},
               CASE closing WHEN 'open' THEN
                   CASE WHEN r_suppl < 0.2 THEN 'submitted' WHEN r_suppl < 0.3 THEN 'supplement'
                        ELSE 'processing' END
                   ELSE closing END,
               code,
               CASE WHEN r_city < 0.3 THEN city_name || '市场监督管理局' ELSE bureau END,
               r_city < 0.3,
               received_on,
               CASE WHEN closing = 'not_accepted' OR (closing = 'open' AND r_suppl < 0.3) THEN NULL
                    ELSE accepted_on END,
               CASE WHEN decided_on <= $2::date THEN decided_on END,
               CASE WHEN closing = 'open' OR decided_on > $2::date THEN NULL ELSE closing END,
               CASE WHEN r_suppl < 0.80 THEN 0 WHEN r_suppl < 0.97 THEN 1 ELSE 2 END,
               CASE WHEN decided_on <= $2::date THEN
                    CASE WHEN closing = 'not_accepted' THEN 1 + floor(r_accept * 3)::int ELSE days END END,
               -- the statutory limit: 20 working days (28 calendar days) from acceptance, once accepted
               CASE WHEN closing = 'not_accepted' OR (closing = 'open' AND r_suppl < 0.3) THEN NULL
                    ELSE accepted_on + 28 END,
               coalesce(decided_on <= $2::date AND closing <> 'not_accepted' AND days > 20, false)
        FROM dated
        """,
        per_year * years,
        end,
        years,
    )


async def generate_enquiries(conn: asyncpg.Connection, per_year: int, end: date, years: int) -> None:
    await timed_step(
        conn,
        "fact_enquiry",
        f"""
        INSERT INTO national.fact_enquiry
            (tenant, kind, enquiry_id, category, division_code, handling_unit, status,
             received_at, replied_at, closed_at, within_limit, transferred, published, terms)
        WITH drawn AS (
            SELECT g AS n, {province_of("random()")} AS idx, random() AS r_county, random() AS r_kind,
                   random() AS r_cat, random() AS r_status, random() AS r_city, random() AS r_pub,
                   -- hours to the reply: exponential around four days
                   -ln(1 - random()) * 96 AS hours,
                   ($2::date - ($3::int * 365))::timestamptz
                       + make_interval(secs => random() * $3::int * 365 * 86400) AS received_at
            FROM generate_series(1, $1) AS g
        ), placed AS (
            SELECT d.*, p.tenant, p.bureau, c.code, c.city_name,
                   CASE WHEN d.r_kind < 0.7 THEN 'consultation' ELSE 'complaint' END AS kind,
                   CASE WHEN d.received_at + make_interval(hours => d.hours::int) > $2::date
                        THEN 'received' WHEN d.r_status < 0.05 THEN 'transferred' ELSE 'replied' END AS status
            FROM drawn d
            JOIN g_prov p ON p.idx = d.idx
            JOIN g_county c ON c.tenant = p.tenant AND c.k = 1 + floor(d.r_county * p.n_counties)::int
        )
        SELECT tenant, kind, n,
               CASE kind WHEN 'consultation' THEN {pick("r_cat", CONSULTATION_CATEGORIES)}
                    ELSE {pick("r_cat", COMPLAINT_CATEGORIES)} END,
               code,
               CASE WHEN r_city < 0.4 THEN city_name || '市场监督管理局' ELSE bureau END,
               status, received_at,
               CASE WHEN status = 'replied' THEN received_at + make_interval(hours => hours::int) END,
               CASE WHEN status <> 'received' THEN received_at + make_interval(hours => hours::int) END,
               CASE WHEN status = 'replied'
                    THEN hours <= CASE kind WHEN 'complaint' THEN 21 * 24 ELSE 7 * 24 END END,
               status = 'transferred',
               kind = 'consultation' AND status = 'replied' AND r_pub < 0.15,
               {terms_sql()}
        FROM placed
        """,
        per_year * years,
        end,
        years,
    )
    # A complaint moved to another province is also the receiving province's row (transferred_in),
    # which handles and replies to it; national counts take the origin's row.
    await timed_step(
        conn,
        "fact_enquiry: transferred complaints' copies",
        """
        INSERT INTO national.fact_enquiry
            (tenant, kind, enquiry_id, category, division_code, handling_unit, status,
             received_at, replied_at, closed_at, within_limit, transferred, transferred_in, published, terms)
        SELECT p2.tenant, e.kind, 100000000 + e.enquiry_id, e.category, c.code, p2.bureau,
               CASE WHEN e.closed_at + interval '5 days' > $1::date THEN 'received' ELSE 'replied' END,
               e.received_at,
               CASE WHEN e.closed_at + interval '5 days' <= $1::date THEN e.closed_at + interval '5 days' END,
               CASE WHEN e.closed_at + interval '5 days' <= $1::date THEN e.closed_at + interval '5 days' END,
               CASE WHEN e.closed_at + interval '5 days' <= $1::date
                    THEN e.closed_at + interval '5 days' <= e.received_at + interval '21 days' END,
               false, true, false, e.terms
        FROM national.fact_enquiry e
        JOIN g_prov p1 ON p1.tenant = e.tenant
        JOIN g_prov p2 ON p2.idx = 1 + p1.idx % (SELECT count(*) FROM g_prov)
        JOIN g_county c ON c.tenant = p2.tenant AND c.k = 1
        WHERE e.kind = 'complaint' AND e.status = 'transferred'
        """,
        end,
    )


# The main terms of questions (as pharmreg.kit.question_terms finds them), a few frequent ones.
QUESTION_TERMS = (
    "执业药师",
    "注册",
    "延续注册",
    "变更注册",
    "注销注册",
    "继续教育",
    "学分",
    "注册证",
    "电子证书",
    "执业单位",
    "执业范围",
    "考试",
    "成绩",
    "资格证书",
    "材料",
    "身份证",
    "照片",
    "上传",
    "密码",
    "验证码",
    "审核",
    "进度",
    "办理",
    "时间",
    "多久",
    "退回",
    "补正",
    "药店",
    "转出",
    "转入",
)


def terms_sql() -> str:
    """SQL: two to four terms of QUESTION_TERMS, the first ones far more often than the last."""
    vocabulary = "ARRAY[" + ", ".join(f"'{t}'" for t in QUESTION_TERMS) + "]::varchar(20)[]"
    one = f"({vocabulary})[1 + floor(power(random(), 2) * {len(QUESTION_TERMS)})::int]"
    return f"(CASE WHEN random() < 0.5 THEN ARRAY[{one}, {one}] ELSE ARRAY[{one}, {one}, {one}] END)"


async def generate(
    url: str, *, events: int, cases_per_year: int, enquiries_per_year: int, units: int, years: int
) -> None:
    db = Database(url, pool_size=1)
    try:
        _directory, found, bureaus = await places(db)
    finally:
        await db.dispose()
    end = china_today()
    conn = await asyncpg.connect(asyncpg_dsn(url))
    started = time.perf_counter()
    try:
        await conn.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'")
        await conn.execute("SELECT setseed(0.2026)")
        await conn.execute(
            "TRUNCATE national.fact_registration, national.fact_case, national.fact_enquiry,"
            " national.fact_practice_unit, national.fact_validity_month, national.fact_case_month"
        )
        await load_places(conn, found, bureaus)
        await generate_units(conn, units, end)
        await generate_registrations(conn, events, end, years)
        await generate_cases(conn, cases_per_year, end, years)
        await settle_summaries(url, [slug for slug in RESIDENTS if slug in bureaus])
        await generate_enquiries(conn, enquiries_per_year, end, years)
        await conn.execute(
            """
            INSERT INTO national.fact_source (tenant, rebuilt_at, corrected)
            SELECT tenant, now(), 0 FROM g_prov
            ON CONFLICT (tenant) DO UPDATE SET rebuilt_at = now()
            """
        )
        step = time.perf_counter()
        for table in (
            "fact_registration",
            "fact_validity_month",
            "fact_case",
            "fact_case_month",
            "fact_enquiry",
            "fact_practice_unit",
        ):
            await conn.execute(f"VACUUM ANALYZE national.{table}")
        print(f"{'VACUUM ANALYZE':<52}{'':>15} {time.perf_counter() - step:8.1f} s")
        active = await conn.fetchval(
            """
            SELECT count(*) FROM (
                SELECT DISTINCT ON (tenant, registration_id) valid_until
                FROM national.fact_registration
                ORDER BY tenant, registration_id, effective_on DESC, event_id DESC
            ) latest WHERE valid_until >= $1
            """,
            end,
        )
        retail = await conn.fetchval(
            """
            SELECT avg((field = 'retail')::int) FROM (
                SELECT DISTINCT ON (tenant, registration_id) valid_until, field
                FROM national.fact_registration
                ORDER BY tenant, registration_id, effective_on DESC, event_id DESC
            ) latest WHERE valid_until >= $1
            """,
            end,
        )
        kinds = await conn.fetch(
            "SELECT kind, count(*) AS n FROM national.fact_registration GROUP BY kind ORDER BY n DESC"
        )
    finally:
        await conn.close()
    print(f"in validity on {end}: {active}, retail {float(retail) * 100:.1f} %")
    print("kinds: " + ", ".join(f"{r['kind']} {r['n']}" for r in kinds))
    print(f"{'generated in':<52}{'':>15} {time.perf_counter() - started:8.1f} s")


async def generate_province(conn: asyncpg.Connection, slug: str, registrations: int) -> None:
    """A large province-side data set in tenant_<slug>, set-based, for timing the rebuild: practice
    units, registrations (certificate numbers BENCH…) and their history with the terms of each
    event, as `register.service` records them (registered; renewed, changed and cancelled for
    some). History is append-only (its triggers refuse DELETE), so this is made once."""
    schema = f"tenant_{slug}"
    end = china_today()
    started = time.perf_counter()
    units = max(100, registrations // 3)
    await conn.execute("SELECT setseed(0.42)")
    async with conn.transaction():
        await conn.execute(
            f"""
            CREATE TEMP TABLE p_county AS
            SELECT row_number() OVER (ORDER BY code) AS k, code FROM national.division
            WHERE province_code = (SELECT division_code FROM national.tenant WHERE slug = $1)
              AND level = 3 AND NOT is_grouping AND valid_to IS NULL;
            CREATE TEMP TABLE p_unit AS
            SELECT (SELECT coalesce(max(id), 0) FROM {schema}.practice_unit) + g AS id, g,
                   {pick("r_type", UNIT_TYPES)} AS unit_type,
                   (SELECT code FROM p_county
                    WHERE k = 1 + floor(r_county * (SELECT count(*) FROM p_county))::int) AS division_code
            FROM (
                SELECT g, random() AS r_type, random() AS r_county FROM generate_series(1, {units}) AS g
            ) AS d
            """.replace("$1", f"'{slug}'")
        )
        await timed_step(
            conn,
            f"{schema}.practice_unit",
            f"""
            INSERT INTO {schema}.practice_unit
                (id, uscc, name, unit_type, licence_no, licence_valid_until, division_code, address,
                 principal, status)
            SELECT id, '9144BENCH' || lpad(g::text, 9, '0'), '基准测试药房' || g, unit_type, 'BENCH' || g,
                   $1::date + (g % 1500), division_code, '基准测试地址' || g, '负责人', 'active'
            FROM p_unit
            """,
            end,
        )
        await conn.execute(
            f"""
            CREATE TEMP TABLE p_reg AS
            SELECT (SELECT coalesce(max(id), 0) FROM {schema}.registration) + d.g AS id, d.g,
                   u.id AS unit_id, u.unit_type, u.division_code,
                   $1::date - floor(r_open * 5 * 365)::int AS opened_on,
                   r_renew < 0.3 AS renewed, r_change < 0.1 AS changed, r_close < 0.05 AS cancelled,
                   CASE WHEN r_sex < 0.62 THEN 'F' ELSE 'M' END AS sex,
                   (1960 + floor(r_birth * 40))::int AS birth_year,
                   {pick("r_edu", EDUCATION)} AS education, {pick("r_major", MAJORS)} AS major,
                   {pick("r_cat", CATEGORIES)} AS categories
            FROM (
                SELECT g, random() AS r_unit, random() AS r_open, random() AS r_renew, random() AS r_change,
                       random() AS r_close, random() AS r_sex, random() AS r_birth, random() AS r_edu,
                       random() AS r_major, random() AS r_cat
                FROM generate_series(1, {registrations}) AS g
            ) AS d
            JOIN p_unit u ON u.g = 1 + floor(d.r_unit * {units})::int
            """,
            end,
        )
        await timed_step(
            conn,
            f"{schema}.registration",
            f"""
            INSERT INTO {schema}.registration
                (id, person_key, id_type, id_number, name, sex, education, major, categories, scope,
                 practice_unit_id, unit_name, division_code, certificate_no, qualification_nos,
                 first_registered_on, issued_on, valid_from, valid_until, status, closed_on, close_reason)
            SELECT id, 'bench:{slug}:' || g, 'resident_id',
                   division_code || birth_year || '0101' || lpad((g % 1000)::text, 3, '0') || 'X',
                   '基准药师' || g, sex, education, major, categories,
                   CASE WHEN unit_type IN ('manufacturer', 'mah') THEN 'production'
                        WHEN unit_type = 'medical' THEN 'use' ELSE 'distribution' END,
                   unit_id, '基准测试药房' || g, division_code, 'BENCH' || g, 'BQ' || g,
                   opened_on, opened_on, opened_on, (opened_on + interval '5 years')::date - 1,
                   CASE WHEN cancelled THEN 'cancelled' ELSE 'active' END,
                   CASE WHEN cancelled THEN $1::date - 3 END,
                   CASE WHEN cancelled THEN '本人申请注销' END
            FROM p_reg
            """,
            end,
        )
        terms = """jsonb_build_object('terms', jsonb_build_object(
                'practice_unit_id', unit_id, 'unit_type', unit_type, 'categories', categories,
                'scope', CASE WHEN unit_type IN ('manufacturer', 'mah') THEN 'production'
                              WHEN unit_type = 'medical' THEN 'use' ELSE 'distribution' END,
                'division_code', division_code,
                'valid_until', CASE WHEN {closing} THEN NULL
                                    ELSE ((opened_on + interval '5 years')::date - 1)::text END,
                'ground', CASE WHEN {closing} THEN '本人申请注销' END))"""
        await timed_step(
            conn,
            f"{schema}.registration_history",
            f"""
            INSERT INTO {schema}.registration_history
                (registration_id, effective_on, kind, summary, details, public)
            SELECT id, opened_on, 'registered', '首次注册', {terms.format(closing="false")}, true FROM p_reg
            UNION ALL
            SELECT id, opened_on + 200, 'changed', '变更注册', {terms.format(closing="false")}, true
            FROM p_reg WHERE changed AND opened_on + 200 < $1::date
            UNION ALL
            SELECT id, opened_on + 1700, 'renewed', '延续注册', {terms.format(closing="false")}, true
            FROM p_reg WHERE renewed AND opened_on + 1700 < $1::date
            UNION ALL
            SELECT id, $1::date - 3, 'cancelled', '注销注册', {terms.format(closing="true")}, true
            FROM p_reg WHERE cancelled
            """,
            end,
        )
        for table in ("practice_unit", "registration", "registration_history"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{schema}.{table}', 'id'), "
                f"(SELECT max(id) FROM {schema}.{table}))"
            )
        await conn.execute("DROP TABLE p_county, p_unit, p_reg")
    for table in ("practice_unit", "registration", "registration_history"):
        await conn.execute(f"ANALYZE {schema}.{table}")
    print(f"{'province rows generated in':<52}{'':>15} {time.perf_counter() - started:8.1f} s")


async def ensure_database(url: str) -> None:
    """Set the benchmark database up (migrated, demo loaded) unless it already is."""
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        setup_database(url)
        return
    try:
        ready = await conn.fetchval("SELECT to_regclass('tenant_gd.registration') IS NOT NULL")
    finally:
        await conn.close()
    if not ready:
        setup_database(url)


async def fact_counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM national.{table}")
            for table in ("fact_registration", "fact_case", "fact_enquiry", "fact_practice_unit")
        }
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="registration events (default 1000000)")
    parser.add_argument("--cases-per-year", type=int, default=300_000)
    parser.add_argument("--enquiries-per-year", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=300_000, help="practice units (default 300000)")
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    url = database_url()
    await ensure_database(url)
    await generate(
        url,
        events=args.events,
        cases_per_year=args.cases_per_year,
        enquiries_per_year=args.enquiries_per_year,
        units=args.units,
        years=args.years,
    )


if __name__ == "__main__":
    asyncio.run(main())
