"""A report (`ReportTable`) written as a file to download: Excel (XLSX), PDF with its chart, or
delimited text (CSV) in UTF-8 or GB18030.

Text from the data stays text in every format: a cell that starts like a formula (= + - @, a tab
or a carriage return) is never evaluated by a spreadsheet, and codes such as 440100 or 0012 are
never turned into numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.renderPDF import draw as draw_drawing
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from pharmreg.documents.fonts import Canvas, FontSet, TextBlock, TextStyle, default_fonts, pdf_date
from pharmreg.kit.report_tables import Cell, Chart, Column, ReportTable

ExportFormat = Literal["xlsx", "pdf", "csv"]
TextEncoding = Literal["utf-8", "gb18030"]
FORMATS: dict[str, str] = {"xlsx": "Excel（.xlsx）", "pdf": "PDF", "csv": "CSV"}
ENCODINGS: dict[str, str] = {"utf-8": "UTF-8", "gb18030": "GB18030"}
CONTENT_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
}

# What a spreadsheet could read as the start of a formula (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

INK = colors.HexColor("#1f1f1f")
MUTED = colors.HexColor("#6b6b6b")
GRID = colors.HexColor("#9a9a9a")
HEAD_FILL = colors.HexColor("#eef2f6")
TOTAL_FILL = colors.HexColor("#f6f6f6")
# Series colours of the charts (distinguishable in print and for most colour-blind readers).
PALETTE = tuple(
    colors.HexColor(c)
    for c in ("#2f6db5", "#e08a1e", "#3a9a5b", "#c4453c", "#7b5ea7", "#8c6d3f", "#d46aa8", "#6b7b8c")
)
TOTAL_LABEL = "合计"


@dataclass(frozen=True, slots=True)
class ExportFile:
    content: bytes
    content_type: str
    extension: str


def write_export(
    table: ReportTable,
    fmt: str,
    *,
    generated_at: datetime,
    encoding: str = "utf-8",
    fonts: FontSet | None = None,
) -> ExportFile:
    """The report as a file of format `fmt` ("xlsx", "pdf" or "csv"); `generated_at` (China time)
    is written into it as 生成时间."""
    if fmt == "xlsx":
        return ExportFile(write_xlsx(table, generated_at=generated_at), CONTENT_TYPES["xlsx"], "xlsx")
    if fmt == "pdf":
        return ExportFile(
            write_pdf(table, generated_at=generated_at, fonts=fonts), CONTENT_TYPES["pdf"], "pdf"
        )
    if fmt == "csv":
        charset = "utf-8" if encoding == "utf-8" else "gb18030"
        return ExportFile(
            write_csv(table, encoding=encoding), f"{CONTENT_TYPES['csv']}; charset={charset}", "csv"
        )
    raise ValueError(f"unknown export format {fmt!r}")


def _tables(table: ReportTable) -> Iterator[ReportTable]:
    """The report and its further tables, in order (parts of parts too)."""
    yield table
    for part in table.parts:
        yield from _tables(part)


def _stamp(generated_at: datetime) -> str:
    return f"生成时间：{generated_at:%Y-%m-%d %H:%M}"


# --- text of a cell ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text without the control characters no format can hold (tabs and line breaks stay)."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def display(value: Cell, column: Column) -> str:
    """A cell as a person reads it in the PDF: percentages with %, dates as YYYY-MM-DD."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if column.kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{float(value) * 100:.1f}%"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _plain(value: Cell, column: Column) -> str:
    """A cell in delimited text: the value itself (a fraction stays a fraction), nothing for none."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _guarded(value)
    if isinstance(value, date):
        return value.isoformat()
    if column.kind == "percent" and isinstance(value, int | float | Decimal):
        return f"{float(value) * 100:.2f}%"
    return str(value)


def _guarded(text: str) -> str:
    """Text a spreadsheet shows as typed: a leading single quote keeps a formula from running."""
    text = _clean(text)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --- CSV ---------------------------------------------------------------------------------------


def write_csv(table: ReportTable, *, encoding: str = "utf-8") -> bytes:
    """Comma-separated text: a header row, the rows and the totals; each further table after an
    empty line, under its title. UTF-8 starts with a BOM so that Excel reads it as UTF-8."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, part in enumerate(_tables(table)):
        if index:
            writer.writerow([])
            writer.writerow([_guarded(part.title)])
        writer.writerow([_guarded(c.label) for c in part.columns])
        for row in part.rows:
            writer.writerow([_plain(v, c) for v, c in zip(row, part.columns, strict=True)])
        if part.totals is not None:
            writer.writerow([_plain(v, c) for v, c in zip(part.totals, part.columns, strict=True)])
    text = buffer.getvalue()
    return text.encode("utf-8-sig") if encoding == "utf-8" else text.encode("gb18030")


# --- XLSX --------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_MUTED_FONT = Font(color="FF6B6B6B")
_HEAD_FILL = PatternFill("solid", fgColor="FFEEF2F6")
_TOTAL_FILL = PatternFill("solid", fgColor="FFF6F6F6")


def write_xlsx(table: ReportTable, *, generated_at: datetime) -> bytes:
    """An Excel workbook: one sheet per table of the report, each with its title, subtitle, a
    frozen header row, the rows, the totals and the notes."""
    book = Workbook()
    used: set[str] = set()
    for index, part in enumerate(_tables(table)):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = _sheet_name(part.title, index, used)
        _fill_sheet(sheet, part, generated_at)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, index: int, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("", _clean(title)).strip("' ")[:28] or f"表{index + 1}"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]}_{n}", n + 1
    used.add(name.lower())
    return name


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Any:
    """A cell holding `text` as a string, whatever it starts with (never a formula)."""
    cell = sheet.cell(row=row, column=column)
    text = _clean(text)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True
    return cell


def _decimal_places(values: Sequence[Cell]) -> int:
    places = 0
    for value in values:
        if isinstance(value, Decimal) and value.is_finite():
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent)
        elif isinstance(value, float):
            places = max(places, 2)
    return min(places, 4)


def _value_cell(sheet: Worksheet, row: int, column: int, value: Cell, kind: str, places: int) -> Any:
    if value is None:
        return sheet.cell(row=row, column=column)
    if isinstance(value, str) or kind == "text":
        return _text_cell(sheet, row, column, value if isinstance(value, str) else str(value))
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif kind == "percent":
        cell.value = float(value)
        cell.number_format = "0.0%"
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = "0"
    else:
        cell.value = float(value) if isinstance(value, Decimal) else value
        cell.number_format = "0." + "0" * places if places else "0"
    return cell


def _fill_sheet(sheet: Worksheet, table: ReportTable, generated_at: datetime) -> None:
    width = len(table.columns)
    row = 1
    _text_cell(sheet, row, 1, table.title).font = _TITLE_FONT
    row += 1
    if table.subtitle:
        _text_cell(sheet, row, 1, table.subtitle).font = _MUTED_FONT
        row += 1
    _text_cell(sheet, row, 1, _stamp(generated_at)).font = _MUTED_FONT
    row += 2
    header = row
    for index, column in enumerate(table.columns, 1):
        cell = _text_cell(sheet, header, index, column.label)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    places = [_decimal_places([r[i] for r in table.rows]) for i in range(width)]
    for values in table.rows:
        row += 1
        for index, (value, column) in enumerate(zip(values, table.columns, strict=True)):
            _value_cell(sheet, row, index + 1, value, column.kind, places[index])
    if table.totals is not None:
        row += 1
        for index, (value, column) in enumerate(zip(table.totals, table.columns, strict=True)):
            cell = _value_cell(sheet, row, index + 1, value, column.kind, places[index])
            cell.font, cell.fill = _BOLD, _TOTAL_FILL
    if table.notes:
        row += 1
        for note in table.notes:
            row += 1
            _text_cell(sheet, row, 1, note).font = _MUTED_FONT
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    for index, column in enumerate(table.columns):
        texts = [column.label, *(display(r[index], column) for r in table.rows[:500])]
        if table.totals is not None:
            texts.append(display(table.totals[index], column))
        widest = max(_display_width(t) for t in texts)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(widest + 2, 8), 50)


# --- PDF ---------------------------------------------------------------------------------------

PORTRAIT = A4
MARGIN = 16 * mm
CELL_SIZE = 9.0
CELL_LEADING = 12.5
# A PDF is for reading and printing: beyond this many rows a table is cut, with a note that the
# spreadsheet formats hold every row (about 2 s per thousand rows to set).
PDF_MAX_ROWS = 20_000


def write_pdf(table: ReportTable, *, generated_at: datetime, fonts: FontSet | None = None) -> bytes:
    """A PDF: title, subtitle, the table (header repeated on every page), totals, notes and the
    chart when the report has one; A4, turned to landscape when the table is wide; numbered pages."""
    fonts = fonts or default_fonts()
    pagesize = landscape(PORTRAIT) if _is_wide(table) else PORTRAIT
    frame_width = pagesize[0] - 2 * MARGIN
    title = TextStyle(size=17, leading=26, color=INK, align="center")
    subtitle = TextStyle(size=11, leading=17, color=MUTED, align="center")
    heading = TextStyle(size=13, leading=20, color=INK)
    note = TextStyle(size=9, leading=13.5, color=MUTED)

    story: list[Any] = [TextBlock(fonts, table.title, title)]
    if table.subtitle:
        story.append(TextBlock(fonts, table.subtitle, subtitle))
    story.append(Spacer(0, 8))
    for index, part in enumerate(_tables(table)):
        if index:
            story += [Spacer(0, 14), TextBlock(fonts, part.title, heading)]
            if part.subtitle:
                story.append(TextBlock(fonts, part.subtitle, note))
            story.append(Spacer(0, 4))
        story.append(_grid(part, fonts, frame_width))
        notes = list(part.notes)
        if len(part.rows) > PDF_MAX_ROWS:
            notes.insert(
                0,
                f"本表共 {len(part.rows)} 行，PDF 只列出前 {PDF_MAX_ROWS} 行；完整数据请导出 Excel 或 CSV。",
            )
        if notes:
            story.append(Spacer(0, 6))
            story += [TextBlock(fonts, text, note) for text in notes]
        if part.chart is not None and part.rows:
            story += [Spacer(0, 10), ChartBlock(fonts, part, frame_width)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=table.title,
        subject=table.subtitle,
        creator="pharmreg",
        invariant=1,
        pageCompression=1,
    )
    stamp = _stamp(generated_at)

    def page(canvas: Any, _: Any) -> None:
        canvas.setDateFormatter(pdf_date(generated_at.date()))
        foot = MARGIN - 2 * mm
        fonts.draw(canvas, MARGIN, foot, stamp, 8.5, color=MUTED)
        fonts.draw(
            canvas,
            pagesize[0] - MARGIN,
            foot,
            f"第 {canvas.getPageNumber()} 页",
            8.5,
            anchor="end",
            color=MUTED,
        )

    document.build(story, onFirstPage=page, onLaterPages=page, canvasmaker=Canvas)
    return buffer.getvalue()


def _column_weights(table: ReportTable) -> list[float]:
    weights = []
    for index, column in enumerate(table.columns):
        texts = [display(r[index], column) for r in table.rows[:200]]
        widest = max([_display_width(t) for t in texts] or [4])
        # A long label wraps over two lines rather than widening its column.
        label = (_display_width(column.label) + 1) // 2
        weights.append(float(min(max(widest, label, 4), 40)))
    return weights


def _is_wide(table: ReportTable) -> bool:
    """Whether the widest of the report's tables needs a landscape page."""
    portrait = PORTRAIT[0] - 2 * MARGIN
    need = max(sum(_column_weights(t)) * CELL_SIZE * 0.55 + 10 * len(t.columns) for t in _tables(table))
    return need > portrait or max(len(t.columns) for t in _tables(table)) > 7


def _grid(table: ReportTable, fonts: FontSet, frame_width: float) -> Table:
    weights = _column_weights(table)
    widths = [frame_width * w / sum(weights) for w in weights]
    head = TextStyle(size=CELL_SIZE, leading=CELL_LEADING, color=INK, align="center")
    text = TextStyle(size=CELL_SIZE, leading=CELL_LEADING, color=INK)
    number = text._replace(align="right")

    def cells(values: Sequence[Cell]) -> list[Any]:
        return [
            TextBlock(fonts, display(v, c), text if c.kind == "text" else number)
            for v, c in zip(values, table.columns, strict=True)
        ]

    rows: list[list[Any]] = [[TextBlock(fonts, c.label, head) for c in table.columns]]
    rows += [cells(r) for r in table.rows[:PDF_MAX_ROWS]]
    if not table.rows:
        rows.append([TextBlock(fonts, "（无数据）", text), *([""] * (len(table.columns) - 1))])
    style: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if table.totals is not None:
        rows.append(cells(table.totals))
        style.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL))
    return Table(rows, colWidths=widths, style=TableStyle(style), repeatRows=1)


def _number(value: Cell) -> float:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _value_range(low: float, peak: float) -> tuple[float, float, float]:
    """A round bottom and top of the value axis around the data, and its step (about five steps)."""
    low, peak = min(low, 0.0), max(peak, 0.0)
    span = peak - low
    if span <= 0:
        return 0.0, 1.0, 0.2
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw * (1 - 1e-9))
    return -step * math.ceil(-low / step - 1e-9), step * math.ceil(peak / step - 1e-9), step


class ChartBlock(Flowable):  # type: ignore[misc]
    """The report's chart drawn with reportlab.graphics; its labels and legend are set with the
    document's font chain (a single reportlab font cannot hold both Latin and Chinese)."""

    HEIGHT = 230.0
    # Drawn shorter to fit the rest of a page, down to this height; below it, on the next page.
    MIN_HEIGHT = 160.0
    LEGEND_LINE = 14.0
    LABEL_SIZE = 8.0

    def __init__(self, fonts: FontSet, table: ReportTable, width: float) -> None:
        super().__init__()
        chart = table.chart
        assert chart is not None
        self.fonts, self.chart, self.table = fonts, chart, table
        self.columns = {c.key: c for c in table.columns}
        category = table.column(chart.category)
        # At most 24 categories are drawn (the table lists them all).
        rows = table.rows[:24]
        self.categories = [display(r[category], table.columns[category]) for r in rows]
        self.series = [(key, [_number(r[table.column(key)]) for r in rows]) for key in chart.series]
        self.percent = all(self.columns[key].kind == "percent" for key in chart.series)
        for label in (*self.categories, *(self.columns[k].label for k in chart.series)):
            fonts.runs(label)  # a missing glyph fails here, while the story is built
        self.width = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = min(self.width, available_width)
        fits = self.MIN_HEIGHT <= available_height < self.HEIGHT
        self.height = available_height if fits else self.HEIGHT
        return self.width, self.height

    def _value_label(self, value: float) -> str:
        if self.percent:
            return f"{value * 100:.0f}%"
        return f"{value:.10g}" if value != int(value) else str(int(value))

    def _fitted(self, text: str, room: float) -> str:
        """`text`, cut with an ellipsis to fit `room` points."""
        if self.fonts.width(text, self.LABEL_SIZE) <= room:
            return text
        while text and self.fonts.width(text + "…", self.LABEL_SIZE) > room:
            text = text[:-1]
        return text + "…" if text else ""

    def draw(self) -> None:
        if self.chart.kind == "pie":
            self._draw_pie()
        else:
            self._draw_axes_chart()

    def _legend(self, entries: Sequence[tuple[str, Any]], x: float, top: float) -> None:
        canvas = self.canv
        line = min(self.LEGEND_LINE, (top - 4) / max(len(entries), 1))
        for index, (label, colour) in enumerate(entries):
            y = top - (index + 1) * line
            canvas.saveState()
            canvas.setFillColor(colour)
            canvas.rect(x, y, 8, 8, stroke=0, fill=1)
            canvas.restoreState()
            self.fonts.draw(canvas, x + 12, y, label, self.LABEL_SIZE, color=INK)

    def _draw_axes_chart(self) -> None:
        legend_width = 130.0
        left, bottom = 44.0, 46.0
        plot_width = self.width - left - legend_width - 10
        plot_height = self.height - bottom - 12
        peak = max((v for _, values in self.series for v in values), default=0.0)
        low = min((v for _, values in self.series for v in values), default=0.0)
        floor, top, step = _value_range(low, peak)
        drawing = Drawing(self.width, self.height)
        plot: VerticalBarChart | HorizontalLineChart
        plot = VerticalBarChart() if self.chart.kind == "bar" else HorizontalLineChart()
        plot.x, plot.y, plot.width, plot.height = left, bottom, plot_width, plot_height
        plot.data = [tuple(values) for _, values in self.series]
        plot.valueAxis.valueMin, plot.valueAxis.valueMax, plot.valueAxis.valueStep = floor, top, step
        plot.valueAxis.visibleGrid = True
        plot.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
        plot.valueAxis.labels.visible = False
        plot.categoryAxis.labels.visible = False
        plot.categoryAxis.categoryNames = [""] * len(self.categories)
        if isinstance(plot, VerticalBarChart):
            plot.barSpacing = 1
            plot.groupSpacing = 6
            for index in range(len(self.series)):
                plot.bars[index].fillColor = PALETTE[index % len(PALETTE)]
                plot.bars[index].strokeColor = None
        else:
            plot.joinedLines = 1
            for index in range(len(self.series)):
                plot.lines[index].strokeColor = PALETTE[index % len(PALETTE)]
                plot.lines[index].strokeWidth = 1.8
        drawing.add(plot)
        draw_drawing(drawing, self.canv, 0, 0)

        # Value axis labels, then category labels (every n-th when they would collide).
        span = top - floor
        ticks = round(span / step)
        for n in range(ticks + 1):
            value = floor + n * step
            y = bottom + plot_height * (value - floor) / span
            self.fonts.draw(
                self.canv, left - 4, y - 3, self._value_label(value), self.LABEL_SIZE, anchor="end"
            )
        count = len(self.categories)
        if count:
            # Labels are cut to their slot; when slots are narrower than four characters, only
            # every n-th category is labelled.
            slot = plot_width / count
            every = max(1, math.ceil(4 * self.LABEL_SIZE / slot))
            room = slot * every - 4
            for index, label in enumerate(self.categories):
                if index % every:
                    continue
                x = left + slot * (index + 0.5)
                text = self._fitted(label, room)
                self.fonts.draw(self.canv, x, bottom - 12, text, self.LABEL_SIZE, anchor="middle")
        entries = [
            (self.columns[key].label, PALETTE[i % len(PALETTE)]) for i, (key, _) in enumerate(self.series)
        ]
        self._legend(entries, self.width - legend_width, self.height - 8)

    def _draw_pie(self) -> None:
        _, values = self.series[0]
        shown = [(c, v) for c, v in zip(self.categories, values, strict=True) if v > 0]
        if not shown:
            self.fonts.draw(
                self.canv, self.width / 2, self.height / 2, "（无数据可绘制）", 10, anchor="middle"
            )
            return
        size = self.height - 40
        drawing = Drawing(size + 20, self.height)
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 10, 10, size, size
        pie.data = [v for _, v in shown]
        pie.labels = None
        pie.slices.strokeColor = colors.white
        pie.slices.strokeWidth = 0.8
        for index in range(len(shown)):
            pie.slices[index].fillColor = PALETTE[index % len(PALETTE)]
        drawing.add(pie)
        draw_drawing(drawing, self.canv, 0, 0)
        total = sum(v for _, v in shown)
        entries = [
            (f"{c}  {self._value_label(v)}（{v / total * 100:.1f}%）", PALETTE[i % len(PALETTE)])
            for i, (c, v) in enumerate(shown)
        ]
        self._legend(entries, size + 40, self.height - 8)


__all__ = [
    "CONTENT_TYPES",
    "ENCODINGS",
    "FORMATS",
    "Chart",
    "ExportFile",
    "write_csv",
    "write_export",
    "write_pdf",
    "write_xlsx",
]
