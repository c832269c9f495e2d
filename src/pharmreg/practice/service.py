"""Use cases of the practice context."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import record_event
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
    session: AsyncSession, *, division_prefix: str | None = None, limit: int = 100
) -> list[PracticeUnitRead]:
    return [
        _read(u) for u in await repository.list_units(session, division_prefix=division_prefix, limit=limit)
    ]


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
