"""Use cases of the practice context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import record_event
from pharmreg.kit.boundaries import BoundaryError, parse_date
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.codes import CodeError, check_uscc
from pharmreg.kit.tabular import Column, Row, read_table
from pharmreg.practice import repository
from pharmreg.practice.models import PracticeUnit
from pharmreg.practice.rules import UNIT_STATUSES, state_label, unit_state
from pharmreg.practice.schemas import PracticeUnitCreate, PracticeUnitRead, UnitImport, UnitType

UNIT_REGISTERED = "practice.unit_registered"
# A unit corrected or updated by an import; both events carry the unit as it now stands (type,
# place, status, licence), never its name, address or principal.
UNIT_CHANGED = "practice.unit_changed"


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
    record_event(session, UNIT_REGISTERED, {"practice_unit_id": unit.id, **unit_fact(unit)})
    return unit


def unit_fact(unit: PracticeUnit) -> dict[str, Any]:
    """A unit as the national statistics receive it: no name, address or principal."""
    return {
        "unit_id": unit.id,
        "unit_type": unit.unit_type,
        "division_code": unit.division_code,
        "status": unit.status,
        "licence_valid_until": unit.licence_valid_until.isoformat(),
    }


async def unit_facts(session: AsyncSession) -> list[dict[str, Any]]:
    """Every unit of the province, as `UNIT_REGISTERED` and `UNIT_CHANGED` events describe them."""
    return [unit_fact(unit) for unit in await repository.all_units(session)]


async def unit_types(session: AsyncSession) -> dict[int, str]:
    return {unit.id: unit.unit_type for unit in await repository.all_units(session)}


async def count_practice_units(session: AsyncSession) -> int:
    return await repository.count_units(session)


# Reads show each unit's state on `today` (Beijing date); callers that do not pass one get today's.


async def list_practice_units(
    session: AsyncSession,
    *,
    division_prefix: str | None = None,
    limit: int = 100,
    search: str = "",
    state: str = "",
    today: date | None = None,
) -> list[PracticeUnitRead]:
    """Units by place, name or code; `state` (a key of UNIT_STATES) keeps those in it on `today`."""
    on = today or china_today()
    rows = await repository.list_units(
        session, division_prefix=division_prefix, limit=limit, search=search, state=state or None, today=on
    )
    return [_read(u, on) for u in rows]


async def practice_unit_by_uscc(
    session: AsyncSession, uscc: str, *, today: date | None = None
) -> PracticeUnitRead | None:
    unit = await repository.unit_by_uscc(session, uscc.strip().upper())
    return _read(unit, today or china_today()) if unit else None


async def practice_unit(
    session: AsyncSession, unit_id: int, *, today: date | None = None
) -> PracticeUnitRead | None:
    unit = await repository.unit_by_id(session, unit_id)
    return _read(unit, today or china_today()) if unit else None


def _read(u: PracticeUnit, today: date) -> PracticeUnitRead:
    state = unit_state(u.status, u.licence_valid_until, today)
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
        state=state,
        state_label=state_label(state),
    )


def unit_type_of(text: str) -> UnitType | None:
    """A unit type from its code or its Chinese name, as files carry either."""
    text = text.strip()
    for kind in UnitType:
        if text in (kind.value, kind.label):
            return kind
    return None


# The columns of a practice-unit file, for the command line and the office page alike.
UNIT_COLUMNS = (
    Column("uscc", ("统一社会信用代码", "信用代码", "uscc"), rule="18 位，校验码有效"),
    Column("name", ("单位名称", "企业名称", "name"), rule="至多 200 个字"),
    Column(
        "unit_type",
        ("单位类型", "类型", "unit_type"),
        rule="以下之一：" + "、".join(k.label for k in UnitType),
    ),
    Column("licence_no", ("许可证编号", "licence_no")),
    Column(
        "licence_valid_until",
        ("许可证有效期至", "有效期至", "licence_valid_until"),
        rule="日期，如 2030-12-31、2030/12/31 或 2030年12月31日",
    ),
    Column(
        "division_code", ("所在地代码", "行政区划代码", "division_code"), rule="本省的 6 位县级行政区划代码"
    ),
    Column("address", ("地址", "注册地址", "address"), rule="至多 200 个字"),
    Column("principal", ("负责人", "法定代表人", "principal"), required=False),
)
# Larger files are split: a province's whole register is a few tens of thousands of units.
MAX_IMPORT_ROWS = 50_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024
_LOOKUP_CHUNK = 5_000
_INSERT_CHUNK = 1_000


def read_unit_file(data: bytes, filename: str) -> list[Row]:
    """Every row of a CSV or .xlsx file of practice units; TabularError refuses the whole file."""
    return list(
        read_table(data, filename, UNIT_COLUMNS, max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_IMPORT_ROWS)
    )


async def import_practice_units(
    session: AsyncSession, rows: Sequence[Row], *, in_territory: Callable[[str], bool], area: str = "本省"
) -> UnitImport:
    """Add or update units by credit code, all rows or none: with any row in error nothing is written.

    `in_territory` says which places the importer keeps: a new unit must be there, and so must a
    unit already registered under the code (nobody takes over another area's unit by file);
    `area` names that territory in the messages ("本省", "广州市市场监督管理局辖区").
    """
    checked: list[tuple[int, dict[str, Any]]] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for row in rows:
        values, problems = _unit_values(row.values, in_territory, area)
        if values is not None and values["uscc"] in seen:
            problems.append(f"统一社会信用代码 {values['uscc']} 在文件中重复")
        if problems or values is None:
            errors.append((row.line, "；".join(problems)))
            continue
        seen.add(values["uscc"])
        checked.append((row.line, values))
    existing: dict[str, PracticeUnit] = {}
    codes = sorted(seen)
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        existing |= await repository.units_by_uscc(session, codes[start : start + _LOOKUP_CHUNK])
    for line, values in checked:
        unit = existing.get(values["uscc"])
        if unit is not None and not in_territory(unit.division_code):
            where = f"统一社会信用代码 {values['uscc']} 的单位登记在所在地 {unit.division_code}"
            errors.append((line, f"{where}，不属于{area}，不能更新"))
    if errors:
        shown = [f"第{line}行：{message}" for line, message in sorted(errors)]
        return UnitImport(read=len(rows), added=0, updated=0, errors=shown)
    new = [values for _line, values in checked if values["uscc"] not in existing]
    for start in range(0, len(new), _INSERT_CHUNK):
        await repository.insert_units(session, new[start : start + _INSERT_CHUNK])
    now = utcnow()
    for _line, values in checked:
        unit = existing.get(values["uscc"])
        if unit is not None:
            for key, value in values.items():
                setattr(unit, key, value)
            unit.updated_at = now
    await session.flush()
    added = {values["uscc"] for values in new}
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        for unit in (await repository.units_by_uscc(session, codes[start : start + _LOOKUP_CHUNK])).values():
            if unit.uscc in added:
                described = {"uscc": unit.uscc, "practice_unit_id": unit.id, **unit_fact(unit)}
                record_event(session, UNIT_REGISTERED, described)
            else:
                record_event(session, UNIT_CHANGED, unit_fact(unit))
    return UnitImport(read=len(rows), added=len(new), updated=len(checked) - len(new), errors=[])


def _unit_values(
    raw: Any, in_territory: Callable[[str], bool], area: str
) -> tuple[dict[str, Any] | None, list[str]]:
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
        problems.append(f"所在地代码“{division}”不是{area}的县级行政区划代码")
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
    record_event(session, UNIT_CHANGED, unit_fact(unit))
    return {}
