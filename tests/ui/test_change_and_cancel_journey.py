"""A registered pharmacist moves to another province, then gives the registration up: the same
pages as a first registration, in a real browser."""

from __future__ import annotations

import re
from datetime import date

from playwright.async_api import Page, expect

from tests.pharmacists import Pharmacist, add_qualification, add_unit, resident_id, seed_registration
from tests.ui.steps import register
from tests.ui.test_application_journey import PASSWORD, read_materials
from tests.ui.test_journeys import sign_in


async def decide(new_page, slug: str, ref: str, steps: list[tuple[str, str]]) -> None:
    for login, action in steps:
        officer = await new_page()
        await sign_in(officer, f"/p/{slug}/office", f"{slug}.{login}")
        await officer.goto(f"/p/{slug}/office/")
        await officer.get_by_role("link", name=ref).click()
        await officer.get_by_role("link", name="办理申请").click()
        await read_materials(officer)
        await officer.get_by_label(action, exact=True).check()
        await officer.get_by_role("button", name="确认办理").click()
        await expect(officer.get_by_role("status").filter(has_text="已办理")).to_be_visible()


async def apply(page: Page, matter: str, province: str) -> str:
    await page.goto("/account/apply")
    await page.get_by_label(matter).check()
    await page.get_by_label("执业单位所在省份").select_option(label=province)
    await page.get_by_role("button", name="创建申请").click()
    await expect(page.get_by_role("heading", name=re.compile(matter))).to_be_visible()
    return re.search(r"/(\d{16})$", page.url.rstrip("/")).group(1)


async def test_move_across_provinces_then_cancel(platform, new_page) -> None:
    person = Pharmacist("钟晴", resident_id("440106", date(1988, 5, 6), 802), "13911110802", "")
    person.qualification_no = await add_qualification(platform, person, obtained="2018-10-20")
    origin = await add_unit(platform, "gd", "440106", name="广州市天河区仁心大药房")
    destination = await add_unit(platform, "js", "320102", name="南京市玄武区济世大药房")

    page = await new_page()
    await register(page, platform, person, PASSWORD)
    await seed_registration(platform, "gd", person, origin, date(2024, 4, 1))

    ref = await apply(page, "变更注册", "江苏省")
    await page.get_by_label("药学", exact=True).check()
    await page.get_by_label("执业范围").select_option(label="药品经营")
    await page.get_by_label("新执业单位统一社会信用代码").fill(destination)
    await page.get_by_label("本人承诺").check()
    await expect(page.locator("#findings")).to_contain_text("预审通过")
    await page.get_by_label("材料类型").select_option(label="执业单位同意执业证明（聘用证明）")
    await page.get_by_label("文件（PDF、JPG、PNG）").set_input_files(
        {
            "name": "聘用证明.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
        }
    )
    await page.get_by_role("button", name="上传").click()
    await expect(page.locator("#attachments")).to_contain_text("聘用证明.pdf")
    await page.get_by_role("button", name="提交申请").click()
    await expect(page.get_by_role("status").filter(has_text="申请已提交")).to_be_visible()
    await decide(
        new_page,
        "js",
        ref,
        [("accept", "受理"), ("review", "审核通过，提交下一环节"), ("decide", "准予注册")],
    )

    await page.goto("/account/registrations")
    main = page.get_by_role("main")
    await expect(main).to_contain_text("南京市玄武区济世大药房")
    await expect(main).to_contain_text("跨省变更转出")  # the Guangdong registration closed the same day

    ref = await apply(page, "注销注册", "江苏省")
    await page.get_by_label("注销原因").select_option(label="本人离职或不再从事执业药师工作")
    await page.get_by_label("本人承诺").check()
    await expect(page.locator("#findings")).to_contain_text("预审通过")
    await page.get_by_role("button", name="提交申请").click()
    await expect(page.get_by_role("status").filter(has_text="申请已提交")).to_be_visible()
    await decide(new_page, "js", ref, [("accept", "受理"), ("decide", "准予注册")])
    await page.goto("/account/registrations")
    await expect(page.get_by_role("main")).to_contain_text("已注销")
