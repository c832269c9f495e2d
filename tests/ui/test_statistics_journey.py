"""A province statistician's journey in a real browser: 统计查询 from the office menu, the 月报 of
a chosen month with its chart drawn beside its table, and the report exported as Excel, PDF and
CSV through the export page, each file opened."""

from __future__ import annotations

import io
import re

import openpyxl
from playwright.async_api import expect
from pypdf import PdfReader

from pharmreg.supervision import export_report
from tests.supervision.statistics_data import set_up_march_2019
from tests.ui.test_journeys import sign_in

STATS = "/p/gd/office/statistics"
TITLE = "广东省执业药师注册月报（2019年03月）"


async def _export(page, platform, button: str, filename: str) -> bytes:
    await page.get_by_role("button", name=button, exact=True).first.click()
    await expect(page).to_have_url(re.compile(rf"{STATS}/exports/[0-9a-f-]{{36}}$"))
    await expect(page.locator("progress")).to_be_visible()
    assert await export_report(platform.job_ctx(), page.url.rsplit("/", 1)[1]) == "done"
    link = page.get_by_role("link", name=f"下载 {filename}")
    await expect(link).to_be_visible(timeout=5_000)
    async with page.expect_download() as started:
        await link.click()
    download = await started.value
    assert download.suggested_filename == filename
    return (await download.path()).read_bytes()


async def test_the_statistician_reads_a_monthly_report_and_exports_it(
    new_page, platform, make_pharmacist
) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    page = await new_page()
    await sign_in(page, "/p/gd/office", "gd.stats")
    await page.get_by_role("link", name="统计查询").first.click()
    await page.get_by_role("link", name="月报").click()
    await expect(page.get_by_role("heading", name="统计月报")).to_be_visible()
    await page.get_by_label("月份").fill("2019-03")
    await page.get_by_role("button", name="查看").click()
    await expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    # The chart is drawn (ECharts paints a canvas) and its figures are in the table beside it.
    await expect(page.locator("[data-chart] canvas").first).to_be_visible(timeout=10_000)
    await expect(page.get_by_role("rowheader", name="湛江市").first).to_be_visible()
    report_url = page.url

    workbook = openpyxl.load_workbook(
        io.BytesIO(await _export(page, platform, "Excel", "广东省执业药师注册月报_2019-03.xlsx"))
    )
    cells = [c.value for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert TITLE in cells and "湛江市" in cells

    await page.goto(report_url)
    pdf = PdfReader(io.BytesIO(await _export(page, platform, "PDF", "广东省执业药师注册月报_2019-03.pdf")))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "执业药师注册月报" in text and "湛江市" in text

    await page.goto(report_url)
    await page.get_by_label("CSV 编码").first.select_option("gb18030")
    data = await _export(page, platform, "CSV", "广东省执业药师注册月报_2019-03.csv")
    assert "湛江市" in data.decode("gb18030")
