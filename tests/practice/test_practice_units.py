"""Registering practice units: valid codes, own territory, no duplicates, event recorded."""

import msgspec
import pytest
from sqlalchemy import func, select

from pharmreg.events.models import TenantOutbox
from pharmreg.practice import UNIT_REGISTERED, PracticeUnitError, count_practice_units, register_practice_unit
from tests.factories import unit_form


def in_guangdong(code: str) -> bool:
    return code.startswith("44")


async def test_registration_records_an_event(platform) -> None:
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        before = await count_practice_units(session)
        events_before = await session.scalar(
            select(func.count()).select_from(TenantOutbox).where(TenantOutbox.topic == UNIT_REGISTERED)
        )
        unit = await register_practice_unit(session, unit_form("440106"), in_territory=in_guangdong)
        await session.flush()
        assert unit.uscc.startswith("91440106")
        assert await count_practice_units(session) == before + 1
        events_after = await session.scalar(
            select(func.count()).select_from(TenantOutbox).where(TenantOutbox.topic == UNIT_REGISTERED)
        )
        assert events_after == events_before + 1
        await session.rollback()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uscc": "91440106MA59ABCD0X"}, "校验码错误"),
        ({"uscc": "91440106MA59ABCD0"}, "应为18位"),
        ({"division_code": "320505"}, "不属于本省辖区"),
    ],
)
async def test_refusals(platform, change: dict[str, str], message: str) -> None:
    form = unit_form("440106")
    fields = {**msgspec.structs.asdict(form), **change}
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        before = await count_practice_units(session)
    async with platform.db.tenant(tenant.schema) as session:
        with pytest.raises(PracticeUnitError, match=message):
            async with session.begin():
                await register_practice_unit(session, type(form)(**fields), in_territory=in_guangdong)
    async with platform.db.tenant(tenant.schema) as session:
        assert await count_practice_units(session) == before


async def test_duplicate_credit_code(platform) -> None:
    form = unit_form("440106")
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        async with session.begin():
            await register_practice_unit(session, form, in_territory=in_guangdong)
        with pytest.raises(PracticeUnitError, match="已登记"):
            async with session.begin():
                await register_practice_unit(session, form, in_territory=in_guangdong)
