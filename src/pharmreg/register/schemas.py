"""The register as decisions, rules, pages and public verification see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import msgspec


class PracticeScope(StrEnum):
    """Practice scope (执业范围)."""

    PRODUCTION = "production"
    DISTRIBUTION = "distribution"
    USE = "use"

    @property
    def label(self) -> str:
        return {"production": "药品生产", "distribution": "药品经营", "use": "药品使用"}[self.value]


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    TRANSFERRED = "transferred"

    @property
    def label(self) -> str:
        return {"active": "有效", "cancelled": "已注销", "expired": "已过期注销", "transferred": "已转出"}[
            self.value
        ]


# Which scopes a unit type allows, unless the province configures otherwise.
DEFAULT_UNIT_SCOPES: dict[str, frozenset[str]] = {
    "retail_chain_store": frozenset({"distribution"}),
    "retail": frozenset({"distribution"}),
    "wholesale": frozenset({"distribution"}),
    "logistics": frozenset({"distribution"}),
    "online_platform": frozenset({"distribution"}),
    "prescription_review": frozenset({"distribution", "use"}),
    "manufacturer": frozenset({"production"}),
    "mah": frozenset({"production"}),
    "medical": frozenset({"use"}),
}


@dataclass(frozen=True, slots=True)
class RegistrationRules:
    """A province's registration rules, read once per request."""

    validity_years: int = 5
    renewal_lead_days: int = 30
    certificate_pattern: str = "{province}{year}{seq:06d}"
    reissue_enabled: bool = False
    age_warning: int = 70
    ce_default: tuple[int, int] = (10, 20)
    ce_by_year: dict[int, tuple[int, int]] = field(default_factory=dict)
    unit_type_scopes: dict[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_UNIT_SCOPES))
    max_attachment_bytes: int = 5 * 1024 * 1024

    def ce_required(self, year: int) -> tuple[int, int]:
        """(public, professional) credits required for a year."""
        return self.ce_by_year.get(year, self.ce_default)


@dataclass(frozen=True, slots=True)
class Province:
    """The province a decision is made in, as the register records it."""

    slug: str
    name: str
    authority_name: str
    division_code: str


# 学历 and 专业 as the registration form offers them (中专 still appears on older certificates).
EDUCATION_LEVELS = {
    "secondary": "中专",
    "college": "大专",
    "bachelor": "本科",
    "second_bachelor": "第二学士/研究生班",
    "master": "硕士研究生",
    "doctor": "博士研究生",
}
MAJORS = {
    "pharmacy": "药学",
    "tcm": "中药学",
    "clinical_pharmacy": "临床药学",
    "related": "其他相关专业",
}


@dataclass(frozen=True, slots=True)
class Registrant:
    person_key: str
    applicant_id: uuid.UUID | None
    id_type: str
    id_number: str
    name: str
    sex: str
    # 学历 and 专业 as the application records them (choices in EDUCATION_LEVELS and MAJORS).
    education: str | None = None
    major: str | None = None


@dataclass(frozen=True, slots=True)
class Terms:
    """What a registration allows: category, scope, practice unit."""

    categories: str
    scope: str
    practice_unit_id: int
    unit_name: str
    division_code: str
    qualification_nos: str


@dataclass(frozen=True, slots=True)
class Decided:
    """Who decided, on which application, on which day."""

    application_ref: str | None
    actor_name: str | None
    on: date


class RegistrationRead(msgspec.Struct):
    id: int
    tenant: str
    certificate_no: str
    name: str
    id_masked: str
    categories: str
    categories_label: str
    scope: str
    scope_label: str
    practice_unit_id: int
    unit_name: str
    division_code: str
    issued_on: date
    valid_from: date
    valid_until: date
    status: str
    status_label: str
    closed_on: date | None
    close_reason: str | None


class HistoryEntry(msgspec.Struct):
    registration_id: int
    effective_on: date
    kind: str
    kind_label: str
    summary: str
    application_ref: str | None
    actor_name: str | None


class VerificationRead(msgspec.Struct):
    """What anyone may learn about a certificate: never the ID number or contact details."""

    certificate_no: str
    name: str
    category: str
    scope: str
    practice_unit: str
    region: str
    valid_from: date
    valid_until: date
    status: str
    status_label: str
    sanctions: list[str]


# Decisions published in 结果公示, and their names (the "matter" a search filters by).
PUBLISHED_KINDS: dict[str, str] = {
    "registered": "首次注册",
    "transferred_in": "跨省变更转入",
    "cancelled": "注销注册",
    "expired": "有效期届满注销",
}


class ResultQuery(msgspec.Struct, frozen=True):
    """A search of the published results; every field optional."""

    name: str = ""
    certificate_no: str = ""
    unit: str = ""
    kind: str = ""
    province: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1
    per_page: int = 50


class ResultRead(msgspec.Struct):
    """One published decision as anyone may see it: never the ID number or contact details."""

    effective_on: date
    matter: str
    matter_label: str
    name: str
    certificate_no: str
    category: str
    scope: str
    practice_unit: str
    province: str
    province_name: str
    summary: str


class ResultPage(msgspec.Struct):
    results: list[ResultRead]
    page: int
    per_page: int
    more: bool
