"""Small real files for uploads: a PNG, a JPEG and a PDF that open in any viewer."""

from __future__ import annotations

import io

from PIL import Image
from reportlab.pdfgen import canvas


def png(color: str = "#336699", size: tuple[int, int] = (120, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg(color: str = "#aa3344") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), color).save(out, format="JPEG")
    return out.getvalue()


def pdf(text: str = "scan") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()
