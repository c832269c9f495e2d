"""The licensed pharmacist's registration certificate (执业药师注册证) as a one-page PDF."""

from __future__ import annotations

import io
from typing import Any

import segno
from PIL import Image, ImageOps
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Table, TableStyle

from pharmreg.documents.fonts import Canvas, FontSet, TextBlock, TextStyle, default_fonts, pdf_date
from pharmreg.documents.schemas import CertificateData, chinese_date

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 60.0
RED = colors.HexColor("#8e1b1b")
INK = colors.HexColor("#1f1f1f")
GRID = colors.HexColor("#8c6d62")
LABEL_FILL = colors.HexColor("#f6eee3")
MUTED = colors.HexColor("#6b6b6b")

COLUMNS = (88.0, 206.0, 88.0, 186.0, 154.0)
PHOTO_SIZE = (111.0, 148.0)  # 3:4, the proportion of an ID photo
PADDING = 6.0
ROW_MIN = 42.0
TABLE_TOP = PAGE_HEIGHT - 100
QR_SIZE = 88.0
QR_BOTTOM = 62.0
TABLE_BOTTOM_LIMIT = QR_BOTTOM + QR_SIZE + 16  # the QR code, the signature and the footer sit below
VALUE_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0)


def render_certificate(data: CertificateData, *, fonts: FontSet | None = None) -> bytes:
    """The certificate as PDF bytes."""
    fonts = fonts or default_fonts()
    photo = _photo(data.photo)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(f"执业药师注册证 {data.certificate_no}")
    canvas.setAuthor(data.issuing_authority)
    canvas.setSubject("执业药师注册证")
    canvas.setCreator("pharmreg")
    canvas.setDateFormatter(pdf_date(data.issue_date))

    _frame(canvas)
    fonts.draw(
        canvas,
        PAGE_WIDTH / 2,
        PAGE_HEIGHT - 74,
        "执业药师注册证",
        30,
        anchor="middle",
        spacing=12,
        bold=True,
        color=RED,
    )

    table = _fitted_table(data, photo, fonts)
    _, height = table.wrapOn(canvas, sum(COLUMNS), TABLE_TOP - TABLE_BOTTOM_LIMIT)
    table.drawOn(canvas, MARGIN, TABLE_TOP - height)

    draw_qr_code(canvas, data.verification_url, MARGIN + 4, QR_BOTTOM, QR_SIZE)
    fonts.draw(canvas, MARGIN + 4 + QR_SIZE / 2, QR_BOTTOM - 14, "扫码核验", 10, anchor="middle", color=INK)

    signature_x = PAGE_WIDTH - MARGIN - 130
    fonts.draw(canvas, signature_x, 136, data.issuing_authority, 14, anchor="middle", color=INK)
    fonts.draw(canvas, signature_x, 112, "（印章）", 11, anchor="middle", color=MUTED)
    fonts.draw(canvas, signature_x, 88, chinese_date(data.issue_date), 14, anchor="middle", color=INK)

    footer = TextBlock(
        fonts,
        f"本证书信息可扫描左下方二维码或访问 {data.verification_url} 核验。",
        TextStyle(size=9, leading=12, color=MUTED, align="center"),
    )
    footer_width = PAGE_WIDTH - 2 * MARGIN - 2 * (QR_SIZE + 8)
    _, footer_height = footer.wrapOn(canvas, footer_width, 40)
    footer.drawOn(canvas, (PAGE_WIDTH - footer_width) / 2, 34 + (24 - footer_height) / 2)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _frame(canvas: Any) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(2.5)
    canvas.rect(16, 16, PAGE_WIDTH - 32, PAGE_HEIGHT - 32)
    canvas.setLineWidth(0.75)
    canvas.rect(22, 22, PAGE_WIDTH - 44, PAGE_HEIGHT - 44)
    canvas.setFillColor(RED)
    for x in (22, PAGE_WIDTH - 22):
        for y in (22, PAGE_HEIGHT - 22):
            canvas.rect(x - 4, y - 4, 8, 8, stroke=0, fill=1)
    canvas.restoreState()


def _photo(photo: bytes | None) -> ImageReader | None:
    """The photo upright (EXIF orientation applied) and scaled to print size, as JPEG."""
    if photo is None:
        return None
    try:
        with Image.open(io.BytesIO(photo)) as opened:
            image = ImageOps.exif_transpose(opened)
            if image.mode == "RGB":
                upright = image.copy()
            else:  # transparency becomes white paper, not black
                rgba = image.convert("RGBA")
                upright = Image.new("RGB", rgba.size, "white")
                upright.paste(rgba, mask=rgba.getchannel("A"))
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError("照片无法识别，请提供 JPEG 或 PNG 格式的照片。") from error
    # 300 dpi at the printed size is plenty and keeps the PDF small whatever was uploaded.
    upright.thumbnail((round(PHOTO_SIZE[0] * 300 / 72), round(PHOTO_SIZE[1] * 300 / 72)))
    encoded = io.BytesIO()
    upright.save(encoded, format="JPEG", quality=88)
    encoded.seek(0)
    return ImageReader(encoded)


class _PhotoBox(Flowable):  # type: ignore[misc]
    """The holder's photo fitted into a 3:4 box, or a framed placeholder without one."""

    def __init__(self, photo: ImageReader | None, fonts: FontSet) -> None:
        super().__init__()
        self.photo = photo
        self.fonts = fonts
        self.width, self.height = PHOTO_SIZE

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        if self.photo is None:
            canvas.saveState()
            canvas.setStrokeColor(GRID)
            canvas.setDash(3, 2)
            canvas.rect(0, 0, self.width, self.height)
            canvas.restoreState()
            self.fonts.draw(
                canvas, self.width / 2, self.height / 2 - 5, "照片", 14, anchor="middle", color=MUTED
            )
            return
        image_width, image_height = self.photo.getSize()
        scale = min(self.width / image_width, self.height / image_height)
        width, height = image_width * scale, image_height * scale
        canvas.drawImage(self.photo, (self.width - width) / 2, (self.height - height) / 2, width, height)


def _fitted_table(data: CertificateData, photo: ImageReader | None, fonts: FontSet) -> Table:
    """The field table at the largest type size that leaves room for the parts below it."""
    for size in VALUE_SIZES:
        table = _table(data, photo, fonts, size)
        _, height = table.wrap(sum(COLUMNS), PAGE_HEIGHT)
        if height <= TABLE_TOP - TABLE_BOTTOM_LIMIT:
            return table
    raise ValueError("证书内容过长，无法在一页内排版，请精简执业单位等信息。")


def _table(data: CertificateData, photo: ImageReader | None, fonts: FontSet, size: float) -> Table:
    label_style = TextStyle(size=11, leading=15, color=INK, align="center")
    value_style = TextStyle(size=size, leading=size * 1.4, color=INK)

    def label(text: str) -> TextBlock:
        return TextBlock(fonts, text, label_style)

    def value(text: str) -> TextBlock:
        return TextBlock(fonts, text, value_style)

    validity = f"{chinese_date(data.valid_from)} 至 {chinese_date(data.valid_until)}"
    rows = [
        [label("姓名"), value(data.name), label("性别"), value(data.sex), _PhotoBox(photo, fonts)],
        [label("身份证件号码"), value(data.id_masked), label("注册证编号"), value(data.certificate_no), ""],
        [label("执业类别"), value(data.category), label("执业范围"), value(data.scope), ""],
        [label("执业地区"), value(data.region), label("发证日期"), value(chinese_date(data.issue_date)), ""],
        [label("执业单位"), value(data.practice_unit), "", "", ""],
        [label("有效期"), value(validity), "", "", ""],
        [label("发证机关"), value(data.issuing_authority), "", "", ""],
    ]
    spans = [((4, 0), (4, 3)), ((1, 4), (4, 4)), ((1, 5), (4, 5)), ((1, 6), (4, 6))]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.main),  # else the empty span cells select Helvetica
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (4, 0), (4, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING),
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("BOX", (0, 0), (-1, -1), 1.4, RED),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
        ("BACKGROUND", (2, 0), (2, 3), LABEL_FILL),
        *(("SPAN", start, end) for start, end in spans),
    ]
    heights = [_row_height(row, index < 4) for index, row in enumerate(rows)]
    return Table(rows, colWidths=COLUMNS, rowHeights=heights, style=TableStyle(style))


def _row_height(row: list[Any], beside_photo: bool) -> float:
    """The height a row needs: its tallest text, padded, and at least a comfortable minimum."""
    widths = list(COLUMNS[:4] if beside_photo else (COLUMNS[0], sum(COLUMNS[1:])))
    needed = max(
        float(cell.wrap(width - 2 * PADDING, PAGE_HEIGHT)[1])
        for cell, width in zip(row, widths, strict=False)
        if isinstance(cell, TextBlock)
    )
    return max(needed + 2 * PADDING, ROW_MIN)


def draw_qr_code(canvas: Any, url: str, x: float, y: float, size: float) -> None:
    """A QR code of url, drawn as filled vector modules with the page's white as the quiet zone."""
    matrix = list(segno.make(url, error="m").matrix_iter(scale=1, border=0))
    module = size / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        start = None
        for column, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(x + start * module, top, (column - start) * module, module)
                start = None
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
