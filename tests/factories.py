"""Factories: rows built through the platform's own services, so their events flow too."""

import random
from datetime import date

from sqlalchemy import func, select

from pharmreg.demo.generator import uscc
from pharmreg.events.models import TenantOutbox
from pharmreg.practice import UNIT_REGISTERED, PracticeUnitCreate, UnitType, register_practice_unit
from pharmreg.supervision.models import ProvinceStat

_rng = random.Random(7)


def unit_form(division_code: str = "440106") -> PracticeUnitCreate:
    return PracticeUnitCreate(
        uscc=uscc(_rng, division_code),
        name="广州市天河区测试大药房有限公司",
        unit_type=UnitType.RETAIL,
        licence_no="粤DA1234567",
        licence_valid_until=date(2030, 1, 1),
        division_code=division_code,
        address="广州市天河区测试路1号",
        principal="测试",
    )


async def add_units(platform, slug: str, count: int, division_code: str) -> list[int]:
    """Register `count` practice units in one transaction; returns their outbox event ids."""
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        before = await session.scalar(select(func.coalesce(func.max(TenantOutbox.id), 0)))
        for _ in range(count):
            await register_practice_unit(session, unit_form(division_code), in_territory=lambda _code: True)
    async with platform.db.tenant(tenant.schema) as session:
        rows = await session.scalars(
            select(TenantOutbox.id).where(TenantOutbox.id > before, TenantOutbox.topic == UNIT_REGISTERED)
        )
        return list(rows)


async def national_figure(platform, slug: str, metric: str = "practice_units") -> int:
    async with platform.db.national() as session:
        row = await session.get(ProvinceStat, (slug, metric))
        return row.value if row else 0
