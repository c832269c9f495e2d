"""The rules every value passes where it enters the platform: forms, JSON, paths, queries and imports.

One width for codes (full-width digits and letters, typed on a Chinese input method, become the
ASCII ones), text refused when it carries characters nothing downstream can store, ids within
the range the database holds, and one parser for whole numbers, decimals and dates. Pure
functions; errors carry a message in Simplified Chinese.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

# Every id the platform hands out (serial and identity columns, int4 or int8) stays below this:
# a larger number in a path, query or form names nothing and must not reach the database, whose
# int4 parameters would refuse it with an error instead of "not found".
MAX_ID = 2**31 - 1

# Full-width forms of ASCII (U+FF01-U+FF5E) and the ideographic space, as a Chinese input
# method types them, to their ASCII counterparts. Nothing else changes: CJK text, full-width
# punctuation inside Chinese prose and characters outside the BMP (𠮷) stay as typed.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# What PostgreSQL cannot store (NUL, in text and in jsonb alike), what cannot be encoded at all
# (lone surrogates), and the invisible control characters XML exchange and PDF notices refuse:
# C0 and C1 controls except tab, line feed and carriage return; DEL; the non-characters U+FFFE/F.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

UNSTORABLE_MESSAGE = (
    "提交的内容含有无法保存的控制字符（常见于从其他软件复制粘贴的内容），请删除后重新提交；本次未保存任何内容"
)

_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
# Plain decimals, and the exponent form spreadsheets write for small or large numbers (1e-05),
# with an exponent small enough that nothing downstream works on a number of a million digits.
_DECIMAL = re.compile(r"[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})([eE][+-]?[0-9]{1,2})?", re.ASCII)
_DATE_FORMS = (
    re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})", re.ASCII),
    re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日?", re.ASCII),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})", re.ASCII),
)
# A time of day after a date, as spreadsheets export midnight: "2026-01-05 00:00:00".
_MIDNIGHT = re.compile(r"(?:[ T]00:00(?::00(?:\.0+)?)?)?")


class BoundaryError(ValueError):
    """A value cannot be accepted; `str(error)` is the message for the person who typed it."""


def fold_width(text: str) -> str:
    """Full-width ASCII and the ideographic space become ASCII; every other character is kept."""
    return text.translate(_WIDTH)


def normalise(text: str) -> str:
    """The one normalisation of a typed value: one width, no surrounding white space."""
    return fold_width(text).strip()


def normalise_field(value: str) -> str:
    """A field as the web boundary and the imports pass it on.

    A value that is a code once folded (ID and certificate numbers, mobiles, dates, numbers,
    user names: nothing but ASCII) is normalised; anything else (Chinese prose, names, addresses)
    is left exactly as typed, its full-width punctuation and indentation being the writer's.
    """
    folded = normalise(value)
    return folded if folded.isascii() else value


def unstorable(text: str) -> bool:
    """Whether the text carries a character the platform refuses to store."""
    return _UNSTORABLE.search(text) is not None


def check_text(text: str) -> str:
    """The text itself, or BoundaryError when it carries a character that cannot be stored."""
    if unstorable(text):
        raise BoundaryError(UNSTORABLE_MESSAGE)
    return text


def id_in_range(number: int) -> bool:
    """Whether a number can be the id of something the platform stores."""
    return 1 <= number <= MAX_ID


def parse_id(value: str | int | None) -> int | None:
    """An id from a path, query or form (digits of either width), or None when it names nothing."""
    if isinstance(value, int):
        return value if id_in_range(value) else None
    text = normalise(value or "")
    if not _ASCII_DIGITS.fullmatch(text) or len(text) > 10:
        return None
    number = int(text)
    return number if id_in_range(number) else None


def parse_int(text: str, *, label: str, low: int, high: int) -> int:
    """A whole number within [low, high], digits of either width; BoundaryError names the field."""
    value = normalise(text)
    if not value:
        raise BoundaryError(f"请填写{label}")
    if not _WHOLE.fullmatch(value):
        raise BoundaryError(f"{label}“{_shown(text)}”应为整数")
    number = int(value)
    if not low <= number <= high:
        raise BoundaryError(f"{label}应在 {low} 至 {high} 之间")
    return number


def parse_decimal(text: str, *, label: str, places: int, low: Decimal, high: Decimal) -> Decimal:
    """A decimal within [low, high] that `places` decimal places hold exactly.

    A value that would be rounded when stored (0.000000001 with one place) is refused rather
    than silently changed; so are NaN, infinities and absurd exponents (1E-100000).
    """
    value = normalise(text)
    if not value:
        raise BoundaryError(f"请填写{label}")
    if not _DECIMAL.fullmatch(value):
        raise BoundaryError(f"{label}“{_shown(text)}”不是有效的数字")
    number = Decimal(value)
    if not low <= number <= high:
        raise BoundaryError(f"{label}“{_shown(text)}”应在 {low} 至 {high} 之间")
    step = Decimal(1).scaleb(-places)
    try:
        kept = number.quantize(step)
    except InvalidOperation:  # more digits than the context holds: not exact either
        kept = None
    if kept is None or kept != number:
        rule = f"最多保留 {places} 位小数" if places else "应为整数"
        raise BoundaryError(f"{label}“{_shown(text)}”{rule}，无法按原值保存")
    return kept + 0  # "+ 0" turns -0.0 into 0.0


def parse_date(text: str, *, label: str, earliest: date | None = None, latest: date | None = None) -> date:
    """A calendar date in the forms people write: 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105.

    Digits of either width; a trailing midnight time (as spreadsheets export dates) is ignored.
    """
    value = normalise(text)
    if not value:
        raise BoundaryError(f"请填写{label}")
    for form in _DATE_FORMS:
        match = form.match(value)
        if match and _MIDNIGHT.fullmatch(value, match.end()):
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise BoundaryError(f"{label}“{_shown(text)}”不是存在的日期") from None
            if earliest and day < earliest:
                raise BoundaryError(f"{label}“{_shown(text)}”不能早于 {earliest.isoformat()}")
            if latest and day > latest:
                raise BoundaryError(f"{label}“{_shown(text)}”不能晚于 {latest.isoformat()}")
            return day
    raise BoundaryError(f"{label}“{_shown(text)}”不是有效日期（如 2026-01-05、2026/1/5 或 2026年1月5日）")


def _shown(text: str, limit: int = 40) -> str:
    """A value as an error message may quote it: bounded, without invisible characters."""
    value = _UNSTORABLE.sub("", text.strip())
    return value if len(value) <= limit else value[:limit] + "…"
