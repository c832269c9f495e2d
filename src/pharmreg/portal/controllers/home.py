"""Public pages: the national home page and each province's home page."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import count_units, list_units
from pharmreg.kit.rendering import render
from pharmreg.practice import count_practice_units
from pharmreg.publishing import CATEGORIES, latest_pages, national_space, province_space
from pharmreg.requests import VisitorRequest
from pharmreg.supervision import province_figures
from pharmreg.tenancy import TenantInfo, tenant_divisions


class NationalPortalController(Controller):
    include_in_schema = False

    @get("/", name="portal.national_home")
    async def home(
        self,
        request: HTMXRequest,
        visitor: NamedDependency[VisitorRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        directory = visitor.directory
        provinces = directory.provinces()
        figures = await province_figures(national_session, [t.source for t in provinces])
        totals = {
            key: sum(getattr(f, key) for f in figures.values())
            for key in ("units", "officers", "practice_units")
        }
        return render(
            request,
            "portal/national_home.html",
            {
                "national": directory.national,
                "provinces": provinces,
                "figures": figures,
                "totals": totals,
                "national_news": await latest_pages(
                    national_session, national_space(), category=None, limit=8
                ),
                "news_categories": CATEGORIES,
            },
        )

    @get("/divisions/search", name="portal.division_search")
    async def division_search(
        self,
        request: HTMXRequest,
        visitor: NamedDependency[VisitorRequest],
        q: Annotated[str, Parameter(max_length=20)] = "",
    ) -> Template:
        directory, divisions = visitor.directory, visitor.divisions
        found = divisions.search(q, 12) if q.strip() else []
        if q.strip():
            # A full address ("广州市天河区", "广东省广州市天河区体育西路") names its place first.
            match = divisions.resolve(q)
            named = [match.division] if match.division else match.candidates
            found = named + [d for d in found if d not in named]
        results = [(d, directory.route(d.code)) for d in found[:12]]
        live = [(d, t) for d, t in results if t is not None and directory.get(t.slug) is not None]
        return render(
            request,
            "portal/division_search.html",
            {"q": q, "results": live},
            fragment="portal/_division_results.html",
        )


class ProvincePortalController(Controller):
    path = "/p/{slug:str}"
    include_in_schema = False

    @get("/", name="portal.province_home")
    async def home(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        tenant_session: NamedDependency[AsyncSession],
        national_session: NamedDependency[AsyncSession],
        visitor: NamedDependency[VisitorRequest],
    ) -> Template:
        directory, divisions = visitor.directory, visitor.divisions
        own = tenant_divisions(tenant, directory, divisions)
        cities = [d for d in own if d.level == 2 and not d.is_grouping]
        direct = [d for d in own if d.level == 3 and (d.parent_code not in {c.code for c in cities})]
        county_counts = {c.code: len(divisions.counties_of(c.code)) for c in cities}
        return render(
            request,
            "portal/province_home.html",
            {
                "tenant": tenant,
                "cities": cities,
                "direct_counties": direct,
                "county_counts": county_counts,
                "county_total": sum(1 for d in own if d.level == 3),
                "unit_count": await count_units(tenant_session),
                "practice_unit_count": await count_practice_units(tenant_session),
                "province_news": await latest_pages(
                    tenant_session, province_space(tenant.slug), category=None, limit=6
                ),
                "national_news": await latest_pages(
                    national_session, national_space(), category=None, limit=6
                ),
                "news_categories": CATEGORIES,
            },
        )

    @get("/divisions/{code:str}", name="portal.province_city")
    async def city(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        tenant_session: NamedDependency[AsyncSession],
        visitor: NamedDependency[VisitorRequest],
        code: FromPath[str],
    ) -> Template:
        directory, divisions = visitor.directory, visitor.divisions
        city = divisions.get(code)
        owner = directory.route(code) if city is not None else None
        if city is None or city.level != 2 or owner is None or owner.slug != tenant.slug:
            raise NotFoundException()
        counties = divisions.counties_of(code)
        units = {u.division_code: u for u in await list_units(tenant_session)}
        return render(
            request,
            "portal/city.html",
            {"tenant": tenant, "city": city, "counties": counties, "units": units},
            fragment="portal/_counties.html",
        )
