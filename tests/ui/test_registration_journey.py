"""A new pharmacist registers in a real browser: mistakes reported field by field with the
typed values kept, the certificate number checked, then the mobile confirmed by the code
the phone received; and someone whose ID number was taken is led to the account dispute."""

from __future__ import annotations

from datetime import date

from playwright.async_api import expect

from tests.people import last_code
from tests.pharmacists import Pharmacist, add_qualification, resident_id
from tests.ui.steps import register

PASSWORD = "Spring#Rain2026"


async def test_register_with_mistakes_then_confirm_the_mobile(platform, new_page) -> None:
    person = Pharmacist("韩梅梅", resident_id("110101", date(1990, 3, 7), 2), "13900002468", "")
    person.qualification_no = await add_qualification(platform, person)
    page = await new_page()
    await page.goto("/account/register")
    await page.get_by_label("姓名").fill(person.name)
    await page.get_by_label("证件号码").fill(
        person.id_number[:-1] + ("0" if person.id_number[-1] != "0" else "1")
    )
    await page.get_by_label("手机号码").fill("1390000")
    await page.get_by_role("button", name="下一步：获取短信验证码").click()
    await expect(page.get_by_text("校验码错误")).to_be_visible()
    await expect(page.get_by_text("手机号码应为 11 位数字")).to_be_visible()
    await expect(page.get_by_text("请填写执业药师职业资格证书上的证书编号")).to_be_visible()
    await expect(page.get_by_label("姓名")).to_have_value(person.name)  # what was typed is kept
    await expect(page.get_by_label("手机号码")).to_have_attribute("aria-invalid", "true")

    await page.get_by_label("证件号码").fill(person.id_number)
    await page.get_by_label("手机号码").fill(person.mobile)
    await page.get_by_label("执业药师职业资格证书编号").fill("QA9999999999")
    await page.get_by_role("button", name="下一步：获取短信验证码").click()
    await expect(page.get_by_text("证书编号与姓名、证件号码在全国执业药师资格数据中不相符")).to_be_visible()
    assert await last_code(platform, person.mobile) is None  # nothing was sent

    await page.get_by_label("执业药师职业资格证书编号").fill(person.qualification_no)
    await page.get_by_role("button", name="下一步：获取短信验证码").click()
    await expect(page.get_by_role("status").filter(has_text="验证码已发送至 139****2468")).to_be_visible()
    code = await last_code(platform, person.mobile)
    await page.get_by_label("短信验证码").fill("000000" if code != "000000" else "111111")
    await page.get_by_label("设置密码").fill(PASSWORD)
    await page.get_by_label("确认密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册", exact=True).click()
    await expect(page.get_by_text("验证码错误，还可以再试 4 次")).to_be_visible()
    await expect(page.get_by_label("设置密码")).to_have_value("")  # passwords are never sent back
    await page.get_by_label("短信验证码").fill(code or "")
    await page.get_by_label("设置密码").fill(PASSWORD)
    await page.get_by_label("确认密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册", exact=True).click()
    await expect(page.get_by_role("heading", name="韩梅梅，您好")).to_be_visible()


async def test_a_taken_id_number_leads_to_the_dispute(platform, new_page) -> None:
    person = Pharmacist("李雷", resident_id("110101", date(1989, 4, 4), 4), "13900002470", "")
    person.qualification_no = await add_qualification(platform, person)
    first = await new_page()
    await register(
        first,
        platform,
        Pharmacist(person.name, person.id_number, "13800002470", person.qualification_no),
        PASSWORD,
    )

    page = await new_page()
    await page.goto("/account/register")
    await page.get_by_label("姓名").fill(person.name)
    await page.get_by_label("证件号码").fill(person.id_number)
    await page.get_by_label("执业药师职业资格证书编号").fill(person.qualification_no)
    await page.get_by_label("手机号码").fill(person.mobile)
    await page.get_by_role("button", name="下一步：获取短信验证码").click()
    await expect(page.get_by_role("status").filter(has_text="验证码已发送至 139****2470")).to_be_visible()
    await page.get_by_label("短信验证码").fill(await last_code(platform, person.mobile) or "")
    await page.get_by_label("设置密码").fill(PASSWORD)
    await page.get_by_label("确认密码").fill(PASSWORD)
    await page.get_by_role("button", name="注册", exact=True).click()
    await expect(page.get_by_role("heading", name="该证件号码已有账号")).to_be_visible()
    await page.get_by_role("button", name="这不是我注册的，提出账号申诉").click()
    await expect(page.get_by_role("heading", name="账号申诉：证件材料和情况说明")).to_be_visible()
    await expect(page.get_by_label("受理申诉的省份")).to_have_value("bj")
