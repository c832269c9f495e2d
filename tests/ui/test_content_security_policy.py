"""The pages under their Content-Security-Policy in a real browser: scripts run, nothing is
refused (the `new_page` fixture fails a test on any violation), and what used inline handlers
(dialog close, expanding a row once, printing) works from the site script."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.ui.test_journeys import sign_in

PUBLIC_PAGES = [
    "/",
    "/p/gd/",
    "/account/login",
    "/account/register",
    "/p/gd/office/login",
    "/national/login",
    "/verify/",
    "/guides/",
    "/query/scores",
    "/articles/",
    "/faq",
    "/qa",
    "/consult/new",
    "/contacts",
    "/region",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_public_pages_run_their_scripts_under_the_policy(new_page, path: str) -> None:
    page = await new_page()
    response = await page.goto(path)
    assert response is not None and response.ok
    policy = await response.header_value("content-security-policy")
    assert policy is not None and "script-src 'self'" in policy and "unsafe" not in policy
    assert await response.header_value("x-frame-options") == "SAMEORIGIN"
    # htmx and the site script loaded and started: the page is boosted as before.
    await page.wait_for_function("window.htmx !== undefined && document.readyState === 'complete'")


async def test_signed_in_pages_keep_a_valid_token_and_their_controls_work(new_page) -> None:
    admin = await new_page()
    await sign_in(admin, "/p/gd/office", "gd.admin")  # a boosted form: the <body> is not reloaded
    await admin.get_by_role("link", name="审批权限").click()
    await expect(admin.get_by_role("heading", name="审批权限下放")).to_be_visible()
    # htmx sends the token for the signed-in session, not the one of the sign-in page.
    header = await admin.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['x-csrf-token']")
    cookies = {c["name"]: c["value"] for c in await admin.context.cookies()}
    assert "pharmreg_session" in cookies
    response = await admin.request.get("/p/gd/office/admin/authority/")
    assert response.headers["x-csrf-token"] == header

    expand = admin.locator("button.expand").first
    await expand.click()
    await expect(expand).to_have_attribute("aria-expanded", "true")
    await expect(expand).to_be_disabled()  # its districts are loaded once

    await admin.get_by_role("link", name=re.compile(r"^广州市市场监督管理局 首次注册：")).click()
    dialog = admin.locator("#cell-dialog")
    await expect(dialog.get_by_role("heading", name="广州市市场监督管理局 · 首次注册")).to_be_visible()
    await dialog.get_by_role("button", name="关闭").click()
    await expect(dialog).to_be_empty()


async def test_the_printable_forms_print_from_their_button(new_page) -> None:
    page = await new_page()
    await page.goto("/guides/templates/consent")
    await page.evaluate("window.print = () => { window.__printed = true; }")
    await page.get_by_role("button", name="打印").click()
    assert await page.evaluate("window.__printed === true")
