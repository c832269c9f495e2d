"""Identity documents an applicant may register with, each checked by its own rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pharmreg.kit.codes import CodeError, parse_resident_id, resident_id_check_char


class DocumentType(StrEnum):
    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE = "hmt_residence"
    HK_MO_PERMIT = "hk_mo_permit"
    TW_PERMIT = "tw_permit"
    FOREIGN_PERMANENT = "foreign_permanent"
    PASSPORT = "passport"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def encodes_birth_and_sex(self) -> bool:
        """Whether birth date and sex come from the number itself (18-digit GB 11643 style)."""
        return self in (DocumentType.RESIDENT_ID, DocumentType.HMT_RESIDENCE)


_LABELS = {
    DocumentType.RESIDENT_ID: "居民身份证",
    DocumentType.HMT_RESIDENCE: "港澳台居民居住证",
    DocumentType.HK_MO_PERMIT: "港澳居民来往内地通行证",
    DocumentType.TW_PERMIT: "台湾居民来往大陆通行证",
    DocumentType.FOREIGN_PERMANENT: "外国人永久居留身份证",
    DocumentType.PASSPORT: "护照",
}

# Province-level prefixes that resident ID numbers can carry (GB/T 2260, incl. retired ones).
_PROVINCE_PREFIXES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
}
_HMT_PREFIXES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    type: DocumentType
    number: str
    birth_date: date | None
    sex: str | None


def check_document(kind: str, number: str, *, today: date) -> CheckedDocument:
    """Validate a document number by the rules of its type; raises CodeError in Chinese."""
    try:
        doc_type = DocumentType(kind)
    except ValueError:
        raise CodeError("请选择证件类型") from None
    value = re.sub(r"\s+", "", number).upper()
    if not value:
        raise CodeError(f"请填写{doc_type.label}号码")
    if doc_type is DocumentType.RESIDENT_ID:
        parsed = parse_resident_id(value, today=today)
        if parsed.number[:2] not in _PROVINCE_PREFIXES:
            raise CodeError("身份证号码前两位不是有效的省级行政区划代码")
        return CheckedDocument(doc_type, parsed.number, parsed.birth_date, parsed.sex)
    if doc_type is DocumentType.HMT_RESIDENCE:
        if value[:6] not in _HMT_PREFIXES:
            raise CodeError("港澳台居民居住证号码应以 810000、820000 或 830000 开头")
        parsed = parse_resident_id(value, today=today)
        return CheckedDocument(doc_type, parsed.number, parsed.birth_date, parsed.sex)
    if doc_type is DocumentType.HK_MO_PERMIT:
        if not re.fullmatch(r"[HM]\d{8}(\d{2})?", value):
            raise CodeError("港澳居民来往内地通行证号码应为 H 或 M 加 8 位（或 10 位）数字")
        return CheckedDocument(doc_type, value, None, None)
    if doc_type is DocumentType.TW_PERMIT:
        if not re.fullmatch(r"\d{8}(\d{2})?", value):
            raise CodeError("台湾居民来往大陆通行证号码应为 8 位（或旧版 10 位）数字")
        return CheckedDocument(doc_type, value, None, None)
    if doc_type is DocumentType.FOREIGN_PERMANENT:
        if re.fullmatch(r"9\d{16}[\dX]", value):
            if resident_id_check_char(value[:17]) != value[17]:
                raise CodeError("外国人永久居留身份证号码校验码错误，请核对后重新输入")
            return CheckedDocument(doc_type, value, None, None)
        if re.fullmatch(r"[A-Z]{3}\d{12}", value):  # cards issued before December 2023
            return CheckedDocument(doc_type, value, None, None)
        raise CodeError("外国人永久居留身份证号码应为以 9 开头的 18 位号码（或旧版 3 位字母加 12 位数字）")
    if not re.fullmatch(r"[A-Z0-9]{5,17}", value):
        raise CodeError("护照号码应为 5 至 17 位字母或数字")
    return CheckedDocument(doc_type, value, None, None)
