"""The forum's text rules, without a database."""

from __future__ import annotations

import pytest

from pharmreg.forum.rules import check_board, check_body, check_reason, check_thread
from pharmreg.kit.forms import FormErrors


def test_text_is_cleaned_and_line_breaks_are_kept() -> None:
    assert check_thread("  标题\t带\n换行 ", "第一行\r\n第二行\x00\x07  ") == (
        "标题 带 换行",
        "第一行\n第二行",
    )
    assert check_body("\r回复\r") == "回复"
    assert check_reason(" 与 业务\n无关 ") == "与 业务 无关"


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "正文", "title", "请填写标题"),
        ("\x00\x01", "正文", "title", "请填写标题"),
        ("题" * 81, "正文", "title", "标题不能超过 80 个字（现有 81 个字）"),
        ("标题", " \n\x00", "body", "请填写正文"),
        ("标题", "字" * 5001, "body", "正文不能超过 5000 个字（现有 5001 个字）"),
    ],
)
def test_bad_threads_are_refused_with_the_reason(title: str, body: str, field: str, message: str) -> None:
    with pytest.raises(FormErrors) as refused:
        check_thread(title, body)
    assert refused.value.errors[field] == message


def test_limits_are_inclusive() -> None:
    assert check_thread("题" * 80, "字" * 5000) == ("题" * 80, "字" * 5000)
    assert check_board("板" * 20, "说" * 100) == ("板" * 20, "说" * 100)
    with pytest.raises(FormErrors):
        check_board("板" * 21, "")
    with pytest.raises(FormErrors):
        check_reason("因" * 201)
