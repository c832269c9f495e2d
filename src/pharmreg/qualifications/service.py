"""Use cases of the qualifications context: look-ups for applications, and batch imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ParamSpec, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.boundaries import BoundaryError, normalise, parse_date, parse_decimal, parse_int, unstorable
from pharmreg.kit.clock import china_today
from pharmreg.kit.codes import CodeError, compact_id_number, identify_id_number
from pharmreg.qualifications import repository
from pharmreg.qualifications.schemas import (
    FIRST_EXAM_YEAR,
    HOURS_PLACES,
    MAX_CREDITS,
    MAX_HOURS,
    MAX_SCORE,
    Category,
    CePart,
    CeYear,
    CreditRead,
    ExamResult,
    ImportReport,
    QualificationRead,
    ScoreRead,
)

BATCH = 1000
T = TypeVar("T")
P = ParamSpec("P")


class TableRow(Protocol):
    """A row of an imported file: its line number and its values by field."""

    @property
    def line(self) -> int: ...

    @property
    def values(self) -> Mapping[str, str]: ...


async def find_qualification(
    session: AsyncSession, *, name: str, id_number: str, certificate_no: str
) -> QualificationRead | None:
    """The certificate, only if name, ID number and number all match the national data."""
    record = await repository.qualification_by_number(session, normalise(certificate_no))
    if record is None or record.id_number != compact_id_number(id_number) or record.name != name.strip():
        return None
    return _read(record)


async def qualifications_of(session: AsyncSession, id_number: str) -> list[QualificationRead]:
    return [_read(r) for r in await repository.qualifications_of(session, id_number)]


def _read(record: Any) -> QualificationRead:
    return QualificationRead(
        certificate_no=record.certificate_no,
        name=record.name,
        id_number=record.id_number,
        category=Category(record.category),
        obtained_on=record.obtained_on,
    )


async def ce_years(session: AsyncSession, id_number: str) -> dict[int, CeYear]:
    """Credits per year and part, summed over issuers."""
    years: dict[int, dict[str, Decimal]] = {}
    for year, part, total in await repository.credits_by_year(session, id_number):
        years.setdefault(year, {})[part] = Decimal(total)
    return {
        year: CeYear(
            year=year,
            public=parts.get(CePart.PUBLIC, Decimal(0)),
            professional=parts.get(CePart.PROFESSIONAL, Decimal(0)),
        )
        for year, parts in years.items()
    }


def _text(values: Mapping[str, str], field: str, label: str, limit: int, problems: list[str]) -> str:
    """A required text cell: present, storable and within its column's length."""
    value = values.get(field, "").strip()
    if not value:
        problems.append(f"{label}为空")
    elif unstorable(value):
        problems.append(f"{label}含有无法保存的控制字符")
    elif len(value) > limit:
        problems.append(f"{label}超过 {limit} 个字")
    return value


def _optional(
    values: Mapping[str, str], field: str, label: str, limit: int, problems: list[str]
) -> str | None:
    return _text(values, field, label, limit, problems) if values.get(field, "").strip() else None


def _id_number(text: str, problems: list[str], today: date) -> str:
    """A document number checked by the rules of its type (judged by its shape)."""
    try:
        return identify_id_number(text, today=today).number
    except CodeError as exc:
        problems.append(str(exc))
        return ""


def _checked(problems: list[str], parse: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
    """A cell through one of the boundary parsers; its problem, if any, noted for the row."""
    try:
        return parse(*args, **kwargs)
    except BoundaryError as exc:
        problems.append(str(exc))
        return None


def qualification_values(
    values: Mapping[str, str], *, today: date
) -> tuple[dict[str, Any] | None, list[str]]:
    """One qualification row checked and converted; every problem of the row at once."""
    problems: list[str] = []
    number = _text(values, "certificate_no", "资格证书编号", 40, problems)
    name = _text(values, "name", "姓名", 50, problems)
    id_number = _id_number(values.get("id_number", ""), problems, today)
    category = Category.parse(values.get("category", ""))
    if category is None:
        problems.append(f"类别“{values.get('category', '')[:20]}”应为 药学 或 中药学")
    first_exam = date(FIRST_EXAM_YEAR, 1, 1)
    obtained_text = values.get("obtained_on", "")
    obtained = _checked(
        problems, parse_date, obtained_text, label="取得日期", earliest=first_exam, latest=today
    )
    education = _optional(values, "education", "学历", 20, problems)
    major = _optional(values, "major", "专业", 60, problems)
    subjects = []
    for index in range(1, 5):
        subject = values.get(f"subject_{index}_name", "").strip()
        score_text = values.get(f"subject_{index}_score", "")
        year_text = values.get(f"subject_{index}_year", "")
        if not subject and not score_text.strip() and not year_text.strip():
            continue
        if subject:
            _text(values, f"subject_{index}_name", f"科目{index}名称", 40, problems)
        score = _checked(
            problems,
            parse_decimal,
            score_text,
            label=f"科目{index}成绩",
            places=HOURS_PLACES,
            low=Decimal(0),
            high=MAX_SCORE,
        )
        year = None
        if year_text.strip():
            label = f"科目{index}年度"
            year = _checked(problems, parse_int, year_text, label=label, low=FIRST_EXAM_YEAR, high=today.year)
        if score is not None:
            subjects.append({"subject": subject or f"科目{index}", "score": float(score), "year": year})
    if problems:
        return None, problems
    return {
        "certificate_no": number,
        "name": name,
        "id_number": id_number,
        "category": category.value if category else "",
        "obtained_on": obtained,
        "education": education,
        "major": major,
        "subjects": subjects,
    }, []


def credit_values(values: Mapping[str, str], *, today: date) -> tuple[dict[str, Any] | None, list[str]]:
    """One CE credit row checked and converted."""
    problems: list[str] = []
    id_number = _id_number(values.get("id_number", ""), problems, today)
    name = _text(values, "name", "姓名", 50, problems)
    year = _checked(problems, parse_int, values.get("year", ""), label="年度", low=2000, high=today.year)
    part = CePart.parse(values.get("part", ""))
    if part is None:
        problems.append(f"科目类型“{values.get('part', '')[:20]}”应为 公需科目 或 专业科目")
    numbers: dict[str, Decimal | None] = {}
    for field, label, high in (("hours", "学时", MAX_HOURS), ("credits", "学分", MAX_CREDITS)):
        text = values.get(field, "")
        numbers[field] = number = _checked(
            problems, parse_decimal, text, label=label, places=HOURS_PLACES, low=Decimal(0), high=high
        )
        if number is not None and not number:
            problems.append(f"{label}应大于 0")
    issuer = _text(values, "issuer", "施教机构", 100, problems)
    certificate = _text(values, "certificate_no", "学时证明编号", 60, problems)
    if problems:
        return None, problems
    return {
        "id_number": id_number,
        "name": name,
        "year": year,
        "part": part.value if part else "",
        "hours": numbers["hours"],
        "credits": numbers["credits"],
        "issuer": issuer,
        "certificate_no": certificate,
    }, []


async def import_qualifications(
    session: AsyncSession, rows: Iterable[TableRow], *, today: date | None = None
) -> ImportReport:
    """Add or correct qualification records; refused rows are listed with their line numbers.

    The caller commits only when the report has no errors, so a file is imported whole or not at all.
    """
    report = ImportReport()
    batch: dict[str, dict[str, Any]] = {}
    today = today or china_today()
    for row in rows:
        report.read += 1
        values, problems = qualification_values(row.values, today=today)
        if values is None:
            report.errors.append(f"第{row.line}行：{'；'.join(problems)}")
            continue
        if values["certificate_no"] in batch:
            report.errors.append(f"第{row.line}行：资格证书编号 {values['certificate_no']} 在文件中重复")
            continue
        batch[values["certificate_no"]] = values
        if len(batch) >= BATCH:
            await _flush_qualifications(session, batch, report)
    await _flush_qualifications(session, batch, report)
    return report


async def _flush_qualifications(
    session: AsyncSession, batch: dict[str, dict[str, Any]], report: ImportReport
) -> None:
    added, updated = await repository.upsert_qualifications(session, list(batch.values()))
    report.added += added
    report.updated += updated
    batch.clear()


async def import_ce_credits(
    session: AsyncSession, rows: Iterable[TableRow], *, today: date | None = None
) -> ImportReport:
    """Record CE credits; a certificate an issuer already reported counts as a duplicate, not twice.

    Refused rows are listed with their line numbers; the caller commits only when there are none.
    """
    report = ImportReport()
    batch: dict[tuple[str, str], dict[str, Any]] = {}
    today = today or china_today()
    for row in rows:
        report.read += 1
        values, problems = credit_values(row.values, today=today)
        if values is None:
            report.errors.append(f"第{row.line}行：{'；'.join(problems)}")
            continue
        key = (values["issuer"], values["certificate_no"])
        if key in batch:
            report.duplicates += 1
            continue
        batch[key] = values
        if len(batch) >= BATCH:
            await _flush_credits(session, batch, report)
    await _flush_credits(session, batch, report)
    return report


async def _flush_credits(
    session: AsyncSession, batch: dict[tuple[str, str], dict[str, Any]], report: ImportReport
) -> None:
    added = await repository.insert_credits(session, list(batch.values()))
    report.added += added
    report.duplicates += len(batch) - added
    batch.clear()


async def demo_accounts(session: AsyncSession, *, prefix: str) -> list[tuple[str, str, str]]:
    """(mobile, name, certificate number) of the accounts whose certificates carry a prefix (demo data)."""
    return await repository.accounts_with_certificates(session, prefix)


PASS_MARK = 72  # each subject is out of 120


async def credits_of(session: AsyncSession, id_number: str) -> list[CreditRead]:
    """A person's CE credit records, every issuer, newest year first."""
    rows = await repository.credits_of(session, id_number)
    return sorted(
        (
            CreditRead(
                year=r.year,
                part_label=CePart(r.part).label,
                hours=r.hours,
                credits=r.credits,
                issuer=r.issuer,
                certificate_no=r.certificate_no,
            )
            for r in rows
        ),
        key=lambda c: (-c.year, c.part_label),
    )


async def exam_results(
    session: AsyncSession, *, name: str, id_number: str, year: int | None
) -> list[ExamResult]:
    """成绩查询: the subject results of a person's qualification records, found only by name and ID number
    together (optionally one exam year)."""
    results = []
    for record in await repository.qualifications_of(session, compact_id_number(id_number)):
        if record.name != name.strip():
            continue
        subjects = [
            ScoreRead(
                subject=str(s.get("subject", "")),
                year=s.get("year"),
                score=float(s.get("score", 0)),
                passed=float(s.get("score", 0)) >= PASS_MARK,
            )
            for s in record.subjects or []
            if year is None or s.get("year") in (None, year)
        ]
        if subjects or year is None:
            results.append(
                ExamResult(record.name, Category(record.category).label, record.certificate_no, subjects)
            )
    return results
