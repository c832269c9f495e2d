"""Figures of March 2019 in 湛江 (Guangdong) and Beijing, set up through the register's own
decisions and the facts' row maker, for the statistics tests. No demo data is that old."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import unescape

from pharmreg.kit.db import transaction
from pharmreg.register import Decided, Province, cancel_registration
from pharmreg.supervision.repository import upsert_case_fact
from pharmreg.wiring import analytic_facts
from tests.pharmacists import add_unit, seed_registration

# 湛江市霞山区; Guangzhou is where the demo and other tests work.
COUNTY = "440803"
CITY = "440800"
UNIT = "湛江市统计测试局"


@dataclass
class March2019:
    registered: int
    # Case refs written as facts, by what they show.
    cases: dict[str, str]


def _province(platform, slug: str) -> Province:
    tenant = platform.directory.get(slug)
    return Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)


_registered: list[bool] = []


async def set_up_march_2019(platform, make_pharmacist) -> March2019:
    """In 湛江: one first registration in February 2019, two in March, one of them cancelled on
    25 March; in Beijing one in March. Cases of 湛江 received in March 2019 (one still open past its
    due date, one decided late, two decided in time). The registrations are made once per test
    session (they live in the provinces' tables, rebuilds keep them); the case facts are written
    again each time, as a rebuild of a province's facts would drop them."""
    if not _registered:
        await _register(platform, make_pharmacist)
        _registered.append(True)
    return March2019(registered=3, cases=await _write_cases(platform))


async def _register(platform, make_pharmacist) -> None:
    zhanjiang = await add_unit(platform, "gd", COUNTY, name="湛江市霞山区统计测试大药房")
    people = [await make_pharmacist(name, division=COUNTY) for name in ("统计甲", "统计乙", "统计丙")]
    await seed_registration(platform, "gd", people[0][0], zhanjiang, date(2019, 2, 10))
    cancelled = await seed_registration(platform, "gd", people[1][0], zhanjiang, date(2019, 3, 5))
    await seed_registration(platform, "gd", people[2][0], zhanjiang, date(2019, 3, 20))
    gd = platform.directory.get("gd")
    async with (
        platform.db.tenant(gd.schema) as session,
        platform.db.national() as national,
        transaction(session),
        transaction(national),
    ):
        await cancel_registration(
            session,
            national,
            province=_province(platform, "gd"),
            registration_id=cancelled.id,
            reason="本人申请注销",
            decided=Decided(None, "测试", date(2019, 3, 25)),
        )
    beijing_person, _browser = await make_pharmacist("统计丁", division="110105")
    beijing = await add_unit(platform, "bj", "110105", name="北京市朝阳区统计测试大药房")
    await seed_registration(platform, "bj", beijing_person, beijing, date(2019, 3, 8))
    await platform.relay().pass_once()


async def _write_cases(platform) -> dict[str, str]:
    cases = {
        "open_overdue": "GD2019TS0001",
        "late": "GD2019TS0002",
        "in_time_a": "GD2019TS0003",
        "in_time_b": "GD2019TS0004",
        "beijing": "BJ2019TS0001",
    }
    payloads = [
        ("gd", _case(cases["open_overdue"], "2019-03-01", accepted="2019-03-01", due="2019-03-15")),
        (
            "gd",
            _case(cases["late"], "2019-03-04", accepted="2019-03-04", due="2019-03-18", decided="2019-03-22"),
        ),
        (
            "gd",
            _case(
                cases["in_time_a"],
                "2019-03-05",
                accepted="2019-03-06",
                due="2019-04-02",
                decided="2019-03-12",
            ),
        ),
        (
            "gd",
            _case(
                cases["in_time_b"],
                "2019-03-06",
                accepted="2019-03-06",
                due="2019-04-02",
                decided="2019-03-20",
                outcome="refused",
            ),
        ),
        (
            "bj",
            _case(cases["beijing"], "2019-03-06", division="110105", due="2019-03-10", unit="北京市测试局"),
        ),
    ]
    facts = analytic_facts(platform.settings)
    async with platform.db.national() as national, national.begin():
        shaping = await facts.shaping(national, "case")
        for slug, payload in payloads:
            await upsert_case_fact(national, facts.row("case", slug, payload, shaping))
    return cases


def _case(
    ref: str,
    received: str,
    *,
    accepted: str | None = None,
    due: str | None = None,
    decided: str | None = None,
    outcome: str = "approved",
    division: str = COUNTY,
    unit: str = UNIT,
) -> dict:
    return {
        "case_ref": ref,
        "matter": "first_registration",
        "status": outcome if decided else "processing",
        "division_code": division,
        "handling_unit": unit,
        "delegated": True,
        "received_on": received,
        "accepted_on": accepted,
        "decided_on": decided,
        "due_on": due,
        "outcome": outcome if decided else None,
        "supplement_notices": 0,
    }


_ROW = re.compile(r"<tr><th scope=\"row\">(?P<head>[^<]*)</th>(?P<cells>.*?)</tr>", re.S)
_CELL = re.compile(r"<td[^>]*>([^<]*)</td>")


def table_rows(html: str) -> list[tuple[str, list[str]]]:
    """Every data row of the page's tables: (row heading, cell texts)."""
    return [(m["head"], _CELL.findall(m["cells"])) for m in _ROW.finditer(html)]


def row_of(html: str, heading: str, occurrence: int = 0) -> list[str]:
    found = [cells for head, cells in table_rows(html) if head == heading]
    assert len(found) > occurrence, f"no row {heading!r} in the page"
    return found[occurrence]


def links(html: str) -> list[str]:
    return [unescape(link) for link in re.findall(r'href="([^"]+)"', html)]
