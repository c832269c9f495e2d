"""Use cases of the identity context: units from divisions, officers, applicants, staff."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.divisions import DivisionRead
from pharmreg.events import record_event
from pharmreg.identity import repository
from pharmreg.identity.models import Applicant, BureauUnit, NationalStaff, Officer
from pharmreg.identity.positions import Position
from pharmreg.identity.schemas import (
    ApplicantCreate,
    OfficerCreate,
    OfficerRead,
    StaffCreate,
    UnitRead,
    UnitSeed,
)

UNIT_CREATED = "identity.unit_created"
OFFICER_CREATED = "identity.officer_created"
APPLICANT_REGISTERED = "identity.applicant_registered"

_BUREAU = "市场监督管理局"


class UnknownUnitError(LookupError):
    """No bureau unit exists for the division code given."""


def plan_units(
    *, province_code: str, authority_name: str, divisions: Sequence[DivisionRead]
) -> list[UnitSeed]:
    """The bureau units a tenant needs: its province bureau, then city and county bureaus.

    `divisions` are the tenant's current city and county divisions. Grouping rows (市辖区,
    省直辖县级行政区划) get no bureau: their counties report to the province bureau.
    """
    seeds = [UnitSeed(province_code, 1, authority_name, None)]
    cities = {d.code for d in divisions if d.level == 2 and not d.is_grouping}
    for division in sorted(divisions, key=lambda d: (d.level, d.code)):
        if division.is_grouping:
            continue
        if division.level == 2:
            seeds.append(UnitSeed(division.code, 2, division.name + _BUREAU, province_code))
            continue
        city = division.parent_code if division.parent_code in cities else None
        seeds.append(UnitSeed(division.code, 3, _county_bureau_name(division), city or province_code))
    return seeds


def _county_bureau_name(division: DivisionRead) -> str:
    # County-level cities carry their own name (常熟市市场监督管理局); districts and counties
    # are prefixed by the city or municipality above them (广州市天河区市场监督管理局).
    if division.name.endswith("市"):
        return division.name + _BUREAU
    above = division.full_name.split(" ")[-2] if " " in division.full_name else ""
    return above + division.name + _BUREAU


async def create_units(session: AsyncSession, seeds: Sequence[UnitSeed]) -> int:
    """Create the units that do not exist yet, level by level; returns how many."""
    ids = await repository.unit_ids_by_division(session)
    created = 0
    for level in (1, 2, 3):
        rows = [
            {
                "division_code": seed.division_code,
                "level": seed.level,
                "name": seed.name,
                "parent_id": ids.get(seed.parent_division_code or ""),
            }
            for seed in seeds
            if seed.level == level and seed.division_code not in ids
        ]
        inserted = await repository.insert_units(session, rows)
        ids.update(inserted)
        created += len(inserted)
        for code, unit_id in sorted(inserted.items()):
            record_event(session, UNIT_CREATED, {"unit_id": unit_id, "division_code": code, "level": level})
    return created


async def list_units(session: AsyncSession) -> list[UnitRead]:
    return [_unit_read(u) for u in await repository.units(session)]


def _unit_read(unit: BureauUnit) -> UnitRead:
    return UnitRead(
        id=unit.id,
        division_code=unit.division_code,
        level=unit.level,
        name=unit.name,
        parent_id=unit.parent_id,
        phone=unit.phone,
        address=unit.address,
        postcode=unit.postcode,
        email=unit.email,
    )


async def create_officer(session: AsyncSession, data: OfficerCreate) -> Officer | None:
    """Create an officer in the unit of `unit_division_code`; None if the username exists."""
    for position in data.positions:
        Position(position)  # refuses unknown posts
    unit_ids = await repository.unit_ids_by_division(session)
    unit_id = unit_ids.get(data.unit_division_code)
    if unit_id is None:
        raise UnknownUnitError(data.unit_division_code)
    officer = await repository.insert_officer(
        session,
        {
            "username": data.username,
            "name": data.name,
            "unit_id": unit_id,
            "mobile": data.mobile,
            "email": data.email,
            "password_hash": data.password_hash,
        },
    )
    if officer is None:
        return None
    await repository.insert_positions(
        session,
        [{"officer_id": officer.id, "position": p, "granted_by": "system"} for p in data.positions],
    )
    record_event(session, OFFICER_CREATED, {"officer_id": str(officer.id), "unit_id": unit_id})
    return officer


async def list_officers(session: AsyncSession, limit: int = 500) -> list[OfficerRead]:
    rows = await repository.officers_with_units(session, limit)
    held = await repository.positions_of(session, [officer.id for officer, _unit in rows])
    return [
        OfficerRead(
            id=officer.id,
            username=officer.username,
            name=officer.name,
            unit_id=unit.id,
            unit_name=unit.name,
            positions=sorted(held.get(officer.id, [])),
        )
        for officer, unit in rows
    ]


async def count_units(session: AsyncSession) -> int:
    return await repository.count_rows(session, BureauUnit)


async def count_officers(session: AsyncSession) -> int:
    return await repository.count_rows(session, Officer)


async def register_applicant(session: AsyncSession, data: ApplicantCreate) -> Applicant | None:
    """Create an applicant account (national); None if one exists for this ID document."""
    applicant = await repository.insert_applicant(
        session,
        {
            "id_type": data.id_type,
            "id_number": data.id_number,
            "name": data.name,
            "sex": data.sex,
            "birth_date": data.birth_date,
            "mobile": data.mobile,
            "password_hash": data.password_hash,
        },
    )
    if applicant is not None:
        record_event(session, APPLICANT_REGISTERED, {"applicant_id": str(applicant.id)})
    return applicant


async def create_staff(session: AsyncSession, data: StaffCreate) -> NationalStaff | None:
    return await repository.insert_staff(
        session,
        {
            "username": data.username,
            "name": data.name,
            "department": data.department,
            "mobile": data.mobile,
            "password_hash": data.password_hash,
        },
    )
