"""Exporting a statistics report as a person does it: the export buttons' form is posted, the
progress page polls until the worker has written the file, and only the person who asked can
download it. Test reports stand in for the real ones (registered in REPORTS for each test)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import openpyxl
import pytest
from arq.worker import Worker
from sqlalchemy import func, select, update

from pharmreg.kit.clock import utcnow
from pharmreg.supervision import export_report, purge_old_exports
from pharmreg.supervision.models import ExportJob
from tests.documents.pdfs import pdf_text
from tests.people import audit_actions, make_officer
from tests.supervision.reports import register_test_reports, render_export_buttons
from workers.main import worker_options

GD = "/p/gd/office"
GD_STATS = f"{GD}/statistics"
BJ_STATS = "/p/bj/office/statistics"
NATIONAL = "/national/supervision"
PROGRESS = re.compile(r"/exports/([0-9a-f-]{36})$")


@pytest.fixture(autouse=True)
def test_reports(monkeypatch):
    register_test_reports(monkeypatch)


class _Form(HTMLParser):
    """The fields of the export form the buttons render (hidden inputs, buttons, the select)."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.buttons: dict[str, str] = {}
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a["action"]
        elif tag == "input" and a.get("type") == "hidden" and a.get("name") != "_csrf_token":
            self.fields.append((a["name"], a["value"]))
        elif tag == "button":
            self.buttons[a["value"]] = a["name"]
        elif tag == "select":
            self._select = a["name"]
            self.selects[a["name"]] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append(a["value"])


def export_form(base: str, report: str, params: dict[str, str]) -> _Form:
    """The form `export_buttons` renders on a report page, parsed."""
    page = render_export_buttons(base, report, params)
    form = _Form()
    form.feed(page)
    return form


async def submit(browser, form: _Form, fmt: str, encoding: str | None = None):
    data = [*form.fields, (form.buttons[fmt], fmt)]
    if encoding:
        assert encoding in form.selects["encoding"]
        data.append(("encoding", encoding))
    return await browser.post(form.action, data)


async def _signed_in(new_browser, base: str, login: str, password: str | None = None):
    browser = new_browser()
    response = await (browser.sign_in(base, login, password) if password else browser.sign_in(base, login))
    assert response.status_code in (302, 303), response.text[:300]
    return browser


async def _export_count(platform) -> int:
    async with platform.db.national() as session:
        return int(await session.scalar(select(func.count()).select_from(ExportJob)) or 0)


async def _job(platform, export_id: str) -> ExportJob:
    async with platform.db.national() as session:
        job = await session.get(ExportJob, export_id)
        assert job is not None
        return job


async def test_officer_exports_a_report_and_downloads_it(platform, new_browser) -> None:
    stats = await _signed_in(new_browser, GD, "gd.stats")
    form = export_form(GD_STATS, "test_units", {"month": "2026-11"})
    assert form.action == f"{GD_STATS}/exports"
    asked = await submit(stats, form, "xlsx")
    assert asked.status_code == 303
    progress_url = asked.headers["location"]
    export_id = PROGRESS.search(progress_url).group(1)

    page = await stats.get(progress_url)
    assert page.status_code == 200
    assert "<progress" in page.text and 'hx-trigger="every 1s"' in page.text and "排队中" in page.text
    polled = await stats.get(progress_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "<html" not in polled.text and 'id="export-progress"' in polled.text

    assert await export_report(platform.job_ctx(), export_id) == "done"

    polled = await stats.get(progress_url, headers={"HX-Request": "true"})
    assert "every 1s" not in polled.text  # the polling stops
    link = re.search(r'href="([^"]+/file)"', polled.text).group(1)
    assert link == f"{GD_STATS}/exports/{export_id}/file"
    assert "下载 广东省执业单位统计_2026-11.xlsx" in polled.text

    downloaded = await stats.get(link)
    assert downloaded.status_code == 200
    assert quote("广东省执业单位统计_2026-11.xlsx", safe="") in downloaded.headers["content-disposition"]
    assert downloaded.headers["content-disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded.content)).active
    assert sheet["A1"].value == "执业单位统计（2026-11）"
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    codes = [c for c in cells if isinstance(c.value, str) and re.fullmatch(r"\d{6}", c.value)]
    assert codes and all(c.data_type == "s" and c.value.startswith("44") for c in codes)
    assert any(c.value == "合计" for c in cells)
    assert all(c.data_type != "f" for c in cells)

    job = await _job(platform, export_id)
    assert (job.status, job.progress, job.scope_tenant, job.division_prefix) == ("done", 100, "gd", None)
    assert job.row_count == len(codes) and job.size == len(downloaded.content) and len(job.sha256) == 64
    assert await audit_actions(platform, "gd", f"export:{export_id}") == ["report_exported"]

    listing = await stats.get(f"{GD_STATS}/exports/")
    assert "广东省执业单位统计_2026-11.xlsx" in listing.text and link in listing.text


async def test_only_the_officer_who_asked_can_read_the_export(platform, new_browser, client) -> None:
    stats = await _signed_in(new_browser, GD, "gd.stats")
    asked = await submit(stats, export_form(GD_STATS, "test_units", {"month": "2026-10"}), "pdf")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    await export_report(platform.job_ctx(), export_id)
    file_path = f"/exports/{export_id}/file"
    assert (await stats.get(GD_STATS + file_path)).status_code == 200

    await make_officer(platform, "gd", "gd.stats.colleague", ("statistics",))
    colleague = await _signed_in(new_browser, GD, "gd.stats.colleague", "Green#Hills2026")
    for path in (file_path, f"/exports/{export_id}", "/exports/"):
        response = await colleague.get(GD_STATS + path)
        assert export_id not in response.text
        if path != "/exports/":
            assert response.status_code == 404

    beijing = await _signed_in(new_browser, "/p/bj/office", "bj.stats")
    assert (await beijing.get(BJ_STATS + file_path)).status_code == 404
    assert (await beijing.get(BJ_STATS + f"/exports/{export_id}")).status_code == 404
    # The gd address with a bj officer's session: not signed in there.
    assert (await beijing.get(GD_STATS + file_path)).status_code in (302, 303, 401, 403)

    staff = await _signed_in(new_browser, "/national", "nmpa.analyst")
    assert (await staff.get(NATIONAL + file_path)).status_code == 404

    anonymous = new_browser()
    for url in (GD_STATS + file_path, NATIONAL + file_path):
        response = await anonymous.get(url)
        assert response.status_code in (302, 303, 401, 403) and b"%PDF" not in response.content

    # Officers without the statistics post cannot export at all.
    clerk = await _signed_in(new_browser, GD, "gd.accept")
    assert (await clerk.get(GD_STATS + "/exports/")).status_code == 403
    refused = await submit(clerk, export_form(GD_STATS, "test_units", {"month": "2026-10"}), "xlsx")
    assert refused.status_code == 403


async def test_a_city_bureau_exports_its_own_territory(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.440100.stats", ("statistics",), "440100")
    city = await _signed_in(new_browser, GD, "gd.440100.stats", "Green#Hills2026")
    asked = await submit(city, export_form(GD_STATS, "test_units", {"month": "2026-11"}), "csv", "gb18030")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    await export_report(platform.job_ctx(), export_id)
    job = await _job(platform, export_id)
    assert job.division_prefix == "4401" and job.encoding == "gb18030"
    downloaded = await city.get(f"{GD_STATS}/exports/{export_id}/file")
    assert downloaded.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(downloaded.content.decode("gb18030"))))
    assert rows[0] == ["区划代码", "执业单位数"]
    assert all(r[0].startswith("4401") for r in rows[1:-1]) and rows[-1][0] == "合计"


@pytest.mark.parametrize(
    ("base", "data", "message"),
    [
        (GD_STATS, {"report": "no_such_report", "format": "xlsx"}, "没有这项报表"),
        (GD_STATS, {"report": "test_national_units", "format": "xlsx"}, "只能在国家局的监管统计中导出"),
        (NATIONAL, {"report": "test_units", "format": "xlsx"}, "只能在各省的统计中导出"),
        (GD_STATS, {"report": "test_units", "format": "docx"}, "请选择导出格式"),
        (GD_STATS, {"report": "test_units", "format": "csv", "encoding": "latin-1"}, "UTF-8 或 GB18030"),
        (GD_STATS, {"report": "test_units", "format": "pdf", "p.Bad-Name": "x"}, "报表参数有误"),
        (GD_STATS, {"report": "test_units", "format": "pdf", "p.month": "x" * 201}, "报表参数过长"),
        (GD_STATS, {}, "请选择要导出的报表"),
    ],
)
async def test_bad_export_forms_are_refused_in_chinese(platform, new_browser, base, data, message) -> None:
    browser = await (
        _signed_in(new_browser, "/national", "nmpa.analyst")
        if base == NATIONAL
        else _signed_in(new_browser, GD, "gd.stats")
    )
    before = await _export_count(platform)
    refused = await browser.post(f"{base}/exports", data)
    assert refused.status_code == 400 and message in refused.text
    assert await _export_count(platform) == before


async def test_a_bad_parameter_fails_the_export_with_the_reports_message(platform, new_browser) -> None:
    stats = await _signed_in(new_browser, GD, "gd.stats")
    asked = await submit(stats, export_form(GD_STATS, "test_units", {"month": "十一月"}), "xlsx")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    assert await export_report(platform.job_ctx(), export_id) == "failed"
    page = await stats.get(asked.headers["location"])
    assert "导出失败：月份应写作“年-月”，例如 2026-11" in page.text
    assert "every 1s" not in page.text and "/file" not in page.text
    assert (await stats.get(f"{GD_STATS}/exports/{export_id}/file")).status_code == 404


async def test_a_broken_report_fails_without_showing_its_internals(platform, new_browser, caplog) -> None:
    stats = await _signed_in(new_browser, GD, "gd.stats")
    asked = await submit(stats, export_form(GD_STATS, "test_broken", {}), "pdf")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    assert await export_report(platform.job_ctx(), export_id) == "failed"
    page = (await stats.get(asked.headers["location"])).text
    assert "导出失败：生成报表文件时出错" in page
    assert "secret" not in page and "RuntimeError" not in page and "Traceback" not in page
    job = await _job(platform, export_id)
    assert job.status == "failed" and "secret" not in job.error


async def test_too_many_unfinished_exports_are_refused(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.stats.busy", ("statistics",))
    busy = await _signed_in(new_browser, GD, "gd.stats.busy", "Green#Hills2026")
    form = export_form(GD_STATS, "test_units", {"month": "2026-11"})
    for _ in range(3):
        assert (await submit(busy, form, "xlsx")).status_code == 303
    refused = await submit(busy, form, "xlsx")
    assert refused.status_code == 400 and "正在生成" in refused.text


async def test_national_staff_export_a_national_report(platform, new_browser) -> None:
    staff = await _signed_in(new_browser, "/national", "nmpa.analyst")
    form = export_form(NATIONAL, "test_national_units", {"month": "2026-11"})
    asked = await submit(staff, form, "pdf")
    assert asked.status_code == 303 and asked.headers["location"].startswith(f"{NATIONAL}/exports/")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    assert await export_report(platform.job_ctx(), export_id) == "done"
    job = await _job(platform, export_id)
    assert job.scope_tenant is None and job.owner_tenant == "national"
    downloaded = await staff.get(f"{NATIONAL}/exports/{export_id}/file")
    assert downloaded.headers["content-type"] == "application/pdf"
    assert quote("全国执业单位统计_2026-11.pdf", safe="") in downloaded.headers["content-disposition"]
    text = pdf_text(downloaded.content)
    assert "全国执业单位统计（2026-11）" in text and "gd" in text
    # Another staff member cannot read it; a province's officer cannot reach it either.
    colleague = await _signed_in(new_browser, "/national", "nmpa.admin")
    assert (await colleague.get(f"{NATIONAL}/exports/{export_id}/file")).status_code == 404
    stats = await _signed_in(new_browser, GD, "gd.stats")
    assert (await stats.get(f"{GD_STATS}/exports/{export_id}/file")).status_code == 404


async def test_old_exports_are_purged(platform, new_browser) -> None:
    stats = await _signed_in(new_browser, GD, "gd.stats")
    asked = await submit(stats, export_form(GD_STATS, "test_units", {"month": "2026-09"}), "csv")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    await export_report(platform.job_ctx(), export_id)
    async with platform.db.national() as session, session.begin():
        await session.execute(
            update(ExportJob).where(ExportJob.id == export_id).values(created_at=utcnow() - timedelta(days=8))
        )
    assert (await purge_old_exports(platform.job_ctx()))["purged"] >= 1
    assert (await stats.get(f"{GD_STATS}/exports/{export_id}/file")).status_code == 404
    async with platform.db.national() as session:
        assert await session.get(ExportJob, export_id) is None


async def test_the_worker_runs_the_export_the_form_enqueued(platform, new_browser) -> None:
    """The form's job reaches arq's queue under the name the worker registers (workers/main.py)."""
    stats = await _signed_in(new_browser, GD, "gd.stats")
    asked = await submit(stats, export_form(GD_STATS, "test_units", {"month": "2026-08"}), "xlsx")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    options = worker_options(platform.settings)
    registered = [f for f in options["functions"] if getattr(f, "name", None) == "export_report"]
    assert registered, "export_report is not registered with the worker"
    assert any(c.name == "cron:purge_old_exports" for c in options["cron_jobs"])

    async def startup(ctx: dict) -> None:
        ctx.update(platform.job_ctx())

    worker = Worker(
        functions=registered,
        redis_settings=options["redis_settings"],
        queue_name=options["queue_name"],
        on_startup=startup,
        burst=True,
        handle_signals=False,
        poll_delay=0.1,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    assert (await _job(platform, export_id)).status == "done"
    page = await stats.get(asked.headers["location"])
    assert f"{GD_STATS}/exports/{export_id}/file" in page.text


async def test_an_export_left_waiting_says_so(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.stats.waiting", ("statistics",))
    stats = await _signed_in(new_browser, GD, "gd.stats.waiting", "Green#Hills2026")
    asked = await submit(stats, export_form(GD_STATS, "test_units", {"month": "2026-07"}), "pdf")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    assert "排队时间较长" not in (await stats.get(asked.headers["location"])).text
    async with platform.db.national() as session, session.begin():
        await session.execute(
            update(ExportJob)
            .where(ExportJob.id == export_id)
            .values(created_at=utcnow() - timedelta(minutes=5))
        )
    polled = await stats.get(asked.headers["location"], headers={"HX-Request": "true"})
    assert "排队时间较长" in polled.text and "every 1s" in polled.text


async def test_an_export_that_will_not_finish_is_failed(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.stats.stuck", ("statistics",))
    stats = await _signed_in(new_browser, GD, "gd.stats.stuck", "Green#Hills2026")
    asked = await submit(stats, export_form(GD_STATS, "test_units", {"month": "2026-06"}), "xlsx")
    export_id = PROGRESS.search(asked.headers["location"]).group(1)
    async with platform.db.national() as session, session.begin():
        await session.execute(
            update(ExportJob)
            .where(ExportJob.id == export_id)
            .values(status="running", created_at=utcnow() - timedelta(hours=2))
        )
    assert (await purge_old_exports(platform.job_ctx()))["abandoned"] >= 1
    page = await stats.get(asked.headers["location"])
    assert "导出失败：导出超时未完成，请重新导出" in page.text and "every 1s" not in page.text
