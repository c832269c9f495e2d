"""Use cases of the practice context."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import record_event
from pharmreg.kit.boundaries import BoundaryError, parse_date
from pharmreg.kit.clock import utcnow
from pharmreg.kit.codes import CodeError, check_uscc
from pharmreg.practice import repository
from pharmreg.practice.models import PracticeUnit
from pharmreg.practice.schemas import PracticeUnitCreate, PracticeUnitRead, UnitType

UNIT_REGISTERED = "practice.unit_registered"


class PracticeUnitError(ValueError):
    """The practice unit cannot be registered; the message tells the user why."""


async def register_practice_unit(
    session: AsyncSession,
    data: PracticeUnitCreate,
    *,
    in_territory: Callable[[str], bool],
) -> PracticeUnit:
    """Register a practice unit located in this tenant's territory."""
    try:
        uscc = check_uscc(data.uscc)
    except CodeError as exc:
        raise PracticeUnitError(str(exc)) from None
    if not in_territory(data.division_code):
        raise PracticeUnitError("执业单位所在地不属于本省辖区，请向所在地省级药品监督管理部门申请")
    unit = await repository.insert_unit(
        session,
        {
            "uscc": uscc,
            "name": data.name.strip(),
            "unit_type": data.unit_type.value,
            "licence_no": data.licence_no.strip(),
            "licence_valid_until": data.licence_valid_until,
            "division_code": data.division_code,
            "address": data.address.strip(),
            "principal": data.principal.strip(),
        },
    )
    if unit is None:
        raise PracticeUnitError("该统一社会信用代码的执业单位已登记")
    record_event(session, UNIT_REGISTERED, {"practice_unit_id": unit.id, "division_code": unit.division_code})
    return unit


async def count_practice_units(session: AsyncSession) -> int:
    return await repository.count_units(session)


async def list_practice_units(
    session: AsyncSession, *, division_prefix: str | None = None, limit: int = 100, search: str = ""
) -> list[PracticeUnitRead]:
    rows = await repository.list_units(session, division_prefix=division_prefix, limit=limit, search=search)
    return [_read(u) for u in rows]


async def practice_unit_by_uscc(session: AsyncSession, uscc: str) -> PracticeUnitRead | None:
    unit = await repository.unit_by_uscc(session, uscc.strip().upper())
    return _read(unit) if unit else None


async def practice_unit(session: AsyncSession, unit_id: int) -> PracticeUnitRead | None:
    unit = await repository.unit_by_id(session, unit_id)
    return _read(unit) if unit else None


def _read(u: PracticeUnit) -> PracticeUnitRead:
    return PracticeUnitRead(
        id=u.id,
        uscc=u.uscc,
        name=u.name,
        unit_type=u.unit_type,
        unit_type_label=UnitType(u.unit_type).label,
        licence_no=u.licence_no,
        licence_valid_until=u.licence_valid_until,
        division_code=u.division_code,
        address=u.address,
        status=u.status,
    )


def unit_type_of(text: str) -> UnitType | None:
    """A unit type from its code or its Chinese name, as files carry either."""
    text = text.strip()
    for kind in UnitType:
        if text in (kind.value, kind.label):
            return kind
    return None


async def import_practice_units(
    session: AsyncSession, rows: Iterable[Any], *, in_territory: Callable[[str], bool]
) -> tuple[int, int, list[str]]:
    """Add or update units by credit code; returns (added, updated, row errors in Chinese).

    The caller commits only when there are no errors, so a file goes in whole or not at all.
    """
    added = updated = 0
    errors: list[str] = []
    seen: set[str] = set()
    for row in rows:
        values, problems = _unit_values(row.values, in_territory)
        if values is not None and values["uscc"] in seen:
            problems.append(f"统一社会信用代码 {values['uscc']} 在文件中重复")
        if problems or values is None:
            errors.append(f"第{row.line}行：{'；'.join(problems)}")
            continue
        seen.add(values["uscc"])
        existing = await repository.unit_by_uscc(session, values["uscc"])
        if existing is None:
            await repository.insert_unit(session, values)
            record_event(
                session, UNIT_REGISTERED, {"uscc": values["uscc"], "division_code": values["division_code"]}
            )
            added += 1
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.updated_at = utcnow()
            updated += 1
    await session.flush()
    return added, updated, errors


def _unit_values(raw: Any, in_territory: Callable[[str], bool]) -> tuple[dict[str, Any] | None, list[str]]:
    problems: list[str] = []
    try:
        uscc = check_uscc(raw.get("uscc", ""))
    except CodeError as exc:
        problems.append(str(exc))
        uscc = ""
    kind = unit_type_of(raw.get("unit_type", ""))
    if kind is None:
        problems.append(f"单位类型“{raw.get('unit_type', '')}”无法识别")
    try:
        valid_until: date | None = parse_date(raw.get("licence_valid_until", ""), label="许可证有效期")
    except BoundaryError as exc:
        problems.append(str(exc))
        valid_until = None
    division = raw.get("division_code", "").strip()
    if not (len(division) == 6 and division.isdigit()) or not in_territory(division):
        problems.append(f"所在地代码“{division}”不是本省的县级行政区划代码")
    for field, label in (("name", "单位名称"), ("licence_no", "许可证编号"), ("address", "地址")):
        if not raw.get(field, "").strip():
            problems.append(f"{label}为空")
    if problems:
        return None, problems
    return {
        "uscc": uscc,
        "name": raw["name"].strip()[:200],
        "unit_type": kind.value if kind else "",
        "licence_no": raw["licence_no"].strip()[:64],
        "licence_valid_until": valid_until,
        "division_code": division,
        "address": raw["address"].strip()[:200],
        "principal": raw.get("principal", "").strip()[:50] or "—",
    }, []


async def update_practice_unit(session: AsyncSession, unit_id: int, values: dict[str, str]) -> dict[str, str]:
    """Correct a unit's name, type, licence, address or status; the credit code and place stay.

    Returns every problem by field; nothing is changed when there is one.
    """
    unit = await repository.unit_by_id(session, unit_id)
    if unit is None:
        return {"": "执业单位不存在"}
    errors: dict[str, str] = {}
    name = values.get("name", "").strip()
    if not 2 <= len(name) <= 200:
        errors["name"] = "单位名称应为 2–200 个字"
    kind = unit_type_of(values.get("unit_type", ""))
    if kind is None:
        errors["unit_type"] = "请选择单位类型"
    licence = values.get("licence_no", "").strip()
    if not 4 <= len(licence) <= 64:
        errors["licence_no"] = "许可证编号应为 4–64 个字符"
    try:
        valid_until = date.fromisoformat(values.get("licence_valid_until", "").strip())
    except ValueError:
        errors["licence_valid_until"] = "请填写有效日期，如 2030-12-31"
        valid_until = unit.licence_valid_until
    address = values.get("address", "").strip()
    if not 2 <= len(address) <= 200:
        errors["address"] = "地址应为 2–200 个字"
    status = values.get("status", "")
    if status not in UNIT_STATUSES:
        errors["status"] = "请选择状态"
    if errors:
        return errors
    unit.name, unit.licence_no, unit.licence_valid_until, unit.address = name, licence, valid_until, address
    unit.unit_type = kind.value if kind else unit.unit_type
    unit.status = status
    unit.principal = values.get("principal", "").strip()[:50] or unit.principal
    unit.updated_at = utcnow()
    await session.flush()
    return {}


# A suspended or revoked licence blocks new registrations at the unit (the pre-check says so).
UNIT_STATUSES = {"active": "正常", "suspended": "停业整顿", "revoked": "许可证吊销", "closed": "已注销"}
