"""Qualification and CE data as imports, checks and pages see them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

import msgspec


class Category(StrEnum):
    """Practice category (执业类别), the same as the qualification's track."""

    PHARMACY = "pharmacy"
    TCM = "tcm"

    @property
    def label(self) -> str:
        return "药学" if self is Category.PHARMACY else "中药学"

    @classmethod
    def parse(cls, text: str) -> Category | None:
        """Accept the code or the Chinese name, as imports and forms carry either."""
        text = text.strip()
        for category in cls:
            if text in (category.value, category.label):
                return category
        return None


def categories_label(codes: str) -> str:
    """ "pharmacy,tcm" -> "药学、中药学"."""
    return "、".join(Category(c).label for c in codes.split(",") if c)


class CePart(StrEnum):
    PUBLIC = "public"
    PROFESSIONAL = "professional"

    @property
    def label(self) -> str:
        return "公需科目" if self is CePart.PUBLIC else "专业科目"

    @classmethod
    def parse(cls, text: str) -> CePart | None:
        text = text.strip()
        aliases = {"公需": CePart.PUBLIC, "公需科目": CePart.PUBLIC, "专业": CePart.PROFESSIONAL,
                   "专业科目": CePart.PROFESSIONAL}  # fmt: skip
        return aliases.get(text) or (cls(text) if text in cls._value2member_map_ else None)


class QualificationRead(msgspec.Struct, frozen=True):
    certificate_no: str
    name: str
    id_number: str
    category: Category
    obtained_on: date


class CeYear(msgspec.Struct, frozen=True):
    """A person's credits for one year, by part."""

    year: int
    public: Decimal
    professional: Decimal


class ImportReport(msgspec.Struct):
    """What a command-line import did, row by row where rows were refused."""

    read: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: list[str] = msgspec.field(default_factory=list)


class CreditRead(msgspec.Struct, frozen=True):
    year: int
    part_label: str
    hours: Decimal
    credits: Decimal
    issuer: str
    certificate_no: str


class ScoreRead(msgspec.Struct, frozen=True):
    """One exam subject's result, as the public score query shows it (no ID number)."""

    subject: str
    year: int | None
    score: float
    passed: bool


class ExamResult(msgspec.Struct, frozen=True):
    name: str
    category_label: str
    certificate_no: str | None
    subjects: list[ScoreRead]
