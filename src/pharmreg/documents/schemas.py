"""What the documents print: plain values the caller fills in."""

from __future__ import annotations

from datetime import date, datetime
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
    # The bureau that acts; acting under delegation, the mark printed after its name, e.g.
    # "（受广东省药品监督管理局委托）", and the delegating bureau.
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
    authority_mark: str = ""
    entrusted_by: str = ""


class ReceiptMaterial(msgspec.Struct, frozen=True):
    """One file received, as the receipt lists it."""

    label: str
    filename: str
    size: int
    sha256: str


class ReceiptData(msgspec.Struct, frozen=True):
    """The receipt of an application's materials (申请材料接收凭证), given to the applicant."""

    case_ref: str
    matter: str
    applicant_name: str
    id_masked: str
    received_at: datetime
    # The receiving bureau as it acted, with its delegation mark when a city or county acts.
    authority: str
    materials: tuple[ReceiptMaterial, ...]
    follow_url: str
    practice_unit: str = ""
    acceptance_due: date | None = None
    resubmission: bool = False


def chinese_date(day: date) -> str:
    """A date as documents print it: 2026年11月25日."""
    return f"{day.year}年{day.month}月{day.day}日"
