"""Delegations, matrix cells and explanations as forms and pages see them."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class DelegationForm(msgspec.Struct, frozen=True):
    delegate_unit_id: int
    matters: tuple[str, ...]
    reason: str
    valid_from: str = ""  # a date (YYYY-MM-DD); empty: today
    valid_to: str = ""  # a date; empty: until taken back
    territory: tuple[str, ...] = ()  # division codes; empty: the delegate's whole division
    may_redelegate: bool = False


class RevocationForm(msgspec.Struct, frozen=True):
    reason: str
    effective: str = ""  # a date; empty: now


class DelegationRead(msgspec.Struct):
    id: int
    matter: str
    matter_label: str
    grantor_unit_id: int
    grantor_name: str
    delegate_unit_id: int
    delegate_name: str
    territory: list[str]
    territory_names: list[str]
    valid_from: datetime
    valid_to: datetime | None
    reason: str
    may_redelegate: bool
    parent_id: int | None
    state: str  # "scheduled", "active", "ending" (taking back scheduled), "ended"
    revoke_reason: str | None


class MatrixCell(msgspec.Struct):
    matter: str
    holder_unit_id: int | None
    holder_name: str
    since: datetime | None
    delegation_id: int | None
    delegated: bool
    ending: datetime | None = None
    scheduled: list[DelegationRead] = msgspec.field(default_factory=list)


class MatrixRow(msgspec.Struct):
    unit_id: int
    division_code: str
    name: str
    level: int
    cells: list[MatrixCell]
    has_children: bool


class ExplanationStep(msgspec.Struct):
    text: str
    ok: bool


class Explanation(msgspec.Struct):
    allowed: bool
    verdict: str
    steps: list[ExplanationStep]


class WorkDelegationForm(msgspec.Struct, frozen=True):
    to_officer_id: uuid.UUID
    valid_from: str
    valid_to: str
    reason: str
    matters: tuple[str, ...] = ()  # empty: every matter


class WorkDelegationRead(msgspec.Struct):
    id: int
    from_officer_id: uuid.UUID
    from_name: str
    to_officer_id: uuid.UUID
    to_name: str
    matters: list[str] | None
    valid_from: datetime
    valid_to: datetime
    reason: str
    state: str  # "scheduled", "active", "ended"
