"""The receipt of an application's materials (申请材料接收凭证) as a printable PDF."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from pharmreg.documents.certificate import draw_qr_code
from pharmreg.documents.fonts import Canvas, FontSet, TextBlock, TextStyle, default_fonts, pdf_date
from pharmreg.documents.schemas import ReceiptData, chinese_date
from pharmreg.kit.clock import CHINA_TIME

INK = colors.HexColor("#1f1f1f")
MUTED = colors.HexColor("#6b6b6b")
GRID = colors.HexColor("#9a9a9a")
LABEL_FILL = colors.HexColor("#f2f2f2")
WIDTH = A4[0] - 50 * mm  # the text block between the margins
QR_SIZE = 64.0
TITLE = "执业药师注册申请材料接收凭证"


def render_receipt(data: ReceiptData, *, fonts: FontSet | None = None) -> bytes:
    """The receipt as PDF bytes: who received what and when, each file with its SHA-256."""
    fonts = fonts or default_fonts()
    received = data.received_at.astimezone(CHINA_TIME)
    when = f"{chinese_date(received.date())} {received:%H:%M}"
    heading = TextStyle(size=19, leading=28, color=INK, align="center")
    body = TextStyle(size=11, leading=18, color=INK, align="justify", indent=22)
    small = TextStyle(size=9.5, leading=14, color=MUTED)

    story: list[Any] = [
        TextBlock(fonts, TITLE, heading),
        TextBlock(
            fonts, f"申请编号：{data.case_ref}", TextStyle(size=11, leading=18, color=INK, align="right")
        ),
        Spacer(0, 6),
        _facts(data, when, fonts),
        Spacer(0, 10),
        TextBlock(fonts, "收到的申请材料", TextStyle(size=12, leading=20, color=INK)),
        Spacer(0, 2),
        _materials(data, fonts),
        Spacer(0, 10),
    ]
    again = "补正后重新提交的" if data.resubmission else ""
    story.append(
        TextBlock(
            fonts,
            f"{data.authority}已于{when}通过网上申报系统收到你{again}提交的上述申请材料。本凭证仅证明材料已经收到，"
            "不表示申请已被受理。",
            body,
        )
    )
    if data.acceptance_due is not None:
        story.append(
            TextBlock(
                fonts,
                f"本机关将于{chinese_date(data.acceptance_due)}前作出是否受理的决定；申请材料不齐全或者不符合法定形式的，"
                "将一次性告知需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。",
                body,
            )
        )
    story.append(
        TextBlock(
            fonts,
            "每份材料的 SHA-256 校验值可用于核对所交材料与收到的文件一致。查询办理进度：登录网上申报系统"
            f"“我的申请”，或扫描下方二维码、访问 {data.follow_url}；也可凭申请编号向接收机关查询。",
            body,
        )
    )
    story.append(Spacer(0, 10))
    story.append(
        KeepTogether(
            [
                _Closing(
                    fonts,
                    data.follow_url,
                    (data.authority, "（网上申报系统生成）", chinese_date(received.date())),
                ),
                Spacer(0, 6),
                TextBlock(fonts, "请妥善保存本凭证。", small),
            ]
        )
    )

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{TITLE} {data.case_ref}",
        author=data.authority,
        subject=data.matter,
        creator="pharmreg",
        invariant=1,
        pageCompression=1,
    )

    def page(canvas: Any, _: Any) -> None:
        canvas.setDateFormatter(pdf_date(received.date()))
        fonts.draw(
            canvas, A4[0] / 2, 12 * mm, f"— {canvas.getPageNumber()} —", 9.5, anchor="middle", color=MUTED
        )

    document.build(story, onFirstPage=page, onLaterPages=page, canvasmaker=Canvas)
    return buffer.getvalue()


def _grid(rows: list[list[Any]], widths: tuple[float, ...], *, header: bool, fonts: FontSet) -> Table:
    style = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.main),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    style.append(
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL) if header else ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL)
    )
    return Table(rows, colWidths=widths, style=TableStyle(style), repeatRows=1 if header else 0)


def _facts(data: ReceiptData, when: str, fonts: FontSet) -> Table:
    label = TextStyle(size=10.5, leading=14, color=INK, align="center")
    value = TextStyle(size=10.5, leading=14, color=INK)
    facts = [
        ("申请事项", data.matter),
        ("申请人", data.applicant_name),
        ("身份证件号码", data.id_masked),
        *((("执业单位", data.practice_unit),) if data.practice_unit else ()),
        ("接收时间", when),
        ("接收机关", data.authority),
    ]
    rows = [[TextBlock(fonts, k, label), TextBlock(fonts, v, value)] for k, v in facts]
    return _grid(rows, (80.0, WIDTH - 80.0), header=False, fonts=fonts)


def _materials(data: ReceiptData, fonts: FontSet) -> Table:
    head = TextStyle(size=10, leading=14, color=INK, align="center")
    cell = TextStyle(size=9.5, leading=13.5, color=INK)
    digest = TextStyle(size=8, leading=11, color=INK)
    widths = (34.0, 116.0, 106.0, 56.0, WIDTH - 312.0)
    rows: list[list[Any]] = [
        [TextBlock(fonts, t, head) for t in ("序号", "材料名称", "文件名", "大小", "SHA-256 校验值")]
    ]
    for number, item in enumerate(data.materials, 1):
        rows.append(
            [
                TextBlock(fonts, str(number), head),
                TextBlock(fonts, item.label, cell),
                TextBlock(fonts, item.filename, cell),
                TextBlock(fonts, _size(item.size), cell._replace(align="right")),
                TextBlock(fonts, item.sha256, digest),
            ]
        )
    if not data.materials:
        rows.append([TextBlock(fonts, "—", head), TextBlock(fonts, "未上传材料", cell), "", "", ""])
    return _grid(rows, widths, header=True, fonts=fonts)


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


class _Closing(Flowable):  # type: ignore[misc]
    """The QR code of the case page at the left, the issuing bureau and date at the right."""

    LINE = 22.0

    def __init__(self, fonts: FontSet, url: str, lines: tuple[str, ...]) -> None:
        super().__init__()
        self.fonts, self.url, self.lines = fonts, url, lines
        for line in lines:
            fonts.runs(line)  # a missing glyph fails here, while the story is built

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, max(QR_SIZE + 14, self.LINE * len(self.lines))

    def draw(self) -> None:
        draw_qr_code(self.canv, self.url, 0, 14, QR_SIZE)
        self.fonts.draw(self.canv, QR_SIZE / 2, 2, "扫码查看办理进度", 8.5, anchor="middle", color=MUTED)
        half = max(self.fonts.width(line, 12) for line in self.lines) / 2
        axis = self.width - half - 8
        top = max(QR_SIZE + 14, self.LINE * len(self.lines))
        for index, line in enumerate(self.lines):
            color = MUTED if index == 1 else INK
            self.fonts.draw(
                self.canv, axis, top - (index + 1) * self.LINE + 6, line, 12, anchor="middle", color=color
            )
