"""JSON API of the identity context."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity.schemas import UnitRead
from pharmreg.identity.service import list_units


class UnitApiController(Controller):
    path = "/api/v1/tenants/{slug:str}"
    tags = ["监管单位"]  # noqa: RUF012 - Litestar reads this class attribute

    @get("/units", summary="本省药品监管单位（省局、市局、县局）及联系方式")
    async def units(self, tenant_session: NamedDependency[AsyncSession]) -> list[UnitRead]:
        return await list_units(tenant_session)
