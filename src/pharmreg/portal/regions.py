"""业务办理 and 联系方式: the visitor's province (chosen and remembered, or guessed from the
address and confirmed), its sites, and the contacts of its bureaus."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from pharmreg.divisions import DivisionIndex
from pharmreg.identity import list_units
from pharmreg.kit.db import Database
from pharmreg.kit.ipranges import IpRanges
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantDirectory, TenantInfo

REGION_COOKIE = "pharmreg_region"


def guess_province(ranges: IpRanges, directory: TenantDirectory, address: str | None) -> TenantInfo | None:
    """The province an address is located in, if the offline table knows it and it is a tenant."""
    code = ranges.lookup(address)
    tenant = directory.route(f"{code}0000") if code else None
    return tenant if tenant is not None and directory.get(tenant.slug) is not None else None


def chosen_province(request: Request[Any, Any, Any], directory: TenantDirectory) -> TenantInfo | None:
    slug = request.cookies.get(REGION_COOKIE, "")
    return directory.get(slug) if slug else None


def _place(divisions: DivisionIndex, code: str) -> str:
    division = divisions.get(code)
    return division.full_name if division else ""


class RegionController(Controller):
    include_in_schema = False

    @get("/region")
    async def region(
        self,
        request: HTMXRequest,
        directory: NamedDependency[TenantDirectory],
        ip_provinces: NamedDependency[IpRanges],
    ) -> Template:
        chosen = chosen_province(request, directory)
        guess = (
            None
            if chosen
            else guess_province(ip_provinces, directory, request.client.host if request.client else None)
        )
        return render(
            request,
            "portal/region.html",
            {"chosen": chosen, "guess": guess, "provinces": directory.provinces()},
        )

    @post("/region")
    async def choose(
        self, request: HTMXRequest, directory: NamedDependency[TenantDirectory]
    ) -> Response[Any]:
        """Remember the visitor's province for a year (a cookie only: nothing is stored about them)."""
        form = await request.form()
        tenant = directory.get(str(form.get("province", "")))
        target = str(form.get("next", "/region"))
        if not target.startswith("/") or target.startswith("//"):
            target = "/region"
        response: Response[Any] = Redirect(path=target, status_code=303)
        if tenant is None:
            response.delete_cookie(REGION_COOKIE)
        else:
            response.set_cookie(
                Cookie(
                    key=REGION_COOKIE,
                    value=tenant.slug,
                    max_age=365 * 24 * 3600,
                    samesite="lax",
                    httponly=True,
                )
            )
        return response

    @get("/contacts")
    async def contacts(
        self,
        request: HTMXRequest,
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
        ip_provinces: NamedDependency[IpRanges],
        region: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        """联系方式: the bureaus of a province (the chosen or guessed one by default), searchable."""
        tenant = directory.get(region) if region else None
        tenant = tenant or chosen_province(request, directory)
        tenant = tenant or guess_province(
            ip_provinces, directory, request.client.host if request.client else None
        )
        units = []
        if tenant is not None:
            async with db.tenant(tenant.schema, tenant.placement) as session:
                units = [u for u in await list_units(session) if u.active]
            text = q.strip()
            if text:
                units = [u for u in units if text in u.name or text in _place(divisions, u.division_code)]
        places = {u.division_code: divisions.get(u.division_code) for u in units}
        return render(
            request,
            "portal/contacts.html",
            {
                "tenant": tenant,
                "provinces": directory.provinces(),
                "units": units[:400],
                "places": places,
                "q": q,
            },
            fragment="portal/_contact_rows.html",
        )
