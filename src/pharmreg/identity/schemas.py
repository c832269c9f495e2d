"""Units, officers and applicants as other contexts and the API see them."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec


class UnitSeed(msgspec.Struct, frozen=True):
    """A bureau unit to create from a division."""

    division_code: str
    level: int
    name: str
    parent_division_code: str | None


class UnitRead(msgspec.Struct):
    id: int
    division_code: str
    level: int
    name: str
    parent_id: int | None
    phone: str | None
    address: str | None
    postcode: str | None
    email: str | None


class OfficerCreate(msgspec.Struct, frozen=True):
    username: str
    name: str
    unit_division_code: str
    password_hash: str
    mobile: str | None = None
    email: str | None = None
    positions: tuple[str, ...] = ()


class OfficerRead(msgspec.Struct):
    id: uuid.UUID
    username: str
    name: str
    unit_id: int
    unit_name: str
    positions: list[str]


class ApplicantCreate(msgspec.Struct, frozen=True):
    id_type: str
    id_number: str
    name: str
    sex: str
    birth_date: date
    mobile: str
    password_hash: str


class StaffCreate(msgspec.Struct, frozen=True):
    username: str
    name: str
    department: str
    password_hash: str
    mobile: str | None = None
