"""What the forum accepts: cleaned text within limits."""

from __future__ import annotations

import re

from pharmreg.kit.forms import Problems

TITLE_MAX = 80
BODY_MAX = 5000
REASON_MAX = 200
BOARD_TITLE_MAX = 20
BOARD_DESCRIPTION_MAX = 100
HIDDEN_TEXT = "该内容已被管理员隐藏"

# Control characters other than tab and line feed: PostgreSQL refuses NUL in text, and the
# others are invisible tricks, never content.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def clean_body(text: str) -> str:
    """Body text as stored: Windows line ends unified, control characters removed, trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def clean_line(text: str) -> str:
    """A one-line text (title, reason): control characters dropped, whitespace runs as one space."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _length(problems: Problems, field: str, value: str, label: str, limit: int) -> None:
    if not value:
        problems.add(field, f"请填写{label}")
    elif len(value) > limit:
        problems.add(field, f"{label}不能超过 {limit} 个字（现有 {len(value)} 个字）")


def check_thread(title: str, body: str) -> tuple[str, str]:
    """The cleaned title and body of a new thread, or FormErrors naming what is wrong."""
    problems = Problems()
    title, body = clean_line(title), clean_body(body)
    _length(problems, "title", title, "标题", TITLE_MAX)
    _length(problems, "body", body, "正文", BODY_MAX)
    problems.raise_if_any()
    return title, body


def check_body(body: str) -> str:
    problems = Problems()
    body = clean_body(body)
    _length(problems, "body", body, "回复内容", BODY_MAX)
    problems.raise_if_any()
    return body


def check_reason(reason: str) -> str:
    problems = Problems()
    reason = clean_line(reason)
    _length(problems, "reason", reason, "隐藏原因", REASON_MAX)
    problems.raise_if_any()
    return reason


def check_board(title: str, description: str) -> tuple[str, str]:
    problems = Problems()
    title, description = clean_line(title), clean_line(description)
    _length(problems, "title", title, "版块名称", BOARD_TITLE_MAX)
    if len(description) > BOARD_DESCRIPTION_MAX:
        problems.add("description", f"版块说明不能超过 {BOARD_DESCRIPTION_MAX} 个字")
    problems.raise_if_any()
    return title, description
