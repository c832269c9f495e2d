"""Qualification and CE data as imports, checks and pages see them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

import msgspec

from pharmreg.kit.tabular import Column


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
        text = text.strip().lower()
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
        text = text.strip().lower()
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


# What the imports accept, column by column; the command-line help is made from these.
HOURS_PLACES = 1  # hours and credits are kept with one decimal place (NUMERIC(6, 1))
MAX_HOURS = Decimal(1000)  # one certificate; a year asks for 90 class hours
MAX_CREDITS = Decimal(100)  # one certificate; a year asks for 30 credits
MAX_SCORE = Decimal(120)
FIRST_EXAM_YEAR = 1995  # the first national licensed-pharmacist examination
_ID_RULE = "居民身份证号码 18 位（校验码有效），或港澳台居民居住证、通行证、外国人永久居留身份证、护照的号码"
_DATE_RULE = "日期，如 2021-10-23、2021/10/23、2021.10.23 或 2021年10月23日"

QUALIFICATION_COLUMNS = (
    Column("certificate_no", ("资格证书编号", "证书编号", "管理号", "certificate_no"), rule="至多 40 个字符"),
    Column("name", ("姓名", "name"), rule="与证件一致，至多 50 个字"),
    Column("id_number", ("身份证件号码", "证件号码", "身份证号", "id_number"), rule=_ID_RULE),
    Column("category", ("类别", "资格类别", "专业类别", "category"), rule="药学 或 中药学"),
    Column(
        "obtained_on", ("取得日期", "发证日期", "批准日期", "obtained_on"), rule=_DATE_RULE + "，不晚于今天"
    ),
    Column("education", ("学历", "education"), required=False, rule="至多 20 个字"),
    Column("major", ("专业", "major"), required=False, rule="至多 60 个字"),
    *(
        Column(
            f"subject_{n}_{part}",
            (f"科目{n}{label}", f"subject_{n}_{part}"),
            required=False,
            rule={
                "name": "至多 40 个字",
                "score": f"0 至 {MAX_SCORE} 的数字，最多 {HOURS_PLACES} 位小数",
                "year": f"四位年度，{FIRST_EXAM_YEAR} 年起",
            }[part],
        )
        for n in range(1, 5)
        for part, label in (("name", "名称"), ("score", "成绩"), ("year", "年度"))
    ),
)
CREDIT_COLUMNS = (
    Column("id_number", ("身份证件号码", "证件号码", "身份证号", "id_number"), rule=_ID_RULE),
    Column("name", ("姓名", "name"), rule="与证件一致，至多 50 个字"),
    Column("year", ("年度", "year"), rule="四位年度，2000 年至今年"),
    Column("part", ("科目类型", "类型", "part"), rule="公需科目 或 专业科目（也可写 公需、专业）"),
    Column(
        "hours",
        ("学时", "hours"),
        rule=f"大于 0、至多 {MAX_HOURS} 的数字，最多 {HOURS_PLACES} 位小数（更多位无法按原值保存，整行拒收）",
    ),
    Column(
        "credits", ("学分", "credits"), rule=f"大于 0、至多 {MAX_CREDITS} 的数字，最多 {HOURS_PLACES} 位小数"
    ),
    Column("issuer", ("施教机构", "发证机构", "issuer"), rule="至多 100 个字"),
    Column(
        "certificate_no", ("学时证明编号", "证明编号", "证书编号", "certificate_no"), rule="至多 60 个字符"
    ),
)
