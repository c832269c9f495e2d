"""JSON API of the tenancy context: the tenant list and routing by location."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter

from pharmreg.divisions import DivisionIndex
from pharmreg.kit.errors import UserError
from pharmreg.tenancy.directory import TenantDirectory, TenantInfo
from pharmreg.tenancy.schemas import RouteRead, TenantRead
from pharmreg.tenancy.service import RoutingError, route_division


def tenant_read(tenant: TenantInfo) -> TenantRead:
    return TenantRead(
        slug=tenant.slug,
        kind=tenant.kind,
        name=tenant.name,
        authority_name=tenant.authority_name,
        division_code=tenant.division_code,
        enabled=tenant.enabled,
        hosts=list(tenant.hosts),
        links=tenant.links,
        contact=tenant.contact,
        home_url=tenant.home_path,
    )


class TenantApiController(Controller):
    path = "/api/v1"
    tags = ["租户"]

    @get("/tenants", summary="已开通的租户（全国及各省）")
    async def list_tenants(self, directory: NamedDependency[TenantDirectory]) -> list[TenantRead]:
        national = directory.national
        head = [tenant_read(national)] if national is not None else []
        return head + [tenant_read(t) for t in directory.provinces() if directory.get(t.slug)]

    @get("/tenants/{slug:str}", summary="单个租户")
    async def get_tenant(
        self, directory: NamedDependency[TenantDirectory], slug: FromPath[str]
    ) -> TenantRead:
        tenant = directory.get(slug)
        if tenant is None:
            raise NotFoundException()
        return tenant_read(tenant)

    @get("/route", summary="按所在地行政区划代码确定受理省份")
    async def route(
        self,
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
        division: Annotated[str, Parameter(description="6位行政区划代码，如 440106")],
    ) -> RouteRead:
        try:
            found, tenant = route_division(directory, divisions, division)
        except RoutingError as exc:
            raise UserError(detail=str(exc)) from None
        return RouteRead(division_code=found.code, division_name=found.full_name, tenant=tenant_read(tenant))
