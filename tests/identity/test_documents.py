"""Each ID document type is checked by its own rules."""

from datetime import date

import pytest

from pharmreg.identity import check_document
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
