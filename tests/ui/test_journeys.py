"""The key journeys in a real browser: htmx swaps, CSRF headers, forms and messages as users see them."""

import re

from playwright.async_api import Page, expect

PASSWORD = "Pharmreg#2026"


async def sign_in(page: Page, base: str, login: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("用户名").fill(login)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("button", name="退出")).to_be_visible()


async def test_delegate_handle_and_take_back(new_page) -> None:
    admin = await new_page()
    await sign_in(admin, "/p/gd/office", "gd.admin")
    await admin.get_by_role("link", name="审批权限").click()
    await admin.get_by_role("link", name=re.compile(r"^广州市.* 首次注册：")).click()
    dialog = admin.locator("#cell-dialog")
    await expect(dialog.get_by_role("heading", name="广州市市场监督管理局 · 首次注册")).to_be_visible()
    await dialog.get_by_label("下放理由").fill("方便广州市申请人就近办理")
    await dialog.get_by_role("button", name="下放审批权限").click()
    await expect(dialog.get_by_role("status")).to_contain_text("已下放 1 项事项的审批权限")
    # The matrix row behind the dialog changed too (an out-of-band swap).
    cell = admin.get_by_role("link", name=re.compile(r"^广州市.* 首次注册："))
    await expect(cell).to_have_text(re.compile("广州市"))

    clerk = await new_page()
    await sign_in(clerk, "/p/gd/office", "gd.440100.accept")
    first = clerk.get_by_role("row").filter(has_text="首次注册").filter(has_text="广州市").first
    await first.get_by_role("link").click()
    panel = clerk.locator("#task-panel")
    await panel.get_by_role("button", name="认领").click()
    await expect(panel.get_by_role("status")).to_contain_text("已认领")

    # Wait for the dialog's own answer: typing before it is swapped in would be wiped by the swap.
    async with admin.expect_response(lambda r: "/authority/" in r.url and r.request.method == "GET"):
        await admin.get_by_role("link", name=re.compile(r"^广州市.* 首次注册：")).click()
    await expect(dialog).to_contain_text("将退回广东省药品监督管理局的待办池")
    await dialog.get_by_label("收回理由").fill("试点结束")
    await dialog.get_by_role("button", name="收回审批权限").click()
    await expect(dialog).to_contain_text("请确认已查看收回的影响")  # nothing happens unconfirmed
    await expect(dialog.get_by_label("收回理由")).to_have_value("试点结束")  # what was typed stays
    await dialog.get_by_label("我已查看上述影响，确认收回").check()
    await dialog.get_by_role("button", name="收回审批权限").click()
    await expect(dialog.get_by_role("status")).to_contain_text("已收回 1 项授权")
    await expect(cell).to_have_text(re.compile("广东省药品监督管理局"))

    # The clerk who had claimed it is told it was taken back, when and to whom.
    await clerk.reload()
    await expect(clerk.get_by_role("heading", level=1)).to_contain_text("已不在本单位办理")
    await expect(clerk.get_by_role("status")).to_contain_text("转至 广东省药品监督管理局 办理：审批权限收回")
    await clerk.get_by_role("link", name="返回待办").click()
    await expect(clerk).to_have_url(re.compile(r"/p/gd/office/$"))
