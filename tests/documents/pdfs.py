"""Reading generated PDFs back (text, fonts, pixels) and sample inputs for them."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pypdfium2
from PIL import Image, ImageDraw

from pharmreg.documents import NoticeKind


def pdf_text(pdf: bytes) -> str:
    """All text of the document with whitespace removed (lines wrap where the layout decides)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def pdf_fonts(pdf: bytes) -> list[dict[str, Any]]:
    """The font dictionaries used by the document's pages."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found[font["/BaseFont"]] = font
    return list(found.values())


def pdf_pages(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    """Each page rasterised."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def jpeg_photo(width: int = 360, height: int = 480) -> bytes:
    image = Image.new("RGB", (width, height), (70, 130, 180))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.17, width * 0.7, height * 0.5), fill=(240, 210, 180))
    draw.rectangle((width * 0.2, height * 0.55, width * 0.8, height), fill=(30, 30, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


ITEMS = {
    NoticeKind.ACCEPTANCE: (),
    NoticeKind.SUPPLEMENT: (
        "身份证件复印件不清晰，请提供清晰的正反面复印件",
        "执业单位出具的在岗证明缺少单位公章",
    ),
    NoticeKind.NON_ACCEPTANCE: (
        "申请事项不属于本机关职权范围，请向执业单位所在地的省级药品监督管理部门提出申请",
    ),
    NoticeKind.APPROVAL: (),
    NoticeKind.REFUSAL: (
        "执业单位不属于药品经营、使用单位",
        "申请人未提交继续教育学分证明",
    ),
}
