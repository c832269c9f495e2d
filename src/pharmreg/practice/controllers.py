"""JSON API of the practice context."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.practice.schemas import PracticeUnitRead
from pharmreg.practice.service import list_practice_units


class PracticeUnitApiController(Controller):
    path = "/api/v1/tenants/{slug:str}"
    tags = ["执业单位"]

    @get("/practice-units", summary="本省执业单位")
    async def practice_units(
        self,
        tenant_session: NamedDependency[AsyncSession],
        division: Annotated[
            str | None, Parameter(pattern=r"^\d{2,6}$", description="行政区划代码前缀，如 4401")
        ] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[PracticeUnitRead]:
        return await list_practice_units(tenant_session, division_prefix=division, limit=limit)
