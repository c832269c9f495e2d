"""Written notices and decisions of the licensing procedure as PDF, in administrative licensing wording."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
)

from pharmreg.documents.fonts import Canvas, FontSet, TextBlock, TextStyle, default_fonts, pdf_date
from pharmreg.documents.schemas import NoticeData, NoticeKind, chinese_date

INK = colors.HexColor("#1f1f1f")
MUTED = colors.HexColor("#6b6b6b")
BODY_SIZE = 14.0
LEADING = 26.0
LICENSING_LAW = "《中华人民共和国行政许可法》"
NEEDS_ITEMS = {NoticeKind.SUPPLEMENT, NoticeKind.NON_ACCEPTANCE, NoticeKind.REFUSAL}


def render_notice(data: NoticeData, *, fonts: FontSet | None = None) -> bytes:
    """The notice or decision as PDF bytes."""
    fonts = fonts or default_fonts()
    before, items, after = _wording(data)

    heading = TextStyle(size=16, leading=24, color=INK, align="center")
    number = TextStyle(size=12, leading=18, color=INK, align="right")
    plain = TextStyle(size=BODY_SIZE, leading=LEADING, color=INK)
    body = plain._replace(align="justify", indent=2 * BODY_SIZE)

    story: list[Any] = [TextBlock(fonts, data.authority, heading)]
    if data.authority_mark:
        story.append(TextBlock(fonts, data.authority_mark, heading._replace(size=12, leading=18)))
    story += [
        Spacer(0, 6),
        _Title(fonts, data.kind.title, 22, spacing=3),
        Spacer(0, 10),
        TextBlock(fonts, data.document_no, number),
        Spacer(0, 16),
        TextBlock(fonts, f"{data.applicant_name}：", plain),
    ]
    story += [TextBlock(fonts, text, body) for text in before]
    story += [TextBlock(fonts, f"{n}．{item}", body) for n, item in enumerate(items, 1)]
    story += [TextBlock(fonts, text, body) for text in after[:-1]]
    # The last paragraph travels with the signature, so a page never starts with the seal alone.
    story.append(
        KeepTogether(
            [
                TextBlock(fonts, after[-1], body),
                Spacer(0, 40),
                _Signature(
                    fonts,
                    (
                        (data.authority, INK),
                        *(((data.authority_mark, INK),) if data.authority_mark else ()),
                        ("（印章）", MUTED),
                        (chinese_date(data.issued_on), INK),
                    ),
                ),
            ]
        )
    )

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=30 * mm,
        bottomMargin=28 * mm,
        title=f"{data.kind.title} {data.document_no}",
        author=data.authority + data.authority_mark,
        subject=data.matter,
        creator="pharmreg",
        invariant=1,
        pageCompression=1,
    )

    def page(canvas: Any, _: Any) -> None:
        canvas.setDateFormatter(pdf_date(data.issued_on))
        fonts.draw(
            canvas, A4[0] / 2, 16 * mm, f"— {canvas.getPageNumber()} —", 10.5, anchor="middle", color=MUTED
        )

    document.build(story, onFirstPage=page, onLaterPages=page, canvasmaker=Canvas)
    return buffer.getvalue()


def _wording(data: NoticeData) -> tuple[list[str], tuple[str, ...], list[str]]:
    """The body: paragraphs before the numbered items, the items, and the paragraphs after them."""
    before, items, after = _kind_wording(data)
    if data.entrusted_by:
        # A bureau acting under delegation says so, before the closing paragraph.
        after.insert(len(after) - 1, f"本机关受{data.entrusted_by}委托，在委托范围内实施本项行政许可。")
    return before, items, after


def _kind_wording(data: NoticeData) -> tuple[list[str], tuple[str, ...], list[str]]:
    kind = data.kind
    if kind in NEEDS_ITEMS and not data.items:
        raise ValueError(f"a {kind.value} notice must list its items (missing materials or reasons)")
    applied = (
        f"你（单位）于{chinese_date(data.received_on)}提交的{data.matter}申请"
        f"（申请编号：{data.case_ref}），经审查，"
    )
    if kind is NoticeKind.ACCEPTANCE:
        return (
            [
                f"{applied}申请材料齐全、符合法定形式，根据{LICENSING_LAW}第三十二条第一款第（五）项的规定，"
                "决定予以受理。"
            ],
            data.items,
            ["本机关将依法进行审查，并在法定期限内作出决定。"],
        )
    if kind is NoticeKind.SUPPLEMENT:
        deadline = (
            f"请于收到本通知书之日起{data.deadline_days}个工作日内按照上述要求补正全部材料。"
            if data.deadline_days is not None
            else "请按照上述要求补正全部材料。"
        )
        return (
            [
                f"{applied}申请材料不齐全或者不符合法定形式，根据{LICENSING_LAW}第三十二条第一款第（四）项"
                "的规定，现一次性告知需要补正的全部内容如下："
            ],
            data.items,
            [f"{deadline}补正材料期间不计入审批时限。"],
        )
    if kind is NoticeKind.NON_ACCEPTANCE:
        return (
            [f"{applied}你（单位）的申请存在下列情形："],
            data.items,
            [
                f"根据{LICENSING_LAW}第三十二条第一款的规定，决定不予受理。",
                _remedies(data, "本通知书"),
            ],
        )
    if kind is NoticeKind.APPROVAL:
        if data.certificate_no is None or data.valid_until is None:
            raise ValueError("an approval names the certificate number and its expiry date")
        return (
            [
                f"{applied}你（单位）的申请符合法定条件、标准，根据{LICENSING_LAW}第三十八条第一款的规定，"
                "决定准予注册。",
                f"执业药师注册证编号：{data.certificate_no}，有效期至{chinese_date(data.valid_until)}。",
                *(["请注意以下事项："] if data.items else []),
            ],
            data.items,
            ["特此决定。"],
        )
    return (
        [f"{applied}你（单位）的申请不符合法定条件、标准，理由如下："],
        data.items,
        [
            f"根据{LICENSING_LAW}第三十八条第二款的规定，决定不予注册。",
            _remedies(data, "本决定书"),
        ],
    )


def _remedies(data: NoticeData, document: str) -> str:
    """The applicant's right to administrative reconsideration and to an administrative lawsuit."""
    to_bodies = f"向{data.remedy_bodies}" if data.remedy_bodies else "依法"
    court = data.court or "有管辖权的人民法院"
    return (
        f"如不服本决定，可以自收到{document}之日起60日内{to_bodies}申请行政复议，"
        f"也可以自收到{document}之日起6个月内依法向{court}提起行政诉讼。"
    )


class _Title(Flowable):  # type: ignore[misc]
    """One centred line of display text, emboldened (TextBlock has no bold)."""

    def __init__(self, fonts: FontSet, text: str, size: float, *, spacing: float) -> None:
        super().__init__()
        self.fonts, self.text, self.size, self.spacing = fonts, text, size, spacing
        fonts.runs(text)  # a missing glyph fails here, while the story is built

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size * 1.3

    def draw(self) -> None:
        self.fonts.draw(
            self.canv,
            self.width / 2,
            self.size * 0.3,
            self.text,
            self.size,
            anchor="middle",
            spacing=self.spacing,
            bold=True,
            color=INK,
        )


class _Signature(Flowable):  # type: ignore[misc]
    """The signing authority, the seal's place and the date, centred on one axis at the right."""

    LINE = 26.0

    def __init__(self, fonts: FontSet, lines: tuple[tuple[str, Any], ...]) -> None:
        super().__init__()
        self.fonts, self.lines = fonts, lines
        self.half = max(fonts.width(line, BODY_SIZE) for line, _ in lines) / 2

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.LINE * len(self.lines)

    def draw(self) -> None:
        axis = self.width - max(self.half, 5 * BODY_SIZE) - BODY_SIZE
        for index, (line, color) in enumerate(self.lines):
            y = self.LINE * (len(self.lines) - index - 1) + 6
            self.fonts.draw(self.canv, axis, y, line, BODY_SIZE, anchor="middle", color=color)
