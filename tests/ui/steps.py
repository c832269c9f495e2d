"""Steps several browser journeys share."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.people import last_code
from tests.pharmacists import Pharmacist


async def register(page: Page, platform, person: Pharmacist, password: str) -> None:
    """Register as a new pharmacist does: identity with the certificate number, then the code
    the phone received (read where the development SMS provider keeps it) and a password."""
    await page.goto("/account/register")
    await page.get_by_label("姓名").fill(person.name)
    await page.get_by_label("证件号码").fill(person.id_number)
    await page.get_by_label("执业药师职业资格证书编号").fill(person.qualification_no)
    await page.get_by_label("手机号码").fill(person.mobile)
    await page.get_by_role("button", name="下一步：获取短信验证码").click()
    await expect(page.get_by_role("status").filter(has_text="验证码已发送至")).to_be_visible()
    await page.get_by_label("短信验证码").fill(await last_code(platform, person.mobile) or "")
    await page.get_by_label("设置密码").fill(password)
    await page.get_by_label("确认密码").fill(password)
    await page.get_by_role("button", name="注册", exact=True).click()
    await expect(page.get_by_role("heading", name=f"{person.name}，您好")).to_be_visible()
