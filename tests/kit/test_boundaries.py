"""The boundary rules: one width for codes, unstorable text, ids in range, numbers and dates."""

from datetime import date
from decimal import Decimal

import pytest

from pharmreg.kit.boundaries import (
    MAX_ID,
    BoundaryError,
    check_text,
    normalise,
    normalise_field,
    parse_date,
    parse_decimal,
    parse_id,
    parse_int,
    unstorable,
)


@pytest.mark.parametrize(
    ("typed", "passed_on"),
    [
        ("４４０１０６１９９００１０１００３Ｘ", "44010619900101003X"),  # an ID number typed in full width
        ("１３９ ０００７ ７８８　", "139 0007 788"),  # ideographic space trimmed
        ("ＤＥＭＯＧＤ００００１", "DEMOGD00001"),
        ("  gd.admin ", "gd.admin"),
        ("２０２６－０１－０５", "2026-01-05"),
    ],
)
def test_codes_typed_in_full_width_arrive_in_ascii(typed: str, passed_on: str) -> None:
    assert normalise_field(typed) == passed_on


@pytest.mark.parametrize(
    "prose",
    [
        "您好，请问注册需要哪些材料？",  # full-width punctuation belongs to Chinese prose
        "　　各位同事：",  # so does the indentation of a paragraph
        "吉林𠮷林路１号",  # characters outside the BMP and digits inside an address stay as typed
        "张三　",
    ],
)
def test_chinese_text_is_left_as_typed(prose: str) -> None:
    assert normalise_field(prose) == prose


def test_normalise_folds_and_trims_but_keeps_cjk() -> None:
    assert normalise("　𠮷ＡＢ１２ 测试　") == "𠮷AB12 测试"


@pytest.mark.parametrize("text", ["\x00", "草稿\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\ud800", "\ufffe"])
def test_unstorable_characters_are_refused(text: str) -> None:
    assert unstorable(text)
    with pytest.raises(BoundaryError, match="无法保存的控制字符"):
        check_text(text)


@pytest.mark.parametrize("text", ["第一行\n第二行\r\n\t缩进", "𠮷", "🙂", "　全角", "<script>"])
def test_ordinary_text_is_storable(text: str) -> None:
    assert check_text(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("１２３", 123),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("1e3", None),
        ("1_000", None),
        ("²", None),
        ("٣", None),
        ("", None),
        (None, None),
        (7, 7),
        (2**63, None),
    ],
)
def test_ids(value, expected) -> None:
    assert parse_id(value) == expected


def test_whole_numbers() -> None:
    assert parse_int("２０２６", label="年度", low=2000, high=2100) == 2026
    for bad, message in (
        ("", "请填写年度"),
        ("20.5", "应为整数"),
        ("1999", "2000 至 2100"),
        ("9" * 40, "应为整数"),
    ):
        with pytest.raises(BoundaryError, match=message):
            parse_int(bad, label="年度", low=2000, high=2100)


def hours(text: str) -> Decimal:
    return parse_decimal(text, label="学时", places=1, low=Decimal(0), high=Decimal(1000))


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.5", "1.5"), ("１.５", "1.5"), ("30", "30.0"), ("1e2", "100.0"), (".5", "0.5"), ("-0", "0.0")],
)
def test_decimals_people_and_spreadsheets_write(text: str, value: str) -> None:
    assert hours(text) == Decimal(value)
    assert str(hours(text)) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.000000001", "最多保留 1 位小数，无法按原值保存"),  # would be stored as 0
        ("1.25", "最多保留 1 位小数"),
        ("1e-05", "最多保留 1 位小数"),
        ("1E-100000", "不是有效的数字"),  # an absurd exponent never reaches Decimal
        ("1e309", "不是有效的数字"),
        ("NaN", "不是有效的数字"),
        ("Infinity", "不是有效的数字"),
        ("1,000", "不是有效的数字"),
        ("1001", "应在 0 至 1000 之间"),
        ("-1", "应在 0 至 1000 之间"),
        ("", "请填写学时"),
    ],
)
def test_decimals_that_cannot_be_stored_exactly_are_refused(text: str, message: str) -> None:
    with pytest.raises(BoundaryError, match=message):
        hours(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-05",
        "2026-1-5",
        "2026/1/5",
        "2026.1.5",
        "2026年1月5日",
        "2026 年 1 月 5 日",
        "２０２６年１月５日",
        "２０２６／０１／０５",
        "20260105",
        "2026-01-05 00:00:00",
    ],
)
def test_dates_in_the_usual_forms(text: str) -> None:
    assert parse_date(text, label="取得日期") == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "不是存在的日期"),
        ("2026-13-01", "不是存在的日期"),
        ("05/01/2026", "不是有效日期"),
        ("2026-01-05 12:30", "不是有效日期"),
        ("明天", "不是有效日期"),
        ("", "请填写取得日期"),
    ],
)
def test_dates_refused(text: str, message: str) -> None:
    with pytest.raises(BoundaryError, match=message):
        parse_date(text, label="取得日期")


def test_dates_within_bounds() -> None:
    with pytest.raises(BoundaryError, match="不能晚于 2026-01-04"):
        parse_date("2026-01-05", label="取得日期", latest=date(2026, 1, 4))
    with pytest.raises(BoundaryError, match="不能早于 1995-01-01"):
        parse_date("1994-12-31", label="取得日期", earliest=date(1995, 1, 1))
