"""JSON API of the supervision context: the figures per province."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.supervision.schemas import ProvinceFigures
from pharmreg.supervision.service import province_figures
from pharmreg.tenancy import TenantDirectory


class SupervisionApiController(Controller):
    path = "/api/v1/national"
    tags = ["全国监管"]

    @get("/figures", summary="各省汇总数据及其更新时间")
    async def figures(
        self, national_session: NamedDependency[AsyncSession], directory: NamedDependency[TenantDirectory]
    ) -> list[ProvinceFigures]:
        sources = [t.source for t in directory.provinces()]
        return list((await province_figures(national_session, sources)).values())
