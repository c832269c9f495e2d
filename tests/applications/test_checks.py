"""The pre-check's CE rule without a database: the first year after qualifying, and uploaded proof."""

from __future__ import annotations

from datetime import date

from pharmreg.applications import CheckInput, Person, precheck
from pharmreg.qualifications import Category, QualificationRead
from pharmreg.register import RegistrationRules


def _input(obtained: date, *, materials: frozenset[str] = frozenset()) -> CheckInput:
    qualification = QualificationRead("Q1", "测试", "110101199003070011", Category.PHARMACY, obtained)
    return CheckInput(
        matter="first_registration",
        tenant="gd",
        form={"qualification_no": "Q1", "categories": "pharmacy", "scope": "distribution"},
        person=Person("测试", "passport", "E1234567", date(1990, 3, 7)),
        today=date(2026, 1, 5),
        rules=RegistrationRules(),
        qualifications={"Q1": qualification},
        materials=materials,
    )


def _ce(findings) -> list:
    return [f for f in findings if f.field == "ce"]


def test_no_credits_are_asked_for_before_or_in_the_first_year_after_qualifying() -> None:
    assert _ce(precheck(_input(date(2025, 12, 10)))) == []
    assert _ce(precheck(_input(date(2024, 11, 1)))) == []  # 2025 is still within the first year


def test_missing_credits_block_unless_proof_is_uploaded() -> None:
    [blocking] = _ce(precheck(_input(date(2019, 10, 20))))
    assert blocking.level == "error" and "2025年度继续教育学分不足" in blocking.message
    [weighed] = _ce(precheck(_input(date(2019, 10, 20), materials=frozenset({"ce_proof"}))))
    assert weighed.level == "warning" and "由审核人员核对" in weighed.message
