"""Tenant and applicant isolation of cases, and the sweeps that keep time limits and the register."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from pharmreg.applications import Routing, sweep_province
from pharmreg.applications.models import Application, ApplicationEvent
from pharmreg.authority import Units, load_policy
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.messaging import RecordingSmsProvider
from pharmreg.messaging.models import SentMessage
from pharmreg.register import Province, maintain_province
from pharmreg.register.models import RegisterEntry, Registration, RegistrationHistory
from tests.applications.journeys import fill, officer_act, start, upload_required
from tests.pharmacists import add_unit, seed_registration


async def _submitted(platform, make_pharmacist, slug: str, division: str, name: str):
    person, browser = await make_pharmacist(name, division=division)
    unit = await add_unit(platform, slug, division)
    ref = await start(browser, slug, "first_registration")
    await fill(
        browser,
        slug,
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(browser, slug, ref)
    assert (await browser.post(f"/account/applications/{slug}/{ref}/submit", {})).status_code == 303
    return person, browser, ref


async def test_cases_are_invisible_across_provinces_and_applicants(
    platform, make_pharmacist, new_browser
) -> None:
    _person, owner, ref = await _submitted(platform, make_pharmacist, "js", "320102", "何以琛")
    _other, stranger = await make_pharmacist("何以玫", division="320102")
    for path in (
        f"/account/applications/js/{ref}",
        f"/account/applications/js/{ref}/attachments/1",
        f"/account/applications/gd/{ref}",
    ):
        assert (await stranger.get(path)).status_code == 404
    assert (await stranger.post(f"/account/applications/js/{ref}/withdraw", {})).status_code == 404
    gd_officer = new_browser()
    await gd_officer.sign_in("/p/gd/office", "gd.accept")
    assert (await gd_officer.get(f"/p/gd/office/cases/{ref}")).status_code == 404
    assert (await gd_officer.get(f"/p/js/office/cases/{ref}")).status_code in (303, 401)  # not their province
    # Inside the province, only the unit whose pool holds the case sees it.
    county = new_browser()
    await county.sign_in("/p/js/office", "js.320102.accept")
    assert (await county.get(f"/p/js/office/cases/{ref}")).status_code == 404
    clerk = new_browser()
    await clerk.sign_in("/p/js/office", "js.accept")
    assert (await clerk.get(f"/p/js/office/cases/{ref}")).status_code == 200
    assert ref in (await owner.get("/account/applications?tab=done")).text
    assert ref not in (await stranger.get("/account/applications?tab=done")).text


async def test_withdraw_asks_for_confirmation_and_then_frees_the_person(
    platform, make_pharmacist, new_browser
) -> None:
    _person, browser, ref = await _submitted(platform, make_pharmacist, "js", "320102", "许嘉言")
    base = f"/account/applications/js/{ref}"
    page = await browser.get(base)
    # The button only asks: it is a plain GET to the confirmation step (no script needed).
    step = re.search(rf'<form method="get" action="({base}/withdraw)"', page.text)
    assert step, page.text[page.text.find("撤回") - 400 :][:800]
    # A bare POST (a crafted request, a double click on an old page) withdraws nothing.
    unconfirmed = await browser.post(f"{base}/withdraw", {})
    assert unconfirmed.status_code == 400 and "请确认撤回申请" in unconfirmed.text
    assert "待受理" in (await browser.get(base)).text
    confirm = await browser.get(step.group(1))
    assert confirm.status_code == 200 and "确认撤回申请？" in confirm.text
    form = re.search(r'<form method="post" action="([^"]+/withdraw)"', confirm.text)
    assert form and form.group(1) == f"{base}/withdraw"
    fields = dict(re.findall(r'<input type="hidden" name="(confirm)" value="([^"]+)"', confirm.text))
    assert (await browser.post(form.group(1), fields)).status_code == 303
    page = await browser.get(base)
    assert "已撤回" in page.text
    # Inline with htmx the step comes as a fragment, and asking again once withdrawn says why not.
    again_step = await browser.get(f"{base}/withdraw", headers={"HX-Request": "true"})
    assert "<html" not in again_step.text and "不能撤回" in again_step.text
    again = await start(browser, "js", "first_registration")  # a new application may be made
    assert again != ref


async def test_a_confirmed_withdrawal_after_acceptance_is_refused_in_place(
    platform, make_pharmacist, new_browser
) -> None:
    _person, browser, ref = await _submitted(platform, make_pharmacist, "js", "320102", "许嘉树")
    base = f"/account/applications/js/{ref}"
    step = await browser.get(f"{base}/withdraw")  # the applicant opened the confirmation ...
    assert "确认撤回" in step.text
    clerk = new_browser()
    await clerk.sign_in("/p/js/office", "js.accept")
    assert (await officer_act(clerk, "js", ref, "accept")).status_code == 303  # ... and it was accepted
    late = await browser.post(f"{base}/withdraw", {"confirm": "yes"})
    assert late.status_code == 409 and "申请已受理，不能撤回" in late.text
    inline = await browser.post(f"{base}/withdraw", {"confirm": "yes"}, htmx=True)
    assert inline.status_code == 200 and "申请已受理，不能撤回" in inline.text and "<html" not in inline.text
    assert "审查中" in (await browser.get(base)).text


async def _sweep(platform, slug: str, today: date, calendar: WorkCalendar):
    tenant = platform.directory.get(slug)
    model = platform.authority_model
    async with platform.db.tenant(tenant.schema) as session:
        routing = Routing(await load_policy(session, model), await Units.load(session))
        await session.rollback()
        return await sweep_province(session, routing=routing, calendar=calendar, today=today)


async def _case(platform, slug: str, ref: str) -> tuple[Application, list[str]]:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        app = await session.scalar(select(Application).where(Application.ref == ref))
        events = list(
            await session.scalars(
                select(ApplicationEvent.action)
                .where(ApplicationEvent.application_id == app.id)
                .order_by(ApplicationEvent.id)
            )
        )
        return app, events


async def test_no_notice_in_time_means_accepted_on_the_day_of_receipt(platform, make_pharmacist) -> None:
    _person, _browser, ref = await _submitted(platform, make_pharmacist, "js", "320102", "邓安然")
    app, _events = await _case(platform, "js", ref)
    calendar = WorkCalendar()
    day_before = app.acceptance_due - timedelta(days=1)
    reminded = await _sweep(platform, "js", day_before, calendar)
    assert reminded["reminded"] >= 1
    done = await _sweep(platform, "js", app.acceptance_due + timedelta(days=1), calendar)
    assert done["deemed_accepted"] >= 1
    app, events = await _case(platform, "js", ref)
    assert app.status == "processing" and app.step == "review" and app.accepted_on == app.received_on
    assert app.statutory_due == calendar.add_working_days(app.received_on, 20).due
    assert events[-2:] == ["remind", "deem_accept"] or events[-1] == "deem_accept"
    overdue = app.statutory_due + timedelta(days=3)
    first = await _sweep(platform, "js", overdue, calendar)
    second = await _sweep(platform, "js", overdue, calendar)
    assert first["escalated"] >= 1
    _app, events = await _case(platform, "js", ref)
    assert events.count("escalate") == 1 and second["escalated"] < first["escalated"] + 1


async def test_expiry_reminders_and_cancellation_on_expiry(platform, make_pharmacist) -> None:
    person, _browser = await make_pharmacist("龙思齐", division="510104")
    soon, _ = await make_pharmacist("龙思远", division="510104")
    unit = await add_unit(platform, "sc", "510104")
    expired = await seed_registration(
        platform, "sc", person, unit, date(2021, 3, 1)
    )  # valid until 2026-02-28
    expiring = await seed_registration(platform, "sc", soon, unit, date(2021, 12, 31))
    today = expiring.valid_until - timedelta(days=45)
    tenant = platform.directory.get("sc")
    province = Province("sc", tenant.name, tenant.authority_name, tenant.division_code)
    sms = RecordingSmsProvider(platform.db, reveal_codes=True)
    async with platform.db.tenant(tenant.schema) as session, platform.db.national() as national:
        first = await maintain_province(session, national, province=province, sms=sms, today=today)
        second = await maintain_province(session, national, province=province, sms=sms, today=today)
    assert first["expired"] >= 1 and second["expired"] == 0
    async with platform.db.tenant(tenant.schema) as session:
        row = await session.get(Registration, expired.id)
        assert row.status == "expired" and row.closed_on == today
        kinds = list(
            await session.scalars(
                select(RegistrationHistory.kind)
                .where(RegistrationHistory.registration_id == expired.id)
                .order_by(RegistrationHistory.id)
            )
        )
        assert kinds == ["registered", "expired"]
        assert (await session.get(Registration, expiring.id)).reminded_days == 60
    async with platform.db.national() as session:
        entry = await session.scalar(
            select(RegisterEntry).where(RegisterEntry.certificate_no == expired.certificate_no)
        )
        assert entry.status == "expired"
        texts = list(
            await session.scalars(select(SentMessage.text).where(SentMessage.purpose == "expiry_reminder"))
        )
    assert sum(expiring.certificate_no in t for t in texts) == 1  # reminded once, not on every run


async def test_the_worker_jobs_run_over_every_province(platform) -> None:
    """The cron entry points as the worker calls them (every province, one context)."""
    from pharmreg.applications import sweep_deadlines
    from pharmreg.register import maintain_register

    provinces = [t for t in platform.directory.provinces() if t.provisioned]

    ctx = platform.job_ctx(provinces)
    upkeep = await maintain_register(ctx)
    sweep = await sweep_deadlines(ctx)
    assert set(upkeep) >= {"reminded", "expired", "transferred", "orphans"}
    assert set(sweep) >= {"deemed_accepted", "reminded", "escalated", "slots_freed"}
