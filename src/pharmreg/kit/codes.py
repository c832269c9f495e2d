"""Checks for the national code standards: GB 11643 (ID numbers), GB 32100 (unified social
credit codes), GB 11714 (organisation codes) and GB/T 2260 (division codes).

Pure functions; errors carry a message in Simplified Chinese for the person who typed the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pharmreg.kit.boundaries import fold_width, normalise

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIVISION = re.compile(r"[0-9]{6}", re.ASCII)
_RESIDENT_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


class CodeError(ValueError):
    """A code failed a check; `str(error)` is a message for the user."""


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    division_code: str
    birth_date: date
    sex: str  # "M" or "F"


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number (either width) and return what it encodes."""
    number = compact_id_number(value)
    if not _RESIDENT_SHAPE.fullmatch(number):
        raise CodeError("身份证号码格式不正确：应为18位，前17位为数字，最后一位为数字或X")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError("身份证号码中的出生日期不是有效日期") from None
    if birth > (today or date.today()) or birth.year < 1900:  # noqa: DTZ011 - a calendar date
        raise CodeError("身份证号码中的出生日期不合理")
    if resident_id_check_char(number[:17]) != number[17]:
        raise CodeError("身份证号码校验码错误，请核对后重新输入")
    if number[:2] == "00" or number[:6] == "000000":
        raise CodeError("身份证号码中的地区代码无效")
    return ResidentId(
        number=number,
        division_code=number[:6],
        birth_date=birth,
        sex="M" if int(number[16]) % 2 == 1 else "F",
    )


# Province-level prefixes that resident ID numbers can carry (GB/T 2260, incl. retired ones).
_PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}  # fmt: skip
_HMT_PREFIXES = ("810000", "820000", "830000")  # 香港, 澳门, 台湾
_HK_MO_PERMIT = re.compile(r"[HM][0-9]{8}([0-9]{2})?", re.ASCII)
_TW_PERMIT = re.compile(r"[0-9]{8}([0-9]{2})?", re.ASCII)
_FOREIGN_NEW = re.compile(r"9[0-9]{16}[0-9X]", re.ASCII)
_FOREIGN_OLD = re.compile(r"[A-Z]{3}[0-9]{12}", re.ASCII)  # cards issued before December 2023
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}", re.ASCII)
_PASSPORT_LIKE = re.compile(r"(?=[A-Z]*[0-9])(?=[0-9]*[A-Z])[A-Z0-9]{5,17}", re.ASCII)  # letters and digits
ID_NUMBER_FORMAT = (
    "证件号码格式不正确：居民身份证号码应为18位（前17位为数字，最后一位为数字或X），"
    "其他证件请按证件上的号码填写，请核对后重新输入"
)


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A checked identity document number and, for 18-digit ones, what it encodes."""

    kind: str  # resident_id, hmt_residence, hk_mo_permit, tw_permit, foreign_permanent, passport
    number: str
    birth_date: date | None = None
    sex: str | None = None


def _compact(value: str) -> str:
    """A code as stored: one width, no spaces, capital letters."""
    return re.sub(r"\s+", "", fold_width(value)).upper()


def compact_id_number(value: str) -> str:
    """A document number as stored and compared: one width, no spaces, capital letters."""
    return _compact(value)


def check_id_number(kind: str, value: str, *, today: date) -> IdNumber:
    """Validate a document number by the rules of its type (a code of `IdNumber.kind`)."""
    number = compact_id_number(value)
    if kind == "resident_id":
        parsed = parse_resident_id(number, today=today)
        if parsed.number[:2] not in _PROVINCE_PREFIXES:
            raise CodeError("身份证号码前两位不是有效的省级行政区划代码")
        return IdNumber(kind, parsed.number, parsed.birth_date, parsed.sex)
    if kind == "hmt_residence":
        if not number.startswith(_HMT_PREFIXES):
            raise CodeError("港澳台居民居住证号码应以 810000、820000 或 830000 开头")
        parsed = parse_resident_id(number, today=today)
        return IdNumber(kind, parsed.number, parsed.birth_date, parsed.sex)
    if kind == "hk_mo_permit":
        if not _HK_MO_PERMIT.fullmatch(number):
            raise CodeError("港澳居民来往内地通行证号码应为 H 或 M 加 8 位（或 10 位）数字")
        return IdNumber(kind, number)
    if kind == "tw_permit":
        if not _TW_PERMIT.fullmatch(number):
            raise CodeError("台湾居民来往大陆通行证号码应为 8 位（或旧版 10 位）数字")
        return IdNumber(kind, number)
    if kind == "foreign_permanent":
        if _FOREIGN_NEW.fullmatch(number):
            if resident_id_check_char(number[:17]) != number[17]:
                raise CodeError("外国人永久居留身份证号码校验码错误，请核对后重新输入")
            return IdNumber(kind, number)
        if _FOREIGN_OLD.fullmatch(number):
            return IdNumber(kind, number)
        raise CodeError("外国人永久居留身份证号码应为以 9 开头的 18 位号码（或旧版 3 位字母加 12 位数字）")
    if kind == "passport":
        if not _PASSPORT.fullmatch(number):
            raise CodeError("护照号码应为 5 至 17 位字母或数字")
        return IdNumber(kind, number)
    raise ValueError(f"unknown document kind {kind!r}")


def id_number_kind(value: str) -> str | None:
    """The document type a number's shape belongs to, for numbers whose type nobody stated
    (imports of national data, look-ups); None when it has the shape of none."""
    number = compact_id_number(value)
    if _RESIDENT_SHAPE.fullmatch(number):
        if number.startswith(_HMT_PREFIXES):
            return "hmt_residence"
        return "foreign_permanent" if number.startswith("9") else "resident_id"
    if number.isdigit() and len(number) != 8 and len(number) != 10:
        return None  # a resident ID number with digits missing or too many, not a passport
    for kind, shape in (
        ("hk_mo_permit", _HK_MO_PERMIT),
        ("tw_permit", _TW_PERMIT),
        ("foreign_permanent", _FOREIGN_OLD),
        ("passport", _PASSPORT_LIKE),
    ):
        if shape.fullmatch(number):
            return kind
    return None


def identify_id_number(value: str, *, today: date) -> IdNumber:
    """Validate a document number of unstated type: judged by its shape, then by that type's rules.

    A number of no document's shape gets the format message, never a check-digit one.
    """
    number = compact_id_number(value)
    if not number:
        raise CodeError("请填写证件号码")
    kind = id_number_kind(number)
    if kind is None:
        raise CodeError(ID_NUMBER_FORMAT)
    return check_id_number(kind, number, today=today)


def org_code_check_char(first8: str) -> str:
    """GB 11714 organisation code check character for the first eight characters."""
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def check_uscc(value: str) -> str:
    """Validate a unified social credit code (GB 32100) and return it normalised."""
    code = _compact(value)
    if len(code) != 18:
        raise CodeError("统一社会信用代码应为18位")
    if any(c not in _USCC_CHARS for c in code):
        raise CodeError("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）")
    if not code[2:8].isdigit():
        raise CodeError("统一社会信用代码第3至8位应为行政区划代码")
    if uscc_check_char(code[:17]) != code[17]:
        raise CodeError("统一社会信用代码校验码错误，请核对后重新输入")
    return code


def check_division_code(value: str) -> str:
    """Format check of a GB/T 2260 code; whether it exists is the divisions context's job."""
    code = normalise(value)
    if not _DIVISION.fullmatch(code):
        raise CodeError("行政区划代码应为6位数字")
    if code[:2] == "00" or (code[2:4] == "00" and code[4:6] != "00"):
        raise CodeError("行政区划代码格式不正确")
    return code


def division_level(code: str) -> int:
    """1 for a province, 2 for a city, 3 for a county."""
    if code.endswith("0000"):
        return 1
    if code.endswith("00"):
        return 2
    return 3


def division_ancestors(code: str) -> list[str]:
    """The code itself, then its city and province codes (most specific first)."""
    chain = [code]
    if division_level(code) == 3:
        chain.append(code[:4] + "00")
    if division_level(code) >= 2:
        chain.append(code[:2] + "0000")
    return chain


def division_covers(outer: str, inner: str) -> bool:
    """Whether division `outer` contains (or is) division `inner`, judged by the code."""
    return outer in division_ancestors(inner)


def division_prefix(code: str) -> str:
    """The code prefix shared by a division and everything under it (44, 4401, 440106)."""
    level = division_level(code)
    return code[:2] if level == 1 else code[:4] if level == 2 else code


# Official one-character abbreviations of the provincial-level divisions (and 兵 for the Corps, 66).
_ABBREVIATIONS = {
    "11": "京",
    "12": "津",
    "13": "冀",
    "14": "晋",
    "15": "蒙",
    "21": "辽",
    "22": "吉",
    "23": "黑",
    "31": "沪",
    "32": "苏",
    "33": "浙",
    "34": "皖",
    "35": "闽",
    "36": "赣",
    "37": "鲁",
    "41": "豫",
    "42": "鄂",
    "43": "湘",
    "44": "粤",
    "45": "桂",
    "46": "琼",
    "50": "渝",
    "51": "川",
    "52": "黔",
    "53": "滇",
    "54": "藏",
    "61": "陕",
    "62": "甘",
    "63": "青",
    "64": "宁",
    "65": "新",
    "66": "兵",
}


def province_abbreviation(code: str) -> str:
    """京 for 110000, 粤 for 440000 …, as documents and numbers use them; 国 when unknown."""
    return _ABBREVIATIONS.get(code[:2], "国")
