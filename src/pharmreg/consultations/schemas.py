"""What pages and jobs read of consultations, complaints, the FAQ and the Q&A."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class EventRead(msgspec.Struct):
    at: datetime
    kind: str
    note: str
    actor_name: str
    public: bool


class AttachmentRead(msgspec.Struct):
    id: int
    filename: str
    content_type: str
    size: int


class Submitter(msgspec.Struct):
    """Who submitted: shown only to the handling unit."""

    name: str
    mobile: str
    has_account: bool


class ItemRead(msgspec.Struct):
    id: int
    kind: str
    category: str
    division_code: str
    unit_id: int
    unit_name: str
    title: str
    body: str
    status: str
    submitted_at: datetime
    due_on: date | None
    overdue: bool
    reply: str | None
    replied_at: datetime | None
    replied_by: str | None
    transferred_to: str | None
    origin: str | None
    publication: str
    public_question: str | None
    public_answer: str | None
    # None for anyone outside the handling unit.
    submitter: Submitter | None = None
    handled_here: bool = False


class TrackView(msgspec.Struct):
    """What the holder of a query code sees: the item without anyone's identity, public history."""

    kind: str
    category: str
    title: str
    status: str
    province_name: str
    submitted_at: datetime
    events: list[EventRead]


class FaqRead(msgspec.Struct):
    id: int
    topic: str
    question: str
    answer: str
    active: bool
    national: bool
    updated_at: datetime
    updated_by: str


class QaRead(msgspec.Struct):
    id: int
    tenant_slug: str
    province_name: str
    category: str
    question: str
    answer: str
    published_at: datetime
