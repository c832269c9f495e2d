"""执业监管 in a real browser: national staff open 业务监管 from the navigation, see a chart drawn
beside its table, and open the national monthly bulletin (the CSP check of `new_page` applies)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.ui.test_journeys import PASSWORD


async def test_national_staff_read_the_business_view_and_the_bulletin(new_page) -> None:
    page = await new_page()
    await page.goto("/national/login")
    await page.get_by_label("用户名").fill("nmpa.analyst")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("button", name="退出", exact=True)).to_be_visible()
    await page.get_by_role("navigation", name="主导航").get_by_role("link", name="监管").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("执业监管")
    await page.get_by_role("main").get_by_role("link", name="业务监管").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("业务监管")
    report = page.get_by_role("region", name="业务监管：各省在有效期内的注册人数")
    await expect(report.locator("[data-chart] canvas").first).to_be_attached()
    await expect(report.get_by_role("rowheader", name="广东省")).to_be_visible()
    await expect(report.get_by_text(re.compile("数据截至")).first).to_be_visible()
    await page.get_by_role("navigation", name="执业监管").get_by_role("link", name="国家月报").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("全国执业药师注册情况月报")
    await expect(page.locator("[data-chart] canvas").first).to_be_attached()
    await expect(page.get_by_role("button", name="打印")).to_be_visible()
