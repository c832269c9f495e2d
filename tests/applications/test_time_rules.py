"""Time rules at their edges: a renewal pending at expiry, acceptance after the 5-day period,
slots left by an interrupted commit, and malformed verification links."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from pharmreg.applications import free_stale_slots
from pharmreg.applications.models import Application
from pharmreg.kit.db import transaction
from pharmreg.messaging import RecordingSmsProvider
from pharmreg.register import Province, claim_open_case, maintain_province, open_case_of
from pharmreg.register.models import OpenCase, RegisterEntry, Registration
from tests.applications.journeys import fill, officer_act, start, upload_required
from tests.pharmacists import add_credits, add_unit, seed_registration


async def test_a_renewal_filed_in_time_keeps_the_registration_past_expiry(platform, make_pharmacist) -> None:
    person, browser = await make_pharmacist("韦思成", division="510104", obtained="2019-10-20")
    unit = await add_unit(platform, "sc", "510104")
    old = await seed_registration(platform, "sc", person, unit, date(2022, 1, 20))  # valid until 2027-01-19
    await add_credits(platform, person, [2022, 2023, 2024, 2025])
    ref = await start(browser, "sc", "renewal")
    await fill(browser, "sc", ref, unit_uscc=unit, declaration="yes")
    await upload_required(browser, "sc", ref, materials=("consent",))
    assert (await browser.post(f"/account/applications/sc/{ref}/submit", {})).status_code == 303
    tenant = platform.directory.get("sc")
    province = Province("sc", tenant.name, tenant.authority_name, tenant.division_code)
    after_expiry = old.valid_until + timedelta(days=3)
    async with platform.db.tenant(tenant.schema) as session, platform.db.national() as national:
        await maintain_province(
            session,
            national,
            province=province,
            sms=RecordingSmsProvider(platform.db, reveal_codes=True),
            today=after_expiry,
        )
    async with platform.db.tenant(tenant.schema) as session:
        assert (await session.get(Registration, old.id)).status == "active"  # not lapsed while being decided


async def test_acceptance_after_the_period_counts_from_receipt(
    platform, make_pharmacist, new_browser
) -> None:
    person, browser = await make_pharmacist("韦思远", division="320102")
    unit = await add_unit(platform, "js", "320102")
    ref = await start(browser, "js", "first_registration")
    await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(browser, "js", ref)
    assert (await browser.post(f"/account/applications/js/{ref}/submit", {})).status_code == 303
    async with platform.db.tenant("tenant_js") as session, session.begin():
        app = await session.scalar(select(Application).where(Application.ref == ref))
        app.received_on = date.today() - timedelta(days=20)  # as if received weeks ago and left lying
        app.acceptance_due = date.today() - timedelta(days=10)
    clerk = new_browser()
    await clerk.sign_in("/p/js/office", "js.accept")
    late = await officer_act(clerk, "js", ref, "supplement", items="补充照片")
    assert late.status_code == 409 and "依法视为自收到材料之日起受理" in late.text
    assert (await officer_act(clerk, "js", ref, "accept")).status_code == 303
    async with platform.db.tenant("tenant_js") as session:
        app = await session.scalar(select(Application).where(Application.ref == ref))
        assert app.accepted_on == app.received_on


async def test_a_slot_left_by_an_interrupted_submission_is_freed(platform) -> None:
    key = "resident_id:110101199901010000"
    async with platform.db.national() as national, transaction(national):
        await claim_open_case(
            national, key=key, tenant="js", ref="3299999999999999", matter="first_registration"
        )
    async with platform.db.tenant("tenant_js") as session, platform.db.national() as national:
        assert (
            await free_stale_slots(session, national, tenant="js") == 0
        )  # young: its commit may be under way
    async with platform.db.national() as national, transaction(national):
        aged = OpenCase.opened_at - timedelta(hours=1)
        await national.execute(update(OpenCase).where(OpenCase.person_key == key).values(opened_at=aged))
    async with platform.db.tenant("tenant_js") as session, platform.db.national() as national:
        assert await free_stale_slots(session, national, tenant="js") >= 1
    async with platform.db.national() as national:
        assert await open_case_of(national, key) is None


async def test_malformed_verification_links_are_refused_plainly(platform, new_browser) -> None:
    async with platform.db.national() as session:
        number = await session.scalar(select(RegisterEntry.certificate_no).limit(1))  # a demo certificate
    browser = new_browser()
    for path in (f"/verify/{number}?t=%C3%A9", f"/api/v1/verify/?certificate_no={number}&t=%C3%A9"):
        assert (await browser.get(path)).status_code == 404
