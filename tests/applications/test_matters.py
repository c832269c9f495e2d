"""Renewal, change (within and across provinces) and cancellation, through the pages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pharmreg.kit.clock import china_today
from pharmreg.register.models import RegisterEntry, Registration, RegistrationHistory
from tests.applications.journeys import fill, start, upload_required
from tests.pharmacists import add_credits, add_unit, approve, seed_registration


async def _registration(platform, slug: str, certificate_no: str | None = None, person=None) -> Registration:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        query = select(Registration)
        if certificate_no:
            query = query.where(Registration.certificate_no == certificate_no)
        if person:
            query = query.where(Registration.id_number == person.id_number)
        return (await session.scalars(query.order_by(Registration.id.desc()))).first()


async def _history(platform, slug: str, registration_id: int) -> list[str]:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        rows = await session.scalars(
            select(RegistrationHistory.kind)
            .where(RegistrationHistory.registration_id == registration_id)
            .order_by(RegistrationHistory.id)
        )
        return list(rows)


async def test_renewal_needs_credits_and_starts_the_day_after_expiry(
    platform, make_pharmacist, new_browser
) -> None:
    person, browser = await make_pharmacist("赵雨桐", division="510104", obtained="2019-10-20")
    unit = await add_unit(platform, "sc", "510104")
    old = await seed_registration(platform, "sc", person, unit, date(2022, 3, 1))
    assert old.valid_until == date(2027, 2, 28)
    await add_credits(platform, person, [2022, 2023, 2024])
    ref = await start(browser, "sc", "renewal")
    findings = await fill(browser, "sc", ref, unit_uscc=unit, declaration="yes")
    assert "2025年度继续教育学分不足：公需科目 0/10，专业科目 0/20；平台尚无记录的" in findings
    await add_credits(platform, person, [2025], public=10, professional=20)
    findings = await fill(browser, "sc", ref, unit_uscc=unit, declaration="yes")
    assert "预审通过" in findings
    await upload_required(browser, "sc", ref, materials=("consent",))
    assert (await browser.post(f"/account/applications/sc/{ref}/submit", {})).status_code == 303
    await approve(new_browser, "sc", ref)
    renewed = await _registration(platform, "sc", old.certificate_no)
    assert (renewed.valid_from, renewed.valid_until) == (date(2027, 3, 1), date(2032, 2, 29))
    assert await _history(platform, "sc", renewed.id) == ["registered", "renewed"]


async def test_change_within_the_province_keeps_number_and_expiry(
    platform, make_pharmacist, new_browser
) -> None:
    person, browser = await make_pharmacist("钱思远", division="510104")
    unit = await add_unit(platform, "sc", "510104")
    new_unit = await add_unit(platform, "sc", "510105", name="成都市青羊区仁和大药房")
    old = await seed_registration(platform, "sc", person, unit, date(2024, 6, 1))
    ref = await start(browser, "sc", "change")
    same = await fill(
        browser, "sc", ref, categories="pharmacy", scope="distribution", unit_uscc=unit, declaration="yes"
    )
    assert "变更内容与现有注册相同" in same
    await fill(
        browser, "sc", ref, categories="pharmacy", scope="distribution", unit_uscc=new_unit, declaration="yes"
    )
    await upload_required(browser, "sc", ref, materials=("consent",))
    assert (await browser.post(f"/account/applications/sc/{ref}/submit", {})).status_code == 303
    await approve(new_browser, "sc", ref)
    changed = await _registration(platform, "sc", old.certificate_no)
    assert changed.unit_name == "成都市青羊区仁和大药房" and changed.valid_until == old.valid_until
    assert changed.status == "active" and await _history(platform, "sc", changed.id) == [
        "registered",
        "changed",
    ]


async def test_cross_province_change_closes_the_origin_on_the_same_day(
    platform, make_pharmacist, new_browser
) -> None:
    person, browser = await make_pharmacist("孙嘉禾", division="440106")
    origin_unit = await add_unit(platform, "gd", "440106")
    destination_unit = await add_unit(platform, "js", "320102", name="南京市玄武区益生大药房")
    old = await seed_registration(platform, "gd", person, origin_unit, date(2023, 5, 10))
    ref = await start(browser, "js", "change")
    await fill(
        browser,
        "js",
        ref,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=destination_unit,
        declaration="yes",
    )
    await upload_required(browser, "js", ref, materials=("consent",))
    assert (await browser.post(f"/account/applications/js/{ref}/submit", {})).status_code == 303
    await approve(new_browser, "js", ref)

    today = china_today()
    origin = await _registration(platform, "gd", old.certificate_no)
    assert origin.status == "transferred" and origin.closed_on == today and origin.destination_tenant == "js"
    assert await _history(platform, "gd", origin.id) == ["registered", "transferred_out"]
    arrived = await _registration(platform, "js", person=person)
    assert arrived.origin_tenant == "gd" and arrived.valid_until == old.valid_until  # the expiry date is kept
    assert await _history(platform, "js", arrived.id) == ["transferred_in"]
    async with platform.db.national() as session:
        entries = {
            e.tenant: e.status
            for e in await session.scalars(
                select(RegisterEntry).where(RegisterEntry.person_key == f"resident_id:{person.id_number}")
            )
        }
    assert entries == {"gd": "transferred", "js": "active"}
    mine = await browser.get("/account/registrations")
    assert "广东省" in mine.text and "江苏省" in mine.text and "跨省变更转出" in mine.text
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    national = await staff.get("/national/register", params={"q": old.certificate_no})
    assert "已转出" in national.text and arrived.certificate_no in national.text  # both provinces, one view


async def test_cancellation_closes_the_registration_publicly(platform, make_pharmacist, new_browser) -> None:
    person, browser = await make_pharmacist("周明轩", division="510104")
    unit = await add_unit(platform, "sc", "510104")
    old = await seed_registration(platform, "sc", person, unit, date(2024, 1, 15))
    ref = await start(browser, "sc", "cancellation")
    assert "请选择注销原因" in await fill(browser, "sc", ref, declaration="yes")
    await fill(browser, "sc", ref, reason="left_post", declaration="yes")
    assert (await browser.post(f"/account/applications/sc/{ref}/submit", {})).status_code == 303
    await approve(new_browser, "sc", ref, review=False)  # the national template has no review step here
    closed = await _registration(platform, "sc", old.certificate_no)
    assert closed.status == "cancelled" and closed.closed_on == china_today()
    public = await new_browser().get(f"/verify/?certificate_no={old.certificate_no}&name=周明轩")
    assert "已注销" in public.text
    await platform.relay().pass_once()  # 结果公示 is read from the national side
    results = await new_browser().get("/p/sc/results/")
    assert old.certificate_no in results.text and "注销注册" in results.text


async def test_ex_officio_cancellation_needs_the_authority_and_its_grounds(
    platform, make_pharmacist, new_browser
) -> None:
    person, _browser = await make_pharmacist("黎文博", division="510104")
    unit = await add_unit(platform, "sc", "510104")
    row = await seed_registration(platform, "sc", person, unit, date(2024, 3, 3))
    clerk = new_browser()
    await clerk.sign_in("/p/sc/office", "sc.accept")
    found = await clerk.get("/p/sc/office/register/", params={"q": row.certificate_no})
    assert "黎文博" in found.text and person.id_number not in found.text
    refused = await clerk.post(
        f"/p/sc/office/register/{row.id}/cancel", {"reason": "death", "facts": "死亡证明"}
    )
    assert refused.status_code == 400 and "需审批岗位" in refused.text
    decider = new_browser()
    await decider.sign_in("/p/sc/office", "sc.decide")
    vague = await decider.post(f"/p/sc/office/register/{row.id}/cancel", {"reason": "criminal", "facts": ""})
    assert vague.status_code == 400 and "请写明事实和依据" in vague.text
    done = await decider.post(
        f"/p/sc/office/register/{row.id}/cancel",
        {"reason": "criminal", "facts": "（2026）川0104刑初123号判决书"},
    )
    assert done.status_code == 303
    closed = await _registration(platform, "sc", row.certificate_no)
    assert closed.status == "cancelled" and "受到刑事处罚" in closed.close_reason
    await platform.relay().pass_once()
    results = await new_browser().get("/p/sc/results/")
    assert (
        row.certificate_no in results.text and "川0104刑初123号" not in results.text
    )  # grounds, not the facts
    assert await _history(platform, "sc", closed.id) == ["registered", "cancelled"]
