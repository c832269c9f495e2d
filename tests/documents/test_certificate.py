"""The registration certificate: its fields, embedded fonts, a scannable QR code, a clean layout."""

from __future__ import annotations

import io
import sys
from concurrent.futures import ThreadPoolExecutor

import msgspec
import pypdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from pharmreg.documents import CertificateData, render_certificate
from tests.documents.pdfs import pdf_fonts, pdf_pages, pdf_text


def test_prints_every_field(certificate: CertificateData) -> None:
    text = pdf_text(render_certificate(certificate))

    for expected in (
        "执业药师注册证",
        "李晓梅",
        "女",
        "4401**********123X",
        "ZY44202611000123",
        "药学、中药学",
        "药品经营",
        "广州市越秀区康健大药房连锁有限公司北京路分店",
        "广东省药品监督管理局",
        "2026年11月25日至2031年11月24日",
        "扫码核验",
        certificate.verification_url,
    ):
        assert expected in text
    for label in (
        "姓名",
        "性别",
        "身份证件号码",
        "执业类别",
        "执业范围",
        "执业单位",
        "执业地区",
        "注册证编号",
    ):
        assert label in text
    for label in ("发证机关", "发证日期", "有效期"):
        assert label in text


def test_embeds_truetype_subsets_only(certificate: CertificateData) -> None:
    pdf = render_certificate(certificate)

    fonts = pdf_fonts(pdf)
    assert fonts
    for font in fonts:
        assert font["/Subtype"] == "/TrueType", font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
        assert font["/BaseFont"].startswith("/AAAAA")  # a subset tag
    assert b"STSong" not in pdf
    assert len(pdf) < 120_000


def test_qr_code_scans_to_the_verification_url(certificate: CertificateData) -> None:
    (page,) = pdf_pages(render_certificate(certificate), dpi=200)

    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(page)]

    assert decoded == [certificate.verification_url]


def test_photo_is_embedded_and_its_absence_shows_a_placeholder(certificate: CertificateData) -> None:
    with_photo = pypdf.PdfReader(io.BytesIO(render_certificate(certificate)))
    without = render_certificate(msgspec.structs.replace(certificate, photo=None))

    images = with_photo.pages[0]["/Resources"]["/XObject"].values()
    assert [image.get_object()["/Subtype"] for image in images] == ["/Image"]
    assert "照片" in pdf_text(without)


def test_transparent_png_photo_is_set_on_white(certificate: CertificateData) -> None:
    transparent = Image.new("RGBA", (300, 400), (0, 0, 0, 0))
    buffer = io.BytesIO()
    transparent.save(buffer, format="PNG")
    (page,) = pdf_pages(
        render_certificate(msgspec.structs.replace(certificate, photo=buffer.getvalue())), dpi=72
    )

    # The middle of the photo box (the right-hand column of the table).
    assert page.convert("RGB").getpixel((687, 175)) == (255, 255, 255)


def test_unreadable_photo_is_refused(certificate: CertificateData) -> None:
    with pytest.raises(ValueError, match="照片无法识别"):
        render_certificate(msgspec.structs.replace(certificate, photo=b"not an image"))


def test_long_unit_name_wraps_inside_the_page(certificate: CertificateData) -> None:
    unit = (
        "广州市越秀区某某大药房连锁有限公司北京路第一百二十三分店（广东省广州市越秀区北京路步行街东侧二楼）"
        * 2
    )
    pdf = render_certificate(msgspec.structs.replace(certificate, practice_unit=unit))

    assert unit in pdf_text(pdf)
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    width, height = page.get_size()
    text_page = page.get_textpage()
    boxes = [text_page.get_charbox(index) for index in range(text_page.count_chars())]
    assert len(document) == 1
    # Every glyph lies inside the certificate's frame (drawn 22 pt from the page edge).
    assert all(
        left > 22 and right < width - 22 and bottom > 22 and top < height - 22
        for left, bottom, right, top in boxes
    )


def test_too_much_text_for_one_page_is_refused(certificate: CertificateData) -> None:
    with pytest.raises(ValueError, match="证书内容过长"):
        render_certificate(msgspec.structs.replace(certificate, practice_unit="某" * 1500))


def test_markup_in_user_text_is_printed_literally(certificate: CertificateData) -> None:
    text = pdf_text(render_certificate(msgspec.structs.replace(certificate, name="<b>张&amp;三</b>&")))

    assert "<b>张&amp;三</b>&" in text


def test_output_is_reproducible_and_threads_do_not_interfere(certificate: CertificateData) -> None:
    variants = [
        msgspec.structs.replace(
            certificate, name=name, practice_unit=f"{unit}药房", certificate_no=f"ZY{n:014d}"
        )
        for n, (name, unit) in enumerate(
            [("王芳", "东莞"), ("陈建国", "佛山"), ("欧阳娜娜", "珠海"), ("买买提·艾力", "汕头")] * 3
        )
    ]
    alone = [render_certificate(data) for data in variants]

    # Switching threads very often makes a race in font embedding show up reliably.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            together = list(pool.map(render_certificate, variants))
    finally:
        sys.setswitchinterval(interval)

    assert together == alone
