"""GB 11643 ID numbers, GB 32100 credit codes, GB/T 2260 division codes."""

from datetime import date

import pytest

from pharmreg.kit.codes import (
    CodeError,
    check_division_code,
    check_uscc,
    compact_id_number,
    division_ancestors,
    division_covers,
    division_level,
    identify_id_number,
    org_code_check_char,
    parse_resident_id,
    resident_id_check_char,
    uscc_check_char,
)

TODAY = date(2026, 11, 25)


def make_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def wrong_check(first17: str) -> str:
    good = resident_id_check_char(first17)
    return first17 + next(c for c in "0123456789X" if c != good)


def test_resident_id_known_example() -> None:
    # The worked example of GB 11643-1999: 11010519491231002X.
    parsed = parse_resident_id("11010519491231002x", today=TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.division_code == "110105"
    assert parsed.sex == "F"


def test_resident_id_sex_from_seventeenth_digit() -> None:
    assert parse_resident_id(make_id("44010619900101003"), today=TODAY).sex == "M"
    assert parse_resident_id(make_id("44010619900101004"), today=TODAY).sex == "F"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4401061990010100", "应为18位"),
        ("44010619900101003A", "应为18位"),
        (make_id("44010619900132001"), "不是有效日期"),
        (make_id("44010619900230001"), "不是有效日期"),
        (make_id("44010620300101001"), "不合理"),
        (make_id("44010618890101001"), "不合理"),
        (wrong_check("44010619900101003"), "校验码错误"),
        (make_id("00000019900101001"), "地区代码无效"),
    ],
)
def test_resident_id_refusals(value: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        parse_resident_id(value, today=TODAY)


def test_retired_division_code_in_id_still_accepted() -> None:
    # 110228 (密云县) was retired in 2015; people keep the ID numbers issued with it.
    assert parse_resident_id(make_id("11022819800101001"), today=TODAY).division_code == "110228"


def test_org_code_check_character() -> None:
    # GB 11714 example used in the standard's annex: D2143569 -> check character X
    assert org_code_check_char("D2143569") == "X"


def test_uscc_valid_and_normalised() -> None:
    body = "91440101" + "MA59" + "ABCD"  # 16 characters
    org = body[8:16]
    first17 = body + org_code_check_char(org)
    code = first17 + uscc_check_char(first17)
    assert check_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91440101MA59ABCD", "应为18位"),
        ("91440101MA59ABCDOX", "不允许的字符"),
        ("9144A101MA59ABCD0X", "行政区划代码"),
    ],
)
def test_uscc_refusals(value: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        check_uscc(value)


def test_uscc_wrong_check_character() -> None:
    first17 = "91440101MA59ABCD" + org_code_check_char("MA59ABCD")
    good = uscc_check_char(first17)
    wrong = next(c for c in "0123456789" if c != good)
    with pytest.raises(CodeError, match="校验码错误"):
        check_uscc(first17 + wrong)


@pytest.mark.parametrize("value", ["44010", "4401066", "abcdef", "000000", "440006", ""])
def test_division_code_format_refusals(value: str) -> None:
    with pytest.raises(CodeError):
        check_division_code(value)


def test_division_hierarchy_by_code() -> None:
    assert division_level("440000") == 1
    assert division_level("440100") == 2
    assert division_level("440106") == 3
    assert division_ancestors("440106") == ["440106", "440100", "440000"]
    assert division_ancestors("440100") == ["440100", "440000"]
    assert division_covers("440000", "440106")
    assert division_covers("440100", "440106")
    assert not division_covers("440300", "440106")
    assert not division_covers("440106", "440100")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_full_width_numbers_are_the_same_numbers() -> None:
    number = make_id("11010519491231002")
    assert parse_resident_id(full_width(number).lower(), today=TODAY).number == number
    assert (
        parse_resident_id("１１０１０５　１９４９１２３１　００２ｘ", today=TODAY).number
        == "11010519491231002X"
    )
    body = "91440101MA59ABCD" + org_code_check_char("MA59ABCD")
    code = body + uscc_check_char(body)
    assert check_uscc(full_width(code)) == code
    assert check_division_code("４４０１０６") == "440106"


@pytest.mark.parametrize("value", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "¹¹⁰¹⁰⁵¹⁹⁴⁹¹²³¹⁰⁰²X"])
def test_digits_of_other_scripts_are_not_id_digits(value: str) -> None:
    with pytest.raises(CodeError, match="格式不正确"):
        parse_resident_id(value, today=TODAY)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (make_id("11010519491231002"), "resident_id"),
        (full_width(make_id("44010619900101003")), "resident_id"),
        (make_id("81000019850505002"), "hmt_residence"),
        (make_id("93304419880808123"), "foreign_permanent"),
        ("USA123456789012", "foreign_permanent"),
        ("h12345678", "hk_mo_permit"),
        ("M1234567890", "hk_mo_permit"),
        ("12345678", "tw_permit"),
        ("E12345678", "passport"),
    ],
)
def test_a_number_of_unstated_type_is_checked_by_its_shape(value: str, kind: str) -> None:
    checked = identify_id_number(value, today=TODAY)
    assert checked.kind == kind
    assert checked.number == compact_id_number(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123", "证件号码格式不正确"),  # three characters: no document has that shape
        ("1101051949123100", "证件号码格式不正确"),  # an ID number with digits missing
        ("12345678901234567", "证件号码格式不正确"),
        ("11010519491231002Y", "证件号码格式不正确"),
        ("ABCDEFG", "证件号码格式不正确"),
        ("", "请填写证件号码"),
        (wrong_check("11010519491231002"), "校验码错误"),  # the right shape, a wrong check digit
        (full_width(wrong_check("11010519491231002")), "校验码错误"),
        (make_id("77010619900101003"), "前两位不是有效的省级行政区划代码"),
    ],
)
def test_malformed_numbers_get_the_format_message_not_the_check_digit_one(value: str, message: str) -> None:
    with pytest.raises(CodeError, match=message):
        identify_id_number(value, today=TODAY)
