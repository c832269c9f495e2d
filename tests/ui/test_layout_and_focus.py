"""Layout and keyboard use in a real browser: 我的申请 on a 390 px phone, wide tables kept inside
their cards, and the focus on the first error after a refused submit (full page and htmx).
Screenshots go to var/screenshots/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from pharmreg.messaging import RecordingSmsProvider
from pharmreg.settings import PROJECT_ROOT
from tests.applications.journeys import start
from tests.pharmacists import PASSWORD as APPLICANT_PASSWORD
from tests.ui.test_journeys import sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = PROJECT_ROOT / "var" / "screenshots"

# Where every table is against its card and its scrolling box, and how wide the page is.
_GEOMETRY = """() => {
  const tables = [...document.querySelectorAll('main table')].map(table => {
    const card = table.closest('.panel').getBoundingClientRect();
    const box = table.closest('.table-scroll');
    const outer = (box || table).getBoundingClientRect();
    return {
      caption: (table.querySelector('caption') || {textContent: ''}).textContent.trim(),
      insideCard: outer.left >= card.left - 1 && outer.right <= card.right + 1,
      scrolls: box ? box.scrollWidth > box.clientWidth + 1 : false,
      focusable: box ? box.tabIndex === 0 : false,
      labelled: box ? !!(box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')) : false,
    };
  });
  return {tables, pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth};
}"""


async def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def phone_page(chromium, live_server: str):
    context = await chromium.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(15_000)
    return context, await context.new_page()


async def test_my_applications_keep_the_status_on_a_phone(chromium, live_server, make_pharmacist) -> None:
    person, applicant = await make_pharmacist("钟雨桐", division="440106")
    await start(applicant, "gd", "first_registration")
    context, page = await phone_page(chromium, live_server)
    try:
        await page.goto("/account/login")
        await page.locator("#f-login").fill(person.mobile)
        await page.locator("#f-password").fill(APPLICANT_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("button", name="退出", exact=True)).to_be_visible()
        await page.goto("/account/applications?tab=drafts")
        status = page.locator("td[data-label='状态']").first
        await expect(status).to_be_visible()
        await expect(status).to_contain_text("暂存")
        box = await status.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        for label in ("申请号", "事项", "受理省份", "更新时间"):  # every column readable
            cell = await page.locator(f"td[data-label='{label}']").first.bounding_box()
            assert cell is not None and cell["x"] + cell["width"] <= PHONE["width"]
        geometry = await page.evaluate(_GEOMETRY)
        assert geometry["pageWidth"] <= PHONE["width"]
        # The column names stay for screen readers: the table keeps its header row.
        assert await page.get_by_role("columnheader", name="状态").count() == 1
        await shot(page, "my-applications-390")
    finally:
        await context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_wide_tables_stay_inside_their_cards(platform, chromium, live_server, viewport) -> None:
    sms = RecordingSmsProvider(platform.db, reveal_codes=True)
    long_text = "【广东省药品监督管理局】" + "您的执业药师注册申请材料已补正完毕，请留意办理进度。" * 4
    await sms.send(tenant_slug="gd", mobile="13800138000", purpose="case_notice", text=long_text)
    context = await chromium.new_context(base_url=live_server, locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    try:
        await sign_in(page, "/p/gd/office", "gd.admin")
        for path, name in (
            ("/p/gd/office/admin/processes/first_registration", "process-steps"),
            ("/p/gd/office/admin/audit", "audit-log"),
            ("/p/gd/office/admin/messages", "sms-log"),
            ("/p/gd/office/practice-units/", "practice-units"),
        ):
            await page.goto(path)
            await page.wait_for_load_state("networkidle")
            geometry = await page.evaluate(_GEOMETRY)
            await shot(page, f"{name}-{viewport['width']}")
            assert geometry["tables"], path
            assert geometry["pageWidth"] <= viewport["width"], (path, geometry)
            for table in geometry["tables"]:
                assert table["insideCard"], (path, table)
                # A box that scrolls is a named region the keyboard can reach and scroll.
                assert table["focusable"] == table["scrolls"], (path, table)
                assert table["labelled"] or not table["scrolls"], (path, table)
    finally:
        await context.close()


async def test_focus_lands_on_the_first_error_after_a_refused_submit(
    platform, chromium, live_server, make_pharmacist
) -> None:
    context, page = await phone_page(chromium, live_server)
    try:
        # A full page answer (the consultation form posts without htmx: it carries files).
        await page.goto("/consult/new?province=gd")
        await page.get_by_label("类别").select_option(label="注册")
        await page.get_by_label("标题").fill("变更注册的时限")
        await page.get_by_label("咨询内容").fill("请问变更注册一般多久办结？")
        await page.get_by_label("姓名或称呼").fill("伍思远")
        await page.get_by_label("联系手机").fill("12345")
        await page.get_by_label("请输入图中的数字").fill("0")
        await page.get_by_role("button", name="提交").click()
        mobile = page.locator("#c-mobile")
        await expect(mobile).to_have_attribute("aria-invalid", "true")
        await expect(mobile).to_be_focused()
        described = (await mobile.get_attribute("aria-describedby") or "").split()
        assert "e-c-mobile" in described
        await expect(page.locator("#e-c-mobile")).to_contain_text("11 位手机号码")
        await expect(page.locator("[role=alert]").first).to_contain_text("提交未成功")
        await shot(page, "consultation-refused-390")

        # An htmx answer: a boosted form of the back office, swapped in place.
        officer_context = await chromium.new_context(base_url=live_server, locale="zh-CN", viewport=PHONE)
        officer = await officer_context.new_page()
        await sign_in(officer, "/p/gd/office", "gd.admin")
        await officer.goto("/p/gd/office/practice-units/")
        await officer.locator("td.col-text a").first.click()
        await expect(officer.get_by_role("button", name="保存")).to_be_visible()
        await officer.locator("#f-name").fill("药")
        await officer.get_by_role("button", name="保存").click()
        name = officer.locator("#f-name")
        await expect(name).to_have_attribute("aria-invalid", "true")
        await expect(name).to_be_focused()
        await expect(officer.locator("#e-name")).to_contain_text("单位名称应为")
        await shot(officer, "practice-unit-refused-390")
        await officer_context.close()

        # The application form: submitting an incomplete draft lands on its first field in error.
        person, applicant = await make_pharmacist("黎安然", division="440106")
        ref = await start(applicant, "gd", "first_registration")
        await page.goto("/account/login")
        await page.locator("#f-login").fill(person.mobile)
        await page.locator("#f-password").fill(APPLICANT_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("button", name="退出", exact=True)).to_be_visible()
        await page.goto(f"/account/applications/gd/{ref}")
        for control in ("#f-qualification_no", "#f-scope", "#f-unit_uscc", "#f-declaration"):
            await expect(page.locator(control)).to_have_attribute("required", "")
        await page.get_by_role("button", name="提交申请").click()
        first = page.locator("#f-qualification_no")
        await expect(first).to_have_attribute("aria-invalid", "true")
        await expect(first).to_be_focused()
        await expect(page.locator("[role=alert]").first).to_be_visible()
        await shot(page, "application-refused-390")
    finally:
        await context.close()
