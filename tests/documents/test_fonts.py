"""The font chain: rare characters fall back to Hanazono, none is dropped, lines break by Chinese rules."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from reportlab.lib import colors

from pharmreg.documents import (
    CertificateData,
    MissingGlyphError,
    NoticeData,
    NoticeKind,
    load_fonts,
    render_certificate,
    render_notice,
)
from pharmreg.documents.fonts import HANAZONO_DIR, TextBlock, TextStyle, default_fonts
from tests.documents.pdfs import pdf_fonts, pdf_text

hanazono = pytest.mark.skipif(
    not (HANAZONO_DIR / "HanaMinB.ttf").is_file(),
    reason=f"fonts-hanazono is not installed ({HANAZONO_DIR}): `apt-get install fonts-hanazono` "
    "(ops/test does it when run as root)",
)


@hanazono
def test_extension_b_names_are_set_in_the_fallback_fonts(
    certificate: CertificateData, notice: Callable[..., NoticeData]
) -> None:
    # 𠮷 is also in HanaMinA; 𠀁 only in HanaMinB.
    name = "𠮷田𠀁"
    certificate_pdf = render_certificate(msgspec.structs.replace(certificate, name=name))
    notice_pdf = render_notice(notice(NoticeKind.APPROVAL, applicant_name=name))

    for pdf in (certificate_pdf, notice_pdf):
        assert name in pdf_text(pdf)
        names = {str(font["/BaseFont"]).split("+")[-1] for font in pdf_fonts(pdf)}
        assert {"HanaMinA", "HanaMinB"} <= names


def test_a_character_in_no_font_is_refused(
    certificate: CertificateData, notice: Callable[..., NoticeData]
) -> None:
    with pytest.raises(MissingGlyphError) as refused:
        render_certificate(msgspec.structs.replace(certificate, name="张\ue000三"))
    with pytest.raises(MissingGlyphError):
        render_notice(notice(NoticeKind.REFUSAL, items=("理由\U0010fffd",)))

    assert refused.value.characters == ("\ue000",)
    assert "U+E000" in str(refused.value)
    assert "没有可用的字体" in str(refused.value)


def test_without_fallback_fonts_extension_b_is_refused_not_dropped(
    tmp_path: Path, certificate: CertificateData
) -> None:
    fonts = load_fonts([tmp_path])

    with pytest.raises(MissingGlyphError) as refused:
        render_certificate(msgspec.structs.replace(certificate, name="𠮷田"), fonts=fonts)

    assert refused.value.characters == ("𠮷",)
    assert "U+20BB7" in str(refused.value)


def test_common_text_needs_no_fallback_font(certificate: CertificateData) -> None:
    names = {str(font["/BaseFont"]).split("+")[-1] for font in pdf_fonts(render_certificate(certificate))}

    assert names == {"DroidSansFallback", "BitstreamVeraSans-Roman"}


def set_lines(text: str, width: float, size: float = 14) -> list[str]:
    block = TextBlock(default_fonts(), text, TextStyle(size=size, leading=size * 1.8, color=colors.black))
    block.wrap(width, 1000)
    return block.lines


def test_lines_follow_the_chinese_line_breaking_rules() -> None:
    text = (
        "你（单位）于2026年11月20日提交的执业药师首次注册申请（申请编号：GD-2026-000123），经审查，符合条件。"
    )
    for width in range(170, 420, 7):  # from where the longest word fits on a line
        lines = set_lines(text, width)
        assert "".join(lines) == text
        assert not any(line[-1] in "（《“" for line in lines), lines
        assert not any(line[0] in "，。、：；）》”" for line in lines), lines
        assert not any(
            line[-1].isascii() and line[-1].isalnum() and nxt[0].isascii() and nxt[0].isalnum()
            for line, nxt in itertools.pairwise(lines)
        ), lines  # Latin words stay whole


def test_a_word_wider_than_the_line_is_cut() -> None:
    url = "https://gd.pharmreg.example.cn/verify/ZY44202611000123?k=7f3a9c2e"

    lines = set_lines(f"访问 {url} 核验", 120, size=9)

    assert "".join(lines).replace(" ", "") == f"访问{url}核验"
    assert all(default_fonts().width(line, 9) <= 120 for line in lines)
