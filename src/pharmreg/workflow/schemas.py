"""Tasks and their history as lists and pages show them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec


class TaskRead(msgspec.Struct):
    id: int
    case_ref: str
    subject: str
    matter: str
    matter_label: str
    division_code: str
    place: str
    position: str
    position_label: str
    candidate_unit_id: int
    unit_name: str
    assignee_id: uuid.UUID | None
    assignee_name: str | None
    status: str
    due_date: date | None
    created_at: datetime
    version: int
    # Set when the reader sees this task because a colleague delegated their work to them.
    on_behalf_of: str | None = None
    # The application the task is a step of (None for tasks made by other means).
    application_id: int | None = None


class HistoryRead(msgspec.Struct):
    at: datetime
    action: str
    action_label: str
    actor_name: str | None
    on_behalf_of_name: str | None
    from_unit: str | None
    to_unit: str | None
    note: str | None


class TaskSeed(msgspec.Struct, frozen=True):
    """A task to create; routing decides the unit."""

    case_ref: str
    subject: str
    matter: str
    division_code: str
    position: str
    due_date: date | None = None
    priority: int = 0
    application_id: int | None = None
    step: str | None = None


class HandoverRead(msgspec.Struct):
    """A task that left an officer's unit pool for another unit: when, to whom, why."""

    task_id: int
    at: datetime
    to_unit: str
    note: str | None
    matter_label: str
    position_label: str
