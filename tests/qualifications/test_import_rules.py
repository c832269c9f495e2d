"""The field rules of the qualification and CE-credit imports: one rule per kind of value."""

from datetime import date
from decimal import Decimal

import pytest

from pharmreg.qualifications.service import credit_values, qualification_values

TODAY = date(2026, 12, 7)
ID = "11010519491231002X"


def credit(**changes: str) -> dict[str, str]:
    row = {
        "id_number": ID,
        "name": "王𠮷",
        "year": "2025",
        "part": "公需科目",
        "hours": "30",
        "credits": "10",
        "issuer": "国家执业药师继续教育平台",
        "certificate_no": "CE-2025-0001",
    }
    return row | changes


def qualification(**changes: str) -> dict[str, str]:
    row = {
        "certificate_no": "2021440000123",
        "name": "王𠮷",
        "id_number": ID,
        "category": "药学",
        "obtained_on": "2021-10-23",
    }
    return row | changes


def refused(values: tuple) -> str:
    converted, problems = values
    assert converted is None
    return "；".join(problems)


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("123", "证件号码格式不正确"),  # was accepted as it was not 18 characters long
        ("1101051949123100", "证件号码格式不正确"),
        ("11010519491231002Y", "证件号码格式不正确"),
        ("110105194912310021", "校验码错误"),
        ("", "请填写证件号码"),
    ],
)
def test_id_numbers_are_fully_validated(id_number: str, message: str) -> None:
    assert message in refused(credit_values(credit(id_number=id_number), today=TODAY))
    assert message in refused(qualification_values(qualification(id_number=id_number), today=TODAY))


def test_other_documents_and_full_width_numbers_are_accepted() -> None:
    values, _ = credit_values(credit(id_number="h12345678"), today=TODAY)
    assert values is not None and values["id_number"] == "H12345678"
    values, _ = credit_values(credit(id_number="１１０１０５１９４９１２３１００２ｘ"), today=TODAY)
    assert values is not None and values["id_number"] == ID


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0.000000001", "最多保留 1 位小数"),  # was stored as 0
        ("1E-100000", "不是有效的数字"),  # was a raw traceback
        ("1e309", "不是有效的数字"),
        ("NaN", "不是有效的数字"),
        ("5000", "应在 0 至 1000 之间"),
        ("-3", "应在 0 至 1000 之间"),
        ("0", "学时应大于 0"),
        ("三十", "不是有效的数字"),
    ],
)
def test_hours_that_cannot_be_stored_exactly_or_are_absurd_are_refused(hours: str, message: str) -> None:
    assert message in refused(credit_values(credit(hours=hours), today=TODAY))


def test_hours_and_credits_as_decimals_with_one_place() -> None:
    values, problems = credit_values(credit(hours="１２.５", credits="4.0"), today=TODAY)
    assert not problems
    assert values is not None
    assert (values["hours"], values["credits"]) == (Decimal("12.5"), Decimal("4.0"))
    assert "学分“150”应在 0 至 100 之间" in refused(credit_values(credit(credits="150"), today=TODAY))


@pytest.mark.parametrize(
    ("year", "message"), [("2027", "2000 至 2026"), ("1999", "2000 至 2026"), ("二五", "应为整数")]
)
def test_ce_years_within_reason(year: str, message: str) -> None:
    assert message in refused(credit_values(credit(year=year), today=TODAY))


@pytest.mark.parametrize(
    "typed",
    [
        "2021-10-23",
        "2021/10/23",
        "2021.10.23",
        "2021年10月23日",
        "２０２１年１０月２３日",
        "２０２１－１０－２３",
    ],
)
def test_qualification_dates_in_the_usual_forms(typed: str) -> None:
    values, problems = qualification_values(qualification(obtained_on=typed), today=TODAY)
    assert not problems
    assert values is not None and values["obtained_on"] == date(2021, 10, 23)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2021-02-30", "不是存在的日期"),
        ("2027-01-01", "不能晚于 2026-12-07"),
        ("1990-01-01", "不能早于 1995-01-01"),
        ("去年", "不是有效日期"),
    ],
)
def test_qualification_dates_refused(typed: str, message: str) -> None:
    assert message in refused(qualification_values(qualification(obtained_on=typed), today=TODAY))


def test_text_cells_within_their_columns_and_storable() -> None:
    assert "姓名超过 50 个字" in refused(credit_values(credit(name="王" * 51), today=TODAY))
    assert "施教机构含有无法保存的控制字符" in refused(credit_values(credit(issuer="平台\x00"), today=TODAY))
    assert "资格证书编号超过 40 个字" in refused(
        qualification_values(qualification(certificate_no="9" * 41), today=TODAY)
    )


def test_subject_scores_and_years() -> None:
    row = qualification(
        subject_1_name="药学专业知识（一）", subject_1_score="８５.５", subject_1_year="２０２１"
    )
    values, problems = qualification_values(row, today=TODAY)
    assert not problems
    assert values is not None
    assert values["subjects"] == [{"subject": "药学专业知识（一）", "score": 85.5, "year": 2021}]
    bad = qualification(subject_1_score="121", subject_2_score="60", subject_2_year="2030")
    message = refused(qualification_values(bad, today=TODAY))
    assert "科目1成绩“121”应在 0 至 120 之间" in message
    assert "科目2年度应在 1995 至 2026 之间" in message


def test_every_problem_of_a_row_at_once() -> None:
    row = credit(id_number="123", hours="1E-100000", part="其他", issuer="")
    assert len(credit_values(row, today=TODAY)[1]) == 4
