"""A practice unit's state follows its licence: once the licence lapses the unit shows
"许可证已过期" everywhere it is shown (office list and page, API, application pre-check)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from pharmreg.kit.clock import china_today
from pharmreg.practice import registration_barrier, state_label, unit_state
from pharmreg.practice.models import PracticeUnit
from tests.applications.journeys import fill, start
from tests.pharmacists import add_unit


def test_an_active_unit_whose_licence_lapsed_is_expired() -> None:
    today = date(2026, 12, 8)
    assert unit_state("active", today, today) == "active"  # valid through the day it names
    assert unit_state("active", today - timedelta(days=1), today) == "expired"
    assert state_label("expired") == "许可证已过期" and state_label("active") == "正常"
    # What officers recorded stands first: a suspended unit stays suspended.
    assert unit_state("suspended", today - timedelta(days=1), today) == "suspended"


def test_why_no_one_can_register_at_a_unit() -> None:
    today = date(2026, 12, 8)
    assert registration_barrier("active", today, today) is None
    assert registration_barrier("active", date(2026, 12, 7), today) == "许可证已于 2026-12-07 过期"
    assert registration_barrier("revoked", date(2030, 1, 1), today) == "许可证吊销"
    assert (
        registration_barrier("suspended", date(2020, 1, 1), today) == "停业整顿；许可证已于 2020-01-01 过期"
    )


async def _unit_id(platform, slug: str, uscc: str) -> int:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        return int(await session.scalar(select(PracticeUnit.id).where(PracticeUnit.uscc == uscc)))


async def test_an_expired_licence_shows_everywhere(platform, new_browser, client, make_pharmacist) -> None:
    yesterday = china_today() - timedelta(days=1)
    lapsed = await add_unit(platform, "gd", "440106", name="天河过期许可证大药房", licence_until=yesterday)
    current = await add_unit(
        platform, "gd", "440106", name="天河有效许可证大药房", licence_until=china_today()
    )
    clerk = new_browser()
    await clerk.sign_in("/p/gd/office", "gd.accept")

    listing = (await clerk.get("/p/gd/office/practice-units/", params={"q": "许可证大药房"})).text
    row = re.search(r"<tr\b[^>]*>(?:(?!</tr>).)*天河过期许可证大药房.*?</tr>", listing, re.S).group(0)
    assert "许可证已过期" in row and "正常" not in row
    row = re.search(r"<tr\b[^>]*>(?:(?!</tr>).)*天河有效许可证大药房.*?</tr>", listing, re.S).group(0)
    assert "正常" in row  # the last day of validity still counts
    expired_only = (await clerk.get("/p/gd/office/practice-units/", params={"state": "expired"})).text
    assert "天河过期许可证大药房" in expired_only and "天河有效许可证大药房" not in expired_only

    page = (await clerk.get(f"/p/gd/office/practice-units/{await _unit_id(platform, 'gd', lapsed)}")).text
    state = re.search(r'id="unit-state">(.*?)</dd>', page, re.S).group(1)
    assert "许可证已过期" in state and str(yesterday) in state
    assert 'value="active" selected' in page  # what was recorded stays editable as it is

    api = await client.get("/api/v1/tenants/gd/practice-units", params={"division": "440106", "limit": 500})
    by_code = {u["uscc"]: u for u in api.json()}
    assert by_code[lapsed]["state"] == "expired" and by_code[lapsed]["state_label"] == "许可证已过期"
    assert by_code[lapsed]["status"] == "active"  # the recorded status, documented as such
    assert by_code[current]["state"] == "active"

    person, applicant = await make_pharmacist("岑美玲", division="440106")
    ref = await start(applicant, "gd", "first_registration")
    findings = await fill(
        applicant,
        "gd",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=lapsed,
    )
    assert f"执业单位“天河过期许可证大药房”当前不能注册执业药师（许可证已于 {yesterday} 过期）" in findings
