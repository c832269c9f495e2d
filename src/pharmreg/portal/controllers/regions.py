"""业务办理 and 联系方式: the visitor's province (chosen and remembered, recognised from a place or a
full address typed in, or guessed from the network address and confirmed), its sites, and the
bureaus that serve the visitor's place with the officers they list as public contacts."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.divisions import DivisionIndex, DivisionRead
from pharmreg.identity import UnitRead, list_units, place_chain, unit_contacts
from pharmreg.kit.db import Database
from pharmreg.kit.form_posts import see_other
from pharmreg.kit.ipranges import IpRanges
from pharmreg.kit.rendering import render
from pharmreg.requests import VisitorRequest
from pharmreg.tenancy import SITE_LABELS, TenantDirectory, TenantInfo

REGION_COOKIE = "pharmreg_region"
# The division code of the place the visitor gave (county, city or province), with the province.
PLACE_COOKIE = "pharmreg_place"
_YEAR = 365 * 24 * 3600


def guess_province(ranges: IpRanges, directory: TenantDirectory, address: str | None) -> TenantInfo | None:
    """The province an address is located in, if the offline table knows it and it is a tenant."""
    code = ranges.lookup(address)
    tenant = directory.route(f"{code}0000") if code else None
    return tenant if tenant is not None and directory.get(tenant.slug) is not None else None


def chosen_province(request: Request[Any, Any, Any], directory: TenantDirectory) -> TenantInfo | None:
    slug = request.cookies.get(REGION_COOKIE, "")
    return directory.get(slug) if slug else None


def chosen_place(
    request: Request[Any, Any, Any],
    directory: TenantDirectory,
    divisions: DivisionIndex,
    tenant: TenantInfo | None,
) -> DivisionRead | None:
    """The remembered place, if it still lies in the remembered province."""
    code = request.cookies.get(PLACE_COOKIE, "")
    division = divisions.get(code) if code.isascii() and code.isdecimal() and len(code) == 6 else None
    owner = directory.route(division.code) if division else None
    if division is None or tenant is None or owner is None or owner.slug != tenant.slug:
        return None
    return division


def _served(directory: TenantDirectory, division: DivisionRead) -> TenantInfo | None:
    owner = directory.route(division.code)
    return directory.get(owner.slug) if owner is not None else None


def _sites(tenant: TenantInfo) -> list[tuple[str, str, str, bool]]:
    """(key, label, url, is the national default) of the province's sites, in the order shown."""
    rows = []
    for key in ("exam_signup", "personnel_exam", "continuing_education", "website"):
        url = getattr(tenant.links, key)
        if url:
            label = SITE_LABELS[key] if key == "exam_signup" else tenant.name + SITE_LABELS[key]
            if key in tenant.national_links and key != "exam_signup":  # the exam's sign-up is national anyway
                label = SITE_LABELS[key] + "（全国）"
            rows.append((key, label, url, key in tenant.national_links))
    return rows


async def _chain(db: Database, tenant: TenantInfo, code: str) -> list[tuple[UnitRead, list[Any]]]:
    """The bureaus serving a place of the province, nearest first, with their public contacts."""
    async with db.tenant(tenant.schema, tenant.placement) as session:
        chain = place_chain(await list_units(session), code)
        people = await unit_contacts(session, chain)
    return [(unit, people.get(unit.id, [])) for unit in chain]


def _safe_next(target: str) -> str:
    return (
        target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/region"
    )


def _remember(response: Response[Any], tenant: TenantInfo | None, place: DivisionRead | None) -> None:
    if tenant is None:
        response.delete_cookie(REGION_COOKIE)
        response.delete_cookie(PLACE_COOKIE)
        return
    response.set_cookie(
        Cookie(key=REGION_COOKIE, value=tenant.slug, max_age=_YEAR, samesite="lax", httponly=True)
    )
    if place is None:
        response.delete_cookie(PLACE_COOKIE)
    else:
        response.set_cookie(
            Cookie(key=PLACE_COOKIE, value=place.code, max_age=_YEAR, samesite="lax", httponly=True)
        )


class _PlaceRefused(Exception):
    """The place chosen or typed in cannot be remembered: the region page again, with why."""

    def __init__(self, **page: Any) -> None:
        super().__init__(page.get("error", ""))
        self.page = page


def _given_place(
    directory: TenantDirectory, divisions: DivisionIndex, code: str, typed: str
) -> DivisionRead | None:
    """The place chosen from the list (`code`) or typed in, in a province that is open online;
    None when the visitor gave neither (only a province)."""
    place: DivisionRead | None = None
    if code:
        place = divisions.get(code) if code.isascii() and code.isdecimal() and len(code) == 6 else None
        if place is None or not place.current:
            raise _PlaceRefused(error="请从列表中选择地区", status_code=400)
    elif typed:
        match = divisions.resolve(typed)
        if match.division is None and match.candidates:
            candidates = [(d, t) for d in match.candidates if (t := _served(directory, d)) is not None]
            if len(candidates) != 1:
                raise _PlaceRefused(
                    typed=typed,
                    candidates=candidates,
                    error="" if candidates else f"“{typed}”所在地区暂未开通网上办理",
                    status_code=200 if candidates else 400,
                )
            place = candidates[0][0]
        else:
            place = match.division
        if place is None:
            raise _PlaceRefused(
                typed=typed,
                error=f"未能识别“{typed}”：请填写省、市、区县名称，如“广州市天河区”",
                status_code=400,
            )
    if place is not None and _served(directory, place) is None:
        raise _PlaceRefused(typed=typed, error=f"{place.full_name}所在省份暂未开通网上办理", status_code=400)
    return place


class RegionController(Controller):
    include_in_schema = False

    async def _page(
        self,
        request: HTMXRequest,
        visitor: VisitorRequest,
        *,
        typed: str = "",
        candidates: list[tuple[DivisionRead, TenantInfo]] | None = None,
        error: str = "",
        status_code: int = 200,
    ) -> Template:
        directory, divisions = visitor.directory, visitor.divisions
        chosen = chosen_province(request, directory)
        place = chosen_place(request, directory, divisions, chosen)
        address = request.client.host if request.client else None
        guess = None if chosen else guess_province(visitor.ip_provinces, directory, address)
        # Once the province is known, remembered or guessed, its sites and bureaus are shown.
        current = chosen or guess
        chain = (
            await _chain(visitor.db, current, place.code if place else current.division_code)
            if current
            else []
        )
        return render(
            request,
            "portal/region.html",
            {
                "chosen": chosen,
                "place": place,
                "guess": guess,
                "current": current,
                "sites": _sites(current) if current else [],
                "chain": chain,
                "provinces": directory.provinces(),
                "typed": typed,
                "candidates": candidates or [],
                "error": error,
            },
            status_code=status_code,
        )

    @get("/region")
    async def region(self, request: HTMXRequest, visitor: NamedDependency[VisitorRequest]) -> Template:
        return await self._page(request, visitor)

    @post("/region")
    async def choose(self, request: HTMXRequest, visitor: NamedDependency[VisitorRequest]) -> Response[Any]:
        """Remember the visitor's province, and their place when they gave one, for a year (cookies
        only: nothing is stored about them). A typed place or address is recognised first."""
        directory, divisions = visitor.directory, visitor.divisions
        form = await request.form()
        target = _safe_next(str(form.get("next", "/region")))
        typed = str(form.get("place", "")).strip()[:100]
        try:
            place = _given_place(directory, divisions, str(form.get("division", "")).strip(), typed)
        except _PlaceRefused as refused:
            return await self._page(request, visitor, **refused.page)
        response = see_other(target)
        if place is None:
            _remember(response, directory.get(str(form.get("province", ""))), None)
        else:
            _remember(response, _served(directory, place), place if place.level > 1 else None)
        return response

    @get("/contacts")
    async def contacts(
        self,
        request: HTMXRequest,
        visitor: NamedDependency[VisitorRequest],
        region: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=50)] = "",
    ) -> Template:
        """联系方式: the bureaus serving a place typed in (county → city → province), or the bureaus
        of a province (the chosen or guessed one by default), searchable by unit or place."""
        directory, divisions = visitor.directory, visitor.divisions
        text = q.strip()
        tenant = directory.get(region) if region else None
        place: DivisionRead | None = None
        if text:
            found = divisions.resolve(text).division
            owner = _served(directory, found) if found is not None else None
            if found is not None and owner is not None and (tenant is None or owner.slug == tenant.slug):
                place, tenant = found, owner
        if tenant is None and not region:
            tenant = chosen_province(request, directory)
            place = place or (chosen_place(request, directory, divisions, tenant) if not text else None)
            tenant = tenant or guess_province(
                visitor.ip_provinces, directory, request.client.host if request.client else None
            )
        chain: list[tuple[UnitRead, list[Any]]] = []
        units: list[UnitRead] = []
        people: dict[int, list[Any]] = {}
        if tenant is not None:
            async with visitor.db.tenant(tenant.schema, tenant.placement) as session:
                every = await list_units(session)
                if place is not None:
                    nearest = place_chain(every, place.code)
                    found_people = await unit_contacts(session, nearest)
                    chain = [(u, found_people.get(u.id, [])) for u in nearest]
                if place is None or not text:
                    units = [u for u in every if u.active]
                    if text:
                        units = [
                            u for u in units if text in u.name or text in _place(divisions, u.division_code)
                        ]
                    units = units[:400]
                    people = await unit_contacts(session, units)
        return render(
            request,
            "portal/contacts.html",
            {
                "tenant": tenant,
                "place": place,
                "chain": chain,
                "provinces": directory.provinces(),
                "units": units,
                "people": people,
                "places": {u.division_code: divisions.get(u.division_code) for u in units},
                "q": q,
            },
            fragment="portal/_contact_rows.html",
        )


def _place(divisions: DivisionIndex, code: str) -> str:
    division = divisions.get(code)
    return division.full_name if division else ""
