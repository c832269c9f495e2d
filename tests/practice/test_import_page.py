"""批量导入 on the 执业单位 page: an officer uploads a CSV or Excel file of units of their territory,
under the command line's rules: the whole file or nothing, every error by line, audited."""

from __future__ import annotations

import io
import random
import re
import uuid

import openpyxl
from sqlalchemy import func, select

from pharmreg.audit.models import TenantAuditEntry
from pharmreg.demo.generator import uscc
from pharmreg.practice.models import PracticeUnit
from tests.pharmacists import add_unit

_rng = random.Random("practice-import")
HEADER = "统一社会信用代码,单位名称,单位类型,许可证编号,许可证有效期至,所在地代码,地址,负责人"
PAGE = "/p/gd/office/practice-units/"


def row(
    code: str,
    name: str,
    division: str = "440106",
    *,
    until: str = "2030-06-30",
    kind: str = "药品零售企业（单体药店）",
):
    return f"{code},{name},{kind},粤DA{_rng.randrange(10**6, 10**7)},{until},{division},{name}地址1号,张三"


def csv_file(*rows: str) -> bytes:
    return ("\ufeff" + "\r\n".join((HEADER, *rows)) + "\r\n").encode()


async def units_named(platform, slug: str, prefix: str) -> dict[str, PracticeUnit]:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        rows = await session.scalars(select(PracticeUnit).where(PracticeUnit.name.startswith(prefix)))
        return {u.uscc: u for u in rows}


async def audit_of(platform, slug: str, action: str) -> list[TenantAuditEntry]:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        query = (
            select(TenantAuditEntry).where(TenantAuditEntry.action == action).order_by(TenantAuditEntry.id)
        )
        return list(await session.scalars(query))


async def upload(browser, data: bytes, filename: str = "执业单位.csv", mime: str = "text/csv"):
    page = await browser.get(PAGE)
    assert page.status_code == 200
    action = re.search(r'action="([^"]+/practice-units/import)"', page.text).group(1)
    return await browser.post(action, {}, files={"file": (filename, data, mime)})


async def test_the_page_imports_a_file_and_says_no_shell_is_needed(platform, new_browser) -> None:
    tag = uuid.uuid4().hex[:6]
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    page = (await officer.get(PAGE)).text
    assert "pharmreg import" not in page and "<code>" not in page  # no shell command for officials

    template = await officer.get(re.search(r'href="([^"]+/template\.csv)"', page).group(1))
    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    assert template.content.decode("utf-8-sig").strip() == HEADER

    first, second = uscc(_rng, "440106"), uscc(_rng, "440303")
    done = await upload(officer, csv_file(row(first, f"导入甲{tag}"), row(second, f"导入乙{tag}", "440303")))
    assert done.status_code == 303
    shown = await officer.get(done.headers["location"])
    assert "导入完成：新增 2 家，更新 0 家" in shown.text
    stored = await units_named(platform, "gd", "导入")
    assert {first, second} <= stored.keys() and stored[second].division_code == "440303"

    # The same file, corrected: units are updated by their credit code.
    again = await upload(officer, csv_file(row(first, f"导入甲{tag}", until="2032-01-31")))
    assert again.status_code == 303 and "imported=0,1" in again.headers["location"]
    assert str((await units_named(platform, "gd", f"导入甲{tag}"))[first].licence_valid_until) == "2032-01-31"

    entries = await audit_of(platform, "gd", "practice_units_imported")
    assert entries[-2].details["added"] == 2 and entries[-1].details["updated"] == 1
    assert entries[-1].details["filename"] == "执业单位.csv" and len(entries[-1].details["sha256"]) == 64
    audit_page = (await officer.get("/p/gd/office/admin/audit")).text
    assert "导入执业单位" in audit_page


async def test_a_file_with_any_bad_row_imports_nothing_and_names_every_line(platform, new_browser) -> None:
    tag = uuid.uuid4().hex[:6]
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    good, twice = uscc(_rng, "440106"), uscc(_rng, "440106")
    refused_before = len(await audit_of(platform, "gd", "practice_units_import_refused"))
    response = await upload(
        officer,
        csv_file(
            row(good, f"坏文件{tag}"),
            row(twice, f"坏文件重复{tag}"),
            row(twice, f"坏文件重复{tag}"),
            row(uscc(_rng, "440106"), f"坏文件日期{tag}", until="明年"),
            row(uscc(_rng, "320102"), f"坏文件外省{tag}", "320102"),
            row("91440106MA59XXXXX1", f"坏文件代码{tag}"),
            row(uscc(_rng, "440106"), f"坏文件类型{tag}", kind="便利店"),
        ),
    )
    assert response.status_code == 400
    summary = re.search(
        r'<div class="alert alert-error error-summary" role="alert"[^>]*>(.*?)</div>', response.text, re.S
    )
    text = summary.group(1)
    assert "未导入任何数据" in text and "共 5 处错误" in text
    assert f"第4行：统一社会信用代码 {twice} 在文件中重复" in text
    assert "第5行：许可证有效期“明年”不是有效日期" in text
    assert "第6行：所在地代码“320102”不是本省的县级行政区划代码" in text
    assert "第7行：" in text and "第8行：单位类型“便利店”无法识别" in text
    assert "第2行" not in text and "第3行" not in text  # good rows are not blamed
    assert await units_named(platform, "gd", f"坏文件{tag}") == {}  # not even the good rows
    refused = await audit_of(platform, "gd", "practice_units_import_refused")
    assert len(refused) == refused_before + 1 and refused[-1].details["filename"] == "执业单位.csv"


async def test_whole_file_refusals_are_explained(platform, new_browser) -> None:
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    pdf = await upload(officer, b"%PDF-1.4 not a table", "单位.csv")
    assert pdf.status_code == 400 and "不是 CSV 或 Excel" in pdf.text
    missing = await upload(officer, "单位名称,地址\r\n某药房,某地\r\n".encode(), "单位.csv")
    assert missing.status_code == 400 and "缺少必需的列：统一社会信用代码" in missing.text
    empty = await officer.post(
        re.search(r'action="([^"]+/import)"', (await officer.get(PAGE)).text).group(1), {}
    )
    assert empty.status_code == 400 and "请选择要导入的 CSV 或 Excel（.xlsx）文件" in empty.text


async def test_an_excel_file_imports_like_a_csv(platform, new_browser) -> None:
    tag = uuid.uuid4().hex[:6]
    code = uscc(_rng, "440104")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [code, f"表格导入{tag}", "药品批发企业", "粤AA2000001", "2029-09-30", "440104", "越秀路1号", "李四"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    done = await upload(
        officer,
        buffer.getvalue(),
        "执业单位.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert done.status_code == 303, done.text[:500]
    assert (await units_named(platform, "gd", f"表格导入{tag}"))[code].unit_type == "wholesale"


async def test_a_city_officer_imports_only_units_of_the_city(platform, new_browser) -> None:
    tag = uuid.uuid4().hex[:6]
    shenzhen = await add_unit(platform, "gd", "440303", name=f"深圳已有药房{tag}")
    clerk = new_browser()
    await clerk.sign_in("/p/gd/office", "gd.440100.accept")
    refused = await upload(
        clerk,
        csv_file(
            row(uscc(_rng, "440106"), f"广州新药房{tag}"),
            row(uscc(_rng, "440303"), f"深圳新药房{tag}", "440303"),
            row(shenzhen, f"被搬到广州{tag}", "440106"),  # taking over another city's unit by file
        ),
    )
    assert refused.status_code == 400
    assert "第3行：所在地代码“440303”不是广州市市场监督管理局辖区的县级行政区划代码" in refused.text
    assert (
        f"第4行：统一社会信用代码 {shenzhen} 的单位登记在所在地 440303，"
        "不属于广州市市场监督管理局辖区，不能更新" in refused.text
    )
    assert (await units_named(platform, "gd", f"深圳已有药房{tag}"))[shenzhen].division_code == "440303"
    assert await units_named(platform, "gd", f"广州新药房{tag}") == {}


async def test_imports_stay_in_the_province_and_need_the_post(platform, new_browser) -> None:
    tag = uuid.uuid4().hex[:6]
    guangdong = await add_unit(platform, "gd", "440106", name=f"广东不动药房{tag}")
    js = new_browser()
    await js.sign_in("/p/js/office", "js.admin")
    refused = await upload_to(js, "/p/js/office/practice-units/", csv_file(row(guangdong, f"江苏改名{tag}")))
    assert refused.status_code == 400 and "不是本省的县级行政区划代码" in refused.text
    assert (await units_named(platform, "gd", f"广东不动药房{tag}")).keys() == {guangdong}
    async with platform.db.tenant("tenant_js") as session:
        assert not await session.scalar(select(func.count()).where(PracticeUnit.uscc == guangdong))
    # Guangdong's import page is not Jiangsu's officer's to use.
    across = await js.post(
        "/p/gd/office/practice-units/import", {}, files={"file": ("a.csv", csv_file(), "text/csv")}
    )
    assert across.status_code in (302, 303, 403)
    reviewer = new_browser()
    await reviewer.sign_in("/p/gd/office", "gd.review")  # no practice-unit post
    assert (await reviewer.get(PAGE)).status_code == 403
    forbidden = await reviewer.post(
        "/p/gd/office/practice-units/import",
        {},
        files={"file": ("a.csv", csv_file(row(uscc(_rng, "440106"), f"越权{tag}")), "text/csv")},
    )
    assert forbidden.status_code == 403
    assert await units_named(platform, "gd", f"越权{tag}") == {}


async def upload_to(browser, page_path: str, data: bytes):
    page = await browser.get(page_path)
    action = re.search(r'action="([^"]+/practice-units/import)"', page.text).group(1)
    return await browser.post(action, {}, files={"file": ("执业单位.csv", data, "text/csv")})
