"""A first registration end to end in a real browser: a new pharmacist signs up, tries a mock application,
applies, supplements after a one-time notice, and after acceptance, review and decision (each
officer opening the materials first) downloads a certificate whose QR code opens the public
verification page."""

from __future__ import annotations

import re
from datetime import date

import pypdfium2
import zxingcpp
from playwright.async_api import Page, expect

from tests.applications.files import jpeg, pdf
from tests.pharmacists import Pharmacist, add_qualification, add_unit, resident_id
from tests.ui.steps import register
from tests.ui.test_journeys import sign_in

PASSWORD = "Autumn#Leaf2026"


async def upload(page: Page, material: str, name: str, content: bytes, mime: str) -> None:
    await page.get_by_label("材料类型").select_option(label=material)
    await page.get_by_label("文件（PDF、JPG、PNG）").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    await page.get_by_role("button", name="上传").click()
    await expect(page.locator("#attachments")).to_contain_text(name)


async def read_materials(page: Page) -> int:
    """Open each material the action panel lists as unread, as an officer does before deciding.

    Each opens in a new window; coming back to the case (the window's focus) refreshes the list.
    """
    await expect(page.get_by_role("heading", name="办理", exact=True)).to_be_visible()  # the case page
    links = page.locator("#unopened").get_by_role("link")
    count = await links.count()
    for index in range(count):
        async with page.context.expect_event("response", lambda r: "/attachments/" in r.url) as opened:
            await links.nth(index).click()
        assert (await opened.value).status == 200
    for other in page.context.pages:
        if other is not page:
            await other.close()
    if count:
        await page.evaluate("window.dispatchEvent(new Event('focus'))")
        await expect(page.locator("#unopened")).to_contain_text("本案全部申请材料您均已查阅")
    return count


async def act(page: Page, ref: str, action: str, **fields: str) -> None:
    await page.goto("/p/sc/office/")
    await page.get_by_role("link", name=ref).click()
    await page.get_by_role("link", name="办理申请").click()
    await read_materials(page)
    await page.get_by_label(action, exact=True).check()
    for label, value in fields.items():
        await page.get_by_label(label).fill(value)
    await page.get_by_role("button", name="确认办理").click()
    await expect(page.get_by_role("status").filter(has_text="已办理")).to_be_visible()


async def test_apply_supplement_decide_and_verify_by_qr(platform, new_page) -> None:
    person = Pharmacist("苏沐晴", resident_id("510104", date(1992, 8, 8), 731), "13911110731", "")
    person.qualification_no = await add_qualification(platform, person)
    unit = await add_unit(platform, "sc", "510104", name="成都市锦江区百草堂大药房")

    page = await new_page()
    await register(page, platform, person, PASSWORD)

    # A mock application runs every check and submits nothing.
    await page.get_by_role("link", name="我的申请").click()
    await page.get_by_role("link", name="模拟申报").click()
    await page.get_by_label("首次注册").check()
    await page.get_by_label("执业单位所在省份").select_option(label="四川省")
    await page.get_by_role("button", name="开始模拟").click()
    await page.get_by_label("执业药师职业资格证书编号").fill("NO-SUCH-CERT")
    await page.get_by_role("button", name="检查").click()
    await expect(page.locator("#findings")).to_contain_text("未在全国执业药师资格数据中找到证书 NO-SUCH-CERT")
    await page.get_by_label("执业药师职业资格证书编号").fill(person.qualification_no)
    await page.get_by_label("药学", exact=True).check()
    await page.get_by_label("执业范围").select_option(label="药品经营")
    await page.get_by_label("执业单位统一社会信用代码").fill(unit)
    await page.get_by_role("button", name="检查").click()
    await expect(page.locator("#findings")).to_contain_text("预审通过")

    # The real application: the pre-check follows the form as it is filled.
    await page.goto("/account/apply")
    await page.get_by_label("首次注册").check()
    await page.get_by_label("执业单位所在省份").select_option(label="四川省")
    await page.get_by_role("button", name="创建申请").click()
    await expect(page.get_by_role("heading", name=re.compile("首次注册"))).to_be_visible()
    ref = re.search(r"/(\d{16})$", page.url.rstrip("/")).group(1)
    await page.get_by_label("执业药师职业资格证书编号").fill(person.qualification_no)
    await page.get_by_label("药学", exact=True).check()
    await page.get_by_label("执业范围").select_option(label="药品经营")
    await page.get_by_label("执业单位统一社会信用代码").fill(unit)
    await page.get_by_label("本人承诺").check()
    await expect(page.locator("#findings")).to_contain_text("预审通过")
    await upload(page, "本人近期免冠正面证件照（JPG/PNG）", "照片.jpg", jpeg(), "image/jpeg")
    await upload(page, "身份证件正反面", "身份证.pdf", pdf("id"), "application/pdf")
    await upload(page, "执业药师职业资格证书", "资格证书.pdf", pdf("q"), "application/pdf")
    await upload(page, "执业单位同意执业证明（聘用证明）", "聘用证明.pdf", pdf("c"), "application/pdf")
    await page.get_by_role("button", name="提交申请").click()
    await expect(page.get_by_role("status").filter(has_text="申请已提交")).to_be_visible()
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="打印申请材料接收凭证（PDF）").click()
    receipt = pypdfium2.PdfDocument(await (await waiting.value).path())
    assert len(receipt) >= 1

    clerk = await new_page()
    await sign_in(clerk, "/p/sc/office", "sc.accept")
    # Deciding before opening the materials is refused, and what was typed stays.
    await clerk.goto("/p/sc/office/")
    await clerk.get_by_role("link", name=ref).click()
    await clerk.get_by_role("link", name="办理申请").click()
    await expect(clerk.locator("#unopened")).to_contain_text("您尚未查阅")
    await clerk.get_by_label("受理", exact=True).check()
    await clerk.get_by_label("办理意见").fill("材料齐全")
    await clerk.get_by_role("button", name="确认办理").click()
    await expect(clerk.get_by_role("alert")).to_contain_text("请先查阅全部申请材料再受理")
    await expect(clerk.get_by_label("办理意见")).to_have_value("材料齐全")
    await act(clerk, ref, "一次性告知补正", 逐项列明="资格证书扫描件不清晰，请重新扫描上传")

    await page.reload()
    await expect(page.get_by_role("main")).to_contain_text("资格证书扫描件不清晰，请重新扫描上传")
    await upload(page, "执业药师职业资格证书", "资格证书-清晰.pdf", pdf("q2"), "application/pdf")
    await page.get_by_role("button", name="提交补正材料").click()
    await expect(page.get_by_role("status").filter(has_text="补正材料已提交")).to_be_visible()

    await act(clerk, ref, "受理", 办理意见="材料齐全")
    reviewer = await new_page()
    await sign_in(reviewer, "/p/sc/office", "sc.review")
    await act(reviewer, ref, "审核通过，提交下一环节", 办理意见="符合注册条件")
    decider = await new_page()
    await sign_in(decider, "/p/sc/office", "sc.decide")
    await act(decider, ref, "准予注册", 办理意见="准予注册")

    await page.reload()
    await expect(page.locator(".chip").first).to_have_text("准予注册")
    await page.get_by_role("link", name="我的注册").first.click()
    async with page.expect_download() as waiting:
        await page.get_by_role("link", name="下载电子注册证（PDF）").click()
    download = await waiting.value
    document = pypdfium2.PdfDocument(await download.path())
    image = document[0].render(scale=200 / 72).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert codes, "the certificate carries a readable QR code"
    url = codes[0].text
    assert "/verify/" in url and "?t=" in url

    visitor = await new_page()
    await visitor.goto(url)
    await expect(visitor.get_by_role("status")).to_contain_text("有效")
    await expect(visitor.get_by_role("main")).to_contain_text(person.name)
    await expect(visitor.get_by_role("main")).to_contain_text("成都市锦江区百草堂大药房")
    await expect(visitor.get_by_role("main")).not_to_contain_text(person.id_number)
