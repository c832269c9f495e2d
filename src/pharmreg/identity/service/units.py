"""Bureau units: planned from the divisions, created once, contact details kept up to date."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.divisions import DivisionRead
from pharmreg.events import record_event
from pharmreg.identity import repository
from pharmreg.identity.models import BureauUnit
from pharmreg.identity.schemas import UnitContactForm, UnitRead, UnitSeed
from pharmreg.kit.forms import Problems

UNIT_CREATED = "identity.unit_created"

_BUREAU = "市场监督管理局"


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
        active=unit.active,
    )


async def count_units(session: AsyncSession) -> int:
    return await repository.count_rows(session, BureauUnit)


async def update_unit_contact(
    session: AsyncSession, unit_id: int, form: UnitContactForm, *, actor: Actor
) -> UnitRead:
    """Change a unit's public contact details (all problems reported together)."""
    unit = await repository.unit_by_id(session, unit_id)
    if unit is None:
        raise LookupError(unit_id)
    problems = Problems()
    phone, address, postcode, email = (
        v.strip() for v in (form.phone, form.address, form.postcode, form.email)
    )
    if phone and not re.fullmatch(r"[0-9+\-()（） ]{5,40}", phone):
        problems.add("phone", "电话号码只能包含数字、空格、括号、加号和连字符")
    if len(address) > 200:
        problems.add("address", "地址不能超过 200 字")
    if postcode and not re.fullmatch(r"\d{6}", postcode):
        problems.add("postcode", "邮政编码应为 6 位数字")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.add("email", "电子邮箱格式不正确")
    problems.raise_if_any()
    before = {"phone": unit.phone, "address": unit.address, "postcode": unit.postcode, "email": unit.email}
    unit.phone, unit.address, unit.postcode, unit.email = (
        phone or None,
        address or None,
        postcode or None,
        email or None,
    )
    after = {"phone": unit.phone, "address": unit.address, "postcode": unit.postcode, "email": unit.email}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        await record_tenant_audit(
            session,
            action="unit_updated",
            actor=actor,
            target=unit.name,
            summary=f"修改{unit.name}联系方式",
            details={"changes": changed},
        )
    return _unit_read(unit)
