"""Password rules report every problem at once."""

from pharmreg.identity.password_policy import PasswordRules, password_problems

RULES = PasswordRules(min_length=10, min_classes=3)


def test_strong_password_passes() -> None:
    assert password_problems("Blue#River2026", RULES, identifiers=("gd.admin",)) == []


def test_every_problem_is_listed() -> None:
    problems = password_problems("aaaaaa", RULES)
    assert any("至少 10 位" in p for p in problems)
    assert any("至少 3 类" in p for p in problems)
    assert any("同一字符" in p for p in problems)


def test_common_and_personal_passwords_refused() -> None:
    assert any("常见" in p for p in password_problems("Password1!", RULES))
    assert any("不能包含" in p for p in password_problems("Gd.Admin#2026x", RULES, identifiers=("gd.admin",)))
    assert any(
        "不能包含" in p for p in password_problems("x13812345678A!", RULES, identifiers=("13812345678",))
    )


def test_rules_follow_the_tenant_settings() -> None:
    assert password_problems("Ab1!efgh", PasswordRules(min_length=8, min_classes=4)) == []
    assert password_problems("Abcdefgh12", PasswordRules(min_length=8, min_classes=4)) != []
