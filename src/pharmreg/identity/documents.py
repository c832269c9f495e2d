"""Identity documents an applicant may register with, each checked by its own rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pharmreg.kit.codes import CodeError, check_id_number, compact_id_number, identify_id_number


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
    if not compact_id_number(number):
        raise CodeError(f"请填写{doc_type.label}号码")
    checked = check_id_number(doc_type.value, number, today=today)
    return CheckedDocument(doc_type, checked.number, checked.birth_date, checked.sex)


def identify_document(number: str, *, today: date) -> CheckedDocument:
    """A document number whose type nobody stated (look-ups by number): judged by its shape.

    A malformed number gets "证件号码格式不正确…", distinct from a wrong check digit.
    """
    checked = identify_id_number(number, today=today)
    return CheckedDocument(DocumentType(checked.kind), checked.number, checked.birth_date, checked.sex)
