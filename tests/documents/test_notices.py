"""Notices and decisions: title, addressee, wording by kind, numbered items, remedies, signature."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
import pytest

from pharmreg.documents import NoticeData, NoticeKind, render_notice
from tests.documents.pdfs import pdf_fonts, pdf_text

Build = Callable[..., NoticeData]


def test_titles() -> None:
    assert [kind.title for kind in NoticeKind] == [
        "受理通知书",
        "补正材料通知书",
        "不予受理通知书",
        "准予注册决定书",
        "不予注册决定书",
    ]


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_prints_its_heading_addressee_items_and_signature(notice: Build, kind: NoticeKind) -> None:
    data = notice(kind)
    pdf = render_notice(data)
    text = pdf_text(pdf)

    for expected in (
        "广东省药品监督管理局",
        kind.title,
        "粤药监执注〔2026〕000123号",
        "李晓梅：",
        "你（单位）于2026年11月20日提交的执业药师首次注册申请（申请编号：GD-2026-000123）",
        "（印章）2026年11月25日",
    ):
        assert expected in text
    for number, item in enumerate(data.items, 1):
        assert f"{number}．{item}" in text
    for font in pdf_fonts(pdf):
        assert "/FontFile2" in font["/FontDescriptor"]


def test_wording_by_kind(notice: Build) -> None:
    acceptance = pdf_text(render_notice(notice(NoticeKind.ACCEPTANCE)))
    supplement = pdf_text(render_notice(notice(NoticeKind.SUPPLEMENT)))
    approval = pdf_text(render_notice(notice(NoticeKind.APPROVAL)))
    without_deadline = pdf_text(render_notice(notice(NoticeKind.SUPPLEMENT, deadline_days=None)))

    assert "经审查，申请材料齐全、符合法定形式" in acceptance
    assert "决定予以受理。" in acceptance
    assert "申请材料不齐全或者不符合法定形式" in supplement
    assert "现一次性告知需要补正的全部内容如下：" in supplement
    assert "请于收到本通知书之日起5个工作日内" in supplement
    assert "补正材料期间不计入审批时限" in supplement
    assert "个工作日" not in without_deadline
    assert "决定准予注册。" in approval
    assert "执业药师注册证编号：ZY44202611000123，有效期至2031年11月24日。" in approval


@pytest.mark.parametrize(
    ("kind", "document", "decision"),
    [
        (NoticeKind.NON_ACCEPTANCE, "本通知书", "决定不予受理。"),
        (NoticeKind.REFUSAL, "本决定书", "决定不予注册。"),
    ],
)
def test_negative_decisions_state_reasons_and_remedies(
    notice: Build, kind: NoticeKind, document: str, decision: str
) -> None:
    text = pdf_text(render_notice(notice(kind)))

    assert decision in text
    assert (
        f"如不服本决定，可以自收到{document}之日起60日内向国家药品监督管理局或广东省人民政府申请行政复议，"
        f"也可以自收到{document}之日起6个月内依法向有管辖权的人民法院提起行政诉讼。"
    ) in text


def test_remedies_without_named_bodies_still_read_as_a_sentence(notice: Build) -> None:
    text = pdf_text(render_notice(notice(NoticeKind.REFUSAL, remedy_bodies="", court="")))

    assert "60日内依法申请行政复议" in text
    assert "6个月内依法向有管辖权的人民法院提起行政诉讼" in text


@pytest.mark.parametrize("kind", [NoticeKind.SUPPLEMENT, NoticeKind.NON_ACCEPTANCE, NoticeKind.REFUSAL])
def test_notices_that_give_reasons_need_items(notice: Build, kind: NoticeKind) -> None:
    with pytest.raises(ValueError, match="must list its items"):
        render_notice(notice(kind, items=()))


def test_approval_needs_the_certificate(notice: Build) -> None:
    with pytest.raises(ValueError, match="certificate number"):
        render_notice(notice(NoticeKind.APPROVAL, certificate_no=None))


def test_many_items_flow_onto_numbered_pages(notice: Build) -> None:
    items = tuple(
        f"第{n}项材料需要补正：请提供加盖公章的执业单位在岗证明原件及其复印件一份" for n in range(1, 41)
    )
    pdf = render_notice(notice(NoticeKind.SUPPLEMENT, items=items))

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        assert f"— {number} —" in page
    assert "（印章）" in pages[-1]
    text = pdf_text(pdf)
    for number, item in enumerate(items, 1):
        assert f"{number}．{item}" in text


def test_markup_in_user_text_is_printed_literally(notice: Build) -> None:
    data = notice(NoticeKind.REFUSAL, applicant_name="<b>王&lt;五</b>", items=("<i>材料</i> & 说明 <br/>",))
    text = pdf_text(render_notice(data))

    assert "<b>王&lt;五</b>：" in text
    assert "1．<i>材料</i>&说明<br/>" in text
