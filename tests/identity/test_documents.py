"""Each ID document type is checked by its own rules."""

from datetime import date

import pytest

from pharmreg.identity import DocumentType, check_document, identify_document
from pharmreg.kit.codes import CodeError, resident_id_check_char

TODAY = date(2026, 11, 25)


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(
    ("kind", "number", "normalised", "birth", "sex"),
    [
        ("resident_id", with_check("44010619900101003"), None, date(1990, 1, 1), "M"),
        ("hmt_residence", with_check("81000019850505002"), None, date(1985, 5, 5), "F"),
        ("hk_mo_permit", "h12345678", "H12345678", None, None),
        ("hk_mo_permit", "M1234567890", None, None, None),
        ("tw_permit", "12345678", None, None, None),
        ("foreign_permanent", with_check("93304419880808123"), None, None, None),
        ("foreign_permanent", "USA123456789012", None, None, None),
        ("passport", "E12345678", None, None, None),
    ],
)
def test_valid_documents(kind, number, normalised, birth, sex) -> None:
    checked = check_document(kind, number, today=TODAY)
    assert checked.number == (normalised or number.upper())
    assert checked.birth_date == birth
    assert checked.sex == sex


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("driving_licence", "123", "请选择证件类型"),
        ("resident_id", "", "请填写居民身份证号码"),
        ("resident_id", with_check("99010619900101003"), "前两位不是有效的省级"),
        ("resident_id", "440106199001010030", "校验码错误|应为18位"),
        ("hmt_residence", with_check("44010619900101003"), "应以 810000、820000 或 830000 开头"),
        ("hk_mo_permit", "X12345678", "H 或 M"),
        ("tw_permit", "1234", "8 位"),
        ("foreign_permanent", "9" + "1" * 16 + "0", "校验码错误|以 9 开头"),
        ("passport", "E1", "5 至 17 位"),
        ("passport", "E12-34567", "5 至 17 位"),
    ],
)
def test_refusals(kind, number, message) -> None:
    with pytest.raises(CodeError, match=message):
        check_document(kind, number, today=TODAY)


def test_a_number_typed_in_full_width_is_the_same_number() -> None:
    number = with_check("44010619900101003")
    typed = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert check_document("resident_id", typed, today=TODAY).number == number
    assert check_document("hk_mo_permit", "ｈ１２３４５６７８", today=TODAY).number == "H12345678"


def test_a_number_of_unstated_type_is_judged_by_its_shape() -> None:
    assert identify_document(with_check("44010619900101003"), today=TODAY).type is DocumentType.RESIDENT_ID
    assert identify_document("H12345678", today=TODAY).type is DocumentType.HK_MO_PERMIT
    with pytest.raises(CodeError, match="证件号码格式不正确"):
        identify_document("440", today=TODAY)
    with pytest.raises(CodeError, match="校验码错误"):
        identify_document("440106199001010030", today=TODAY)
