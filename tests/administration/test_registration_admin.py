"""Administrators keep the calendar, the province's registration rules and practice units."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice.models import PracticeUnit
from pharmreg.register.models import RegistrationSetting
from pharmreg.workflow import load_calendar
from pharmreg.workflow.models import DeclaredYear, WorkdayOverride
from tests.applications.journeys import fill, start
from tests.pharmacists import add_unit


async def test_the_calendar_is_kept_by_super_administrators(platform, new_browser) -> None:
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    page = await root.get("/national/admin/workdays/")
    assert page.status_code == 200 and "2027 年：未录入" in page.text
    bad = await root.post(
        "/national/admin/workdays/", {"operation": "set", "day": "2027-02-30", "working": "0"}
    )
    assert bad.status_code == 400 and "请填写有效日期" in bad.text
    assert (
        await root.post(
            "/national/admin/workdays/",
            {"operation": "set", "day": "2027-01-01", "working": "0", "note": "元旦"},
        )
    ).status_code == 303
    assert (
        await root.post("/national/admin/workdays/", {"operation": "declare", "year": "2027"})
    ).status_code == 303
    async with platform.db.national() as session:
        calendar = await load_calendar(session)
        assert calendar.covers(2027) and not calendar.is_working_day(date(2027, 1, 1))
        assert not calendar.add_working_days(date(2026, 12, 20), 20).provisional
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    assert (await staff.get("/national/admin/workdays/")).status_code == 403
    async with platform.db.national() as session, session.begin():  # leave the shared calendar as it was
        await session.execute(WorkdayOverride.__table__.delete())
        await session.execute(DeclaredYear.__table__.delete())
    assert WorkCalendar().covers(2026)


async def test_registration_rules_are_checked_before_they_apply(
    platform, new_browser, make_pharmacist
) -> None:
    admin = new_browser()
    await admin.sign_in("/p/bt/office", "bt.admin")
    form = {
        "validity_years": "5",
        "renewal_lead_days": "30",
        "age_warning": "70",
        "ce_public": "10",
        "ce_professional": "20",
        "max_attachment_mb": "5",
        "certificate_pattern": "{province}{year}{seq:06d}",
    }
    scopes = [
        (f"scopes_{t}", "distribution")
        for t in (
            "retail",
            "retail_chain_store",
            "wholesale",
            "logistics",
            "online_platform",
            "prescription_review",
        )
    ]
    scopes += [("scopes_manufacturer", "production"), ("scopes_mah", "production"), ("scopes_medical", "use")]
    bad = await admin.post(
        "/p/bt/office/admin/registration/",
        [*{**form, "validity_years": "0", "certificate_pattern": "{name}"}.items(), *scopes],
    )
    assert (
        bad.status_code == 400
        and "注册有效期（年）应为 1–10 的整数" in bad.text
        and "编号规则须同时包含" in bad.text
    )
    async with platform.db.tenant("tenant_bt") as session:
        assert (await session.get(RegistrationSetting, 1)).validity_years == 5  # nothing saved

    _person, applicant = await make_pharmacist("艾力江", division="659001")
    refused = await applicant.post("/account/apply", {"matter": "reissue", "province": "bt"})
    assert refused.status_code == 400 and "本省不受理该申请事项" in refused.text
    saved = await admin.post(
        "/p/bt/office/admin/registration/",
        [
            *form.items(),
            *scopes,
            ("reissue_enabled", "1"),
            ("ce_year", "2025"),
            ("ce_year_public", "12"),
            ("ce_year_professional", "24"),
        ],
    )
    assert saved.status_code == 303
    assert (
        await applicant.post("/account/apply", {"matter": "reissue", "province": "bt"})
    ).status_code == 303
    async with platform.db.tenant("tenant_bt") as session, session.begin():
        settings = await session.get(RegistrationSetting, 1)
        assert settings.reissue_enabled and settings.updated_by == "bt.admin"
        settings.reissue_enabled = False  # back to the default for other tests


async def test_officers_keep_practice_units_in_their_territory(
    platform, new_browser, make_pharmacist
) -> None:
    unit = await add_unit(platform, "gd", "440106", name="广州市天河区整改大药房")
    async with platform.db.tenant("tenant_gd") as session:
        unit_id = await session.scalar(select(PracticeUnit.id).where(PracticeUnit.uscc == unit))
    clerk = new_browser()
    await clerk.sign_in("/p/gd/office", "gd.accept")
    listing = await clerk.get("/p/gd/office/practice-units/", params={"q": "整改大药房"})
    assert "广州市天河区整改大药房" in listing.text
    page = await clerk.get(f"/p/gd/office/practice-units/{unit_id}")
    form = {
        "name": "广州市天河区整改大药房",
        "unit_type": "retail",
        "licence_no": "粤DA7654321",
        "licence_valid_until": "2031-12-31",
        "address": "天河路1号",
        "status": "suspended",
    }
    bad = await clerk.post(
        f"/p/gd/office/practice-units/{unit_id}", {**form, "licence_valid_until": "明年", "name": ""}
    )
    assert bad.status_code == 400 and "请填写有效日期" in bad.text and "单位名称应为" in bad.text
    assert page.status_code == 200
    assert (await clerk.post(f"/p/gd/office/practice-units/{unit_id}", form)).status_code == 303
    person, applicant = await make_pharmacist("邱海燕", division="440106")
    ref = await start(applicant, "gd", "first_registration")
    findings = await fill(
        applicant,
        "gd",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
    )
    assert "当前不能注册执业药师（停业整顿）" in findings
    # A county officer elsewhere, and another province, cannot reach the unit at all.
    far = new_browser()
    await far.sign_in("/p/gd/office", "gd.440103.accept")
    assert (await far.get(f"/p/gd/office/practice-units/{unit_id}")).status_code == 404
    js_clerk = new_browser()
    await js_clerk.sign_in("/p/js/office", "js.accept")
    elsewhere = await js_clerk.get(f"/p/js/office/practice-units/{unit_id}")
    assert "广州市天河区整改大药房" not in elsewhere.text  # ids are per province: never Guangdong's unit
