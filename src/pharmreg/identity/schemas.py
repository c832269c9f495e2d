"""Units, officers and applicants as other contexts and the API see them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

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
    active: bool = True


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
    unit_parent_id: int | None = None
    active: bool = True
    mobile: str | None = None
    totp_enabled: bool = False


class ApplicantCreate(msgspec.Struct, frozen=True):
    id_type: str
    id_number: str
    name: str
    sex: str
    birth_date: date
    mobile: str
    password_hash: str
    mobile_confirmed_at: datetime | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None


class StaffCreate(msgspec.Struct, frozen=True):
    username: str
    name: str
    department: str
    password_hash: str
    mobile: str | None = None


class SecurityRules(msgspec.Struct, frozen=True):
    """A tenant's (or the national accounts') security settings."""

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    lockout_threshold: int = 5
    lockout_window_minutes: int = 15
    lockout_minutes: int = 15
    password_min_length: int = 10
    password_min_classes: int = 3
    password_max_age_days: int = 0
    totp_required: str = "none"  # one of TOTP_REQUIRED


# Who must sign in with a second factor, and how the security settings page names it, for
# officers (a province's rule) and for national staff (the national rule).
TOTP_REQUIRED: dict[str, tuple[str, str]] = {
    "none": ("不强制，工作人员自行选择是否启用", "不强制，全国用户自行选择是否启用"),
    "admins": ("系统管理员必须启用", "超级管理员必须启用"),
    "all": ("全体工作人员必须启用", "全体全国用户必须启用"),
}


# Allowed range of each setting, and its name in the interface.
SECURITY_LIMITS: dict[str, tuple[int, int, str]] = {
    "session_idle_minutes": (5, 240, "空闲超时（分钟）"),
    "session_absolute_hours": (1, 24, "会话最长时间（小时）"),
    "lockout_threshold": (3, 20, "连续失败次数上限"),
    "lockout_window_minutes": (5, 120, "失败计数时间窗（分钟）"),
    "lockout_minutes": (5, 1440, "锁定时长（分钟）"),
    "password_min_length": (8, 64, "密码最短长度"),
    "password_min_classes": (2, 4, "密码至少包含的字符类别数"),
    "password_max_age_days": (0, 365, "密码有效期（天，0 表示不限）"),
}


class OfficerAccount(msgspec.Struct, frozen=True):
    """An officer as a request sees them: read fresh on every request."""

    tenant: str
    id: uuid.UUID
    username: str
    name: str
    mobile: str | None
    unit_id: int
    unit_code: str
    unit_name: str
    unit_level: int
    positions: frozenset[str]
    permissions: frozenset[str]
    active: bool
    must_change_password: bool
    password_expired: bool
    totp_enabled: bool
    # The rules require a second factor this officer has not enrolled yet.
    must_enrol_totp: bool = False

    def holds(self, *positions: str) -> bool:
        return any(p in self.positions for p in positions)

    def may(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def at_province(self) -> bool:
        """Works at the province bureau (whose administrators administer the whole tenant)."""
        return self.unit_level == 1

    def administers(self, unit_id: int, parent_id: int | None) -> bool:
        """Whether a unit is within this officer's administration: everything for the province
        bureau; for a city or county bureau, itself and the units directly under it."""
        return self.at_province or unit_id == self.unit_id or parent_id == self.unit_id


class StaffAccount(msgspec.Struct, frozen=True):
    id: uuid.UUID
    username: str
    name: str
    department: str
    role: str
    mobile: str | None
    active: bool
    must_change_password: bool
    password_expired: bool
    totp_enabled: bool
    must_enrol_totp: bool = False

    @property
    def is_superadmin(self) -> bool:
        return self.role == "superadmin"


class ApplicantAccount(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    id_type: str
    id_number: str
    sex: str
    birth_date: date
    mobile: str
    active: bool
    password_expired: bool

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)


def mask_id(number: str) -> str:
    """The first and last four characters only: what pages, certificates and messages show of
    an ID number (a short foreign document number keeps only its first character)."""
    if len(number) <= 8:
        return number[:1] + "*" * (len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_mobile(mobile: str) -> str:
    """The first three and last four digits: what pages and messages show of a mobile number."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else "****"


class IdentityForm(msgspec.Struct, frozen=True):
    """Who someone says they are, as typed in to register or to dispute an account."""

    name: str = ""
    document_type: str = ""
    document_number: str = ""
    certificate_no: str = ""
    mobile: str = ""
    birth_date: str = ""
    sex: str = ""


class OfficerForm(msgspec.Struct, frozen=True):
    username: str
    name: str
    unit_id: int
    password: str
    mobile: str = ""
    email: str = ""
    positions: tuple[str, ...] = ()


class StaffForm(msgspec.Struct, frozen=True):
    username: str
    name: str
    department: str
    password: str
    mobile: str = ""


class UnitContactForm(msgspec.Struct, frozen=True):
    phone: str = ""
    address: str = ""
    postcode: str = ""
    email: str = ""


class PublicPerson(msgspec.Struct, frozen=True):
    """An officer as the public contacts page shows them: name, posts, work phone, duties; nothing else."""

    officer_id: uuid.UUID
    name: str
    posts: list[str]
    work_phone: str
    duties: str
    sort_order: int
