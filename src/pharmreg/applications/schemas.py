"""Applications as lists, pages and notices show them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


class ApplicationRead(msgspec.Struct):
    id: int
    tenant: str
    province: str
    ref: str
    matter: str
    matter_label: str
    status: str
    status_label: str
    step: str | None
    step_label: str | None
    applicant_name: str
    form: dict[str, Any]
    suspended: bool
    supplement_used: bool
    submitted_at: datetime | None
    received_on: date | None
    acceptance_due: date | None
    accepted_on: date | None
    statutory_due: date | None
    promised_due: date | None
    due_provisional: bool
    decided_on: date | None
    registration_id: int | None
    origin_tenant: str | None
    unit_name: str | None
    place: str | None
    updated_at: datetime
    version: int
    # The authority the materials were delivered to at the latest receipt (see Application).
    received_by: str | None = None


class EventRead(msgspec.Struct):
    at: datetime
    action: str
    action_label: str
    actor_kind: str
    actor_name: str | None
    on_behalf_of: str | None
    step_label: str | None
    note: str | None
    items: list[str]


class AttachmentRead(msgspec.Struct):
    id: int
    material: str
    material_label: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    # The nth file of this material (a material uploaded again after a supplement notice is the 2nd).
    version: int = 1


class OpeningRead(msgspec.Struct):
    """An officer's first opening of one material of a case."""

    attachment_id: int
    officer_name: str
    unit_name: str
    at: datetime
    times: int


class NoticeRead(msgspec.Struct):
    id: int
    kind: str
    title: str
    document_no: str
    issued_on: date


class DeadlineRow(msgspec.Struct):
    ref: str
    matter_label: str
    applicant_name: str
    status_label: str
    step_label: str | None
    due: date
    due_kind: str
    days_left: int
    provisional: bool
    unit_name: str
