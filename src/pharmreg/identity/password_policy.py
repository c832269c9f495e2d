"""Password rules: checked as a whole so that every problem is reported at once."""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass

# The most used passwords (and patterns) seen in public breach lists, plus local favourites.
_COMMON = {
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "password",
    "password1",
    "qwerty",
    "qwerty123",
    "abc123",
    "111111",
    "000000",
    "iloveyou",
    "admin",
    "admin123",
    "welcome",
    "a123456",
    "aa123456",
    "woaini1314",
    "5201314",
    "1q2w3e4r",
    "1qaz2wsx",
    "zxcvbnm",
    "p@ssw0rd",
    "passw0rd",
    "admin@123",
    "abcd1234",
    "qwer1234",
    "asdf1234",
    "qwe123",
    "123qwe",
    "zaq12wsx",
    "pharmreg",
}


@dataclass(frozen=True, slots=True)
class PasswordRules:
    min_length: int = 10
    min_classes: int = 3


def _classes(password: str) -> int:
    groups = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or (not c.isalnum() and not c.isspace()) for c in password),
    )
    return sum(groups)


def password_problems(password: str, rules: PasswordRules, *, identifiers: Iterable[str] = ()) -> list[str]:
    """Everything wrong with `password`, in Chinese; empty when it is acceptable."""
    problems = []
    if len(password) < rules.min_length:
        problems.append(f"密码长度至少 {rules.min_length} 位")
    if len(password) > 128:
        problems.append("密码长度不能超过 128 位")
    if _classes(password) < rules.min_classes:
        problems.append(f"密码须包含大写字母、小写字母、数字、符号中的至少 {rules.min_classes} 类")
    lowered = password.lower()
    if lowered in _COMMON or any(lowered.startswith(c) and len(lowered) - len(c) <= 2 for c in _COMMON):
        problems.append("密码过于常见，容易被猜中")
    for identifier in identifiers:
        if identifier and len(identifier) >= 4 and identifier.lower() in lowered:
            problems.append("密码不能包含用户名、证件号码或手机号码")
            break
    if len(set(password)) <= 2:
        problems.append("密码不能由同一字符重复组成")
    return problems
