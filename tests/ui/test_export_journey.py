"""Exporting a report in a real browser: the export buttons on a page, the progress bar that
htmx refreshes every second, and the download under its Chinese file name."""

from __future__ import annotations

import io
import json
import os
import re

import openpyxl
import pytest
from playwright.async_api import expect

from pharmreg.supervision import export_report
from tests.supervision.reports import register_test_reports, render_export_buttons
from tests.ui.test_journeys import sign_in

STATS = "/p/gd/office/statistics"
# Where the journey leaves its screenshots when asked (PHARMREG_UI_SHOTS=<directory>).
SHOTS = os.environ.get("PHARMREG_UI_SHOTS")


@pytest.fixture(autouse=True)
def test_reports(monkeypatch):
    register_test_reports(monkeypatch)


async def _shot(page, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


async def test_an_officer_exports_a_report_and_downloads_it(new_page, platform) -> None:
    page = await new_page()
    await sign_in(page, "/p/gd/office", "gd.stats")
    await page.goto(f"{STATS}/exports/")
    await expect(page.get_by_role("heading", name="我的导出")).to_be_visible()
    # The buttons as a report page shows them (the statistics pages include the same macro).
    token = json.loads(await page.evaluate("document.body.getAttribute('hx-headers')"))["x-csrf-token"]
    buttons = render_export_buttons(
        STATS, "test_units", {"month": "2026-11"}, f'<input type="hidden" name="_csrf_token" value="{token}">'
    )
    await page.evaluate(
        "html => document.querySelector('main').insertAdjacentHTML('afterbegin', html)", buttons
    )
    await page.get_by_role("button", name="Excel").click()

    await expect(page).to_have_url(re.compile(rf"{STATS}/exports/[0-9a-f-]{{36}}$"))
    await expect(page.locator("progress")).to_be_visible()
    await expect(page.get_by_text("排队中")).to_be_visible()
    await _shot(page, "export-queued")
    export_id = page.url.rsplit("/", 1)[1]

    assert await export_report(platform.job_ctx(), export_id) == "done"
    link = page.get_by_role("link", name="下载 广东省执业单位统计_2026-11.xlsx")
    await expect(link).to_be_visible(timeout=5_000)  # the polled fragment brought it
    await _shot(page, "export-done")
    async with page.expect_download() as started:
        await link.click()
    download = await started.value
    assert download.suggested_filename == "广东省执业单位统计_2026-11.xlsx"
    path = await download.path()
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet["A1"].value == "执业单位统计（2026-11）"

    await page.get_by_role("link", name="我的导出").click()
    # Earlier exports of the same report may be listed too: the newest comes first.
    await expect(page.get_by_role("cell", name="广东省执业单位统计_2026-11.xlsx").first).to_be_visible()
    await _shot(page, "export-list")
