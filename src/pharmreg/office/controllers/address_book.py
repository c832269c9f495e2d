"""通讯录: officers by unit and post, within one's own province; national staff see every province."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.identity import (
    OfficerAccount,
    OfficerRead,
    Position,
    StaffAccount,
    list_officers,
    require_officer,
    require_staff,
)
from pharmreg.kit.db import Database
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantDirectory, TenantInfo


def _groups(officers: list[OfficerRead]) -> list[tuple[str, list[OfficerRead]]]:
    """Active officers grouped by unit, the units in the order the list gives them."""
    groups: dict[str, list[OfficerRead]] = {}
    for officer in officers:
        if officer.active:
            groups.setdefault(officer.unit_name, []).append(officer)
    return list(groups.items())


def _labels(positions: list[str]) -> str:
    return "、".join(Position(p).label for p in positions if p in Position._value2member_map_)


async def _book(db: Database, tenant: TenantInfo, q: str) -> list[tuple[str, list[OfficerRead]]]:
    async with db.tenant(tenant.schema, tenant.placement) as session:
        return _groups(await list_officers(session, text_query=q.strip()[:20] or None))


class OfficeAddressBookController(Controller):
    path = "/p/{slug:str}/office/address-book"
    include_in_schema = False
    guards = [require_officer()]

    @get("/")
    async def book(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        q: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return render(
            request,
            "office/address_book.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "q": q,
                "groups": await _book(db, tenant, q),
                "labels": _labels,
                "base": f"/p/{tenant.slug}/office/address-book/",
            },
            fragment="office/_address_rows.html",
        )


class NationalAddressBookController(Controller):
    path = "/national/address-book"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def book(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        province: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        tenant = directory.get(province) if province else None
        return render(
            request,
            "national/address_book.html",
            {
                "realm": staff_realm(db),
                "staff": staff,
                "section": "address-book",
                "provinces": directory.provinces(),
                "tenant": tenant,
                "q": q,
                "groups": await _book(db, tenant, q) if tenant else [],
                "labels": _labels,
                "base": "/national/address-book/",
            },
            fragment="office/_address_rows.html",
        )
