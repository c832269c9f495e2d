"""Use cases of the qualifications context: look-ups for applications, and batch imports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.codes import CodeError, parse_resident_id
from pharmreg.qualifications import repository
from pharmreg.qualifications.schemas import (
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
    record = await repository.qualification_by_number(session, certificate_no.strip())
    if record is None or record.id_number != id_number.strip().upper() or record.name != name.strip():
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


def _date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _id_number(text: str, problems: list[str]) -> str:
    value = text.strip().upper()
    if len(value) == 18:
        try:
            parse_resident_id(value)
        except CodeError as exc:
            problems.append(str(exc))
    elif not value:
        problems.append("证件号码为空")
    return value


def qualification_values(values: Mapping[str, str]) -> tuple[dict[str, Any] | None, list[str]]:
    """One qualification row checked and converted; every problem of the row at once."""
    problems: list[str] = []
    number = values.get("certificate_no", "").strip()
    if not number:
        problems.append("资格证书编号为空")
    name = values.get("name", "").strip()
    if not name:
        problems.append("姓名为空")
    id_number = _id_number(values.get("id_number", ""), problems)
    category = Category.parse(values.get("category", ""))
    if category is None:
        problems.append(f"类别“{values.get('category', '')}”应为 药学 或 中药学")
    obtained = _date(values.get("obtained_on", ""))
    if obtained is None:
        problems.append(f"取得日期“{values.get('obtained_on', '')}”不是有效日期（如 2021-10-23）")
    subjects = []
    for index in range(1, 5):
        subject = values.get(f"subject_{index}_name", "").strip()
        score = values.get(f"subject_{index}_score", "").strip()
        if not subject and not score:
            continue
        try:
            subjects.append(
                {
                    "subject": subject or f"科目{index}",
                    "score": float(Decimal(score)),
                    "year": int(values.get(f"subject_{index}_year", "") or 0) or None,
                }
            )
        except (InvalidOperation, ValueError):
            problems.append(f"科目{index}成绩“{score}”不是数字")
    if problems:
        return None, problems
    return {
        "certificate_no": number,
        "name": name,
        "id_number": id_number,
        "category": category.value if category else "",
        "obtained_on": obtained,
        "education": values.get("education", "").strip() or None,
        "major": values.get("major", "").strip() or None,
        "subjects": subjects,
    }, []


def credit_values(values: Mapping[str, str]) -> tuple[dict[str, Any] | None, list[str]]:
    """One CE credit row checked and converted."""
    problems: list[str] = []
    id_number = _id_number(values.get("id_number", ""), problems)
    name = values.get("name", "").strip()
    if not name:
        problems.append("姓名为空")
    year_text = values.get("year", "").strip()
    year = int(year_text) if year_text.isdecimal() else 0
    if not 2000 <= year <= 2100:
        problems.append(f"年度“{year_text}”无效")
    part = CePart.parse(values.get("part", ""))
    if part is None:
        problems.append(f"科目类型“{values.get('part', '')}”应为 公需科目 或 专业科目")
    numbers: dict[str, Decimal] = {}
    for field, label in (("hours", "学时"), ("credits", "学分")):
        try:
            numbers[field] = Decimal(values.get(field, "").strip())
            if not Decimal(0) <= numbers[field] <= Decimal(1000):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"{label}“{values.get(field, '')}”不是有效数字")
    issuer = values.get("issuer", "").strip()
    certificate = values.get("certificate_no", "").strip()
    if not issuer:
        problems.append("发证机构为空")
    if not certificate:
        problems.append("学时证明编号为空")
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


async def import_qualifications(session: AsyncSession, rows: Iterable[TableRow]) -> ImportReport:
    """Add or correct qualification records; refused rows are listed with their line numbers.

    The caller commits only when the report has no errors, so a file is imported whole or not at all.
    """
    report = ImportReport()
    batch: dict[str, dict[str, Any]] = {}
    for row in rows:
        report.read += 1
        values, problems = qualification_values(row.values)
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


async def import_ce_credits(session: AsyncSession, rows: Iterable[TableRow]) -> ImportReport:
    """Record CE credits; a certificate an issuer already reported counts as a duplicate, not twice."""
    report = ImportReport()
    batch: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        report.read += 1
        values, problems = credit_values(row.values)
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
    for record in await repository.qualifications_of(session, id_number.strip().upper()):
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
