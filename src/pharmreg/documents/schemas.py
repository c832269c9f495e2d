"""What the documents print: plain values the caller fills in."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import msgspec


class CertificateData(msgspec.Struct, frozen=True):
    """The fields of a licensed pharmacist's registration certificate."""

    certificate_no: str
    name: str
    sex: str
    id_masked: str
    photo: bytes | None
    category: str
    scope: str
    practice_unit: str
    region: str
    issuing_authority: str
    issue_date: date
    valid_from: date
    valid_until: date
    verification_url: str


class NoticeKind(StrEnum):
    """The written notices and decisions of the registration procedure."""

    ACCEPTANCE = "acceptance"
    SUPPLEMENT = "supplement"
    NON_ACCEPTANCE = "non_acceptance"
    APPROVAL = "approval"
    REFUSAL = "refusal"

    # Shadows str.title on purpose: callers read `kind.title` as the printed title.
    @property
    def title(self) -> str:  # type: ignore[override]
        """The document's title as printed."""
        return _TITLES[self]


_TITLES = {
    NoticeKind.ACCEPTANCE: "受理通知书",
    NoticeKind.SUPPLEMENT: "补正材料通知书",
    NoticeKind.NON_ACCEPTANCE: "不予受理通知书",
    NoticeKind.APPROVAL: "准予注册决定书",
    NoticeKind.REFUSAL: "不予注册决定书",
}


class NoticeData(msgspec.Struct, frozen=True):
    """A notice or decision to one applicant about one application."""

    kind: NoticeKind
    authority: str
    document_no: str
    applicant_name: str
    case_ref: str
    matter: str
    received_on: date
    issued_on: date
    items: tuple[str, ...] = ()
    certificate_no: str | None = None
    valid_until: date | None = None
    remedy_bodies: str = ""
    court: str = ""
    deadline_days: int | None = None


def chinese_date(day: date) -> str:
    """A date as documents print it: 2026年11月25日."""
    return f"{day.year}年{day.month}月{day.day}日"
