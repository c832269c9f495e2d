"""Back office of the portal's data: the province's own sites (province administrators) and the
contacts of each bureau (province and city administrators, for the units they administer)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import office_page
from pharmreg.identity import (
    OfficerAccount,
    UnitContactForm,
    UnitRead,
    list_officers,
    list_units,
    remove_public_contact,
    require_officer,
    set_public_contact,
    unit_contacts,
    update_unit_contact,
)
from pharmreg.kit.db import transaction
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.rendering import render
from pharmreg.portal.service import SITE_KEYS, province_sites, update_sites
from pharmreg.requests import OfficerRequest
from pharmreg.tenancy import SITE_LABELS


def _context(office: OfficerRequest, section: str, **extra: Any) -> dict[str, Any]:
    return office_page(office.tenant, office.officer, office.db, section=section, **extra)


class SitesController(Controller):
    """业务办理网站: where the portal sends the province's visitors (audited)."""

    path = "/p/{slug:str}/office/admin/sites"
    include_in_schema = False
    guards = [require_officer("manage_units", province_only=True)]

    async def _page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        values: dict[str, str],
        *,
        errors: dict[str, str] | None = None,
        saved: bool = False,
        status_code: int = 200,
    ) -> Template:
        tenant, national = office.tenant, office.directory.national
        defaults = {
            key: getattr(tenant.catalogue_links, key)
            or (getattr(national.catalogue_links, key) if national and key != "website" else None)
            for key in SITE_KEYS
        }
        return render(
            request,
            "portal/office_sites.html",
            _context(
                office,
                "sites",
                keys=SITE_KEYS,
                labels=SITE_LABELS,
                values=values,
                defaults=defaults,
                errors=errors or {},
                saved=saved,
            ),
            status_code=status_code,
        )

    @get("/")
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        values = await province_sites(office.session)
        return await self._page(request, office, values, saved=bool(request.query_params.get("saved")))

    @post("/")
    async def save(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        tenant, session, actor = office.tenant, office.session, office.actor

        async def write(form: FormValues) -> None:
            await update_sites(session, form, actor=actor)

        async def again(form: FormValues, errors: dict[str, str]) -> Template:
            return await self._page(request, office, form, errors=errors, status_code=400)

        done = f"/p/{tenant.slug}/office/admin/sites/?saved=1"
        return await post_form(request, session, write=write, again=again, done=done)


class ContactsController(Controller):
    """联系方式: each bureau's phone, address and e-mail, and which officers the public may call."""

    path = "/p/{slug:str}/office/admin/contacts"
    include_in_schema = False
    guards = [require_officer("manage_units")]

    @staticmethod
    async def _units(session: AsyncSession, officer: OfficerAccount) -> list[UnitRead]:
        return [u for u in await list_units(session) if officer.administers(u.id, u.parent_id)]

    async def _unit(self, session: AsyncSession, officer: OfficerAccount, unit_id: int) -> UnitRead:
        """The unit, if this administrator administers it; otherwise as if there were none."""
        unit = next((u for u in await self._units(session, officer) if u.id == unit_id), None)
        if unit is None:
            raise NotFoundException()
        return unit

    @get("/")
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        officer, session = office.officer, office.session
        units = await self._units(session, officer)
        people = await unit_contacts(session, units)
        return render(
            request, "portal/office_contacts.html", _context(office, "contacts", units=units, people=people)
        )

    async def _unit_page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        unit: UnitRead,
        *,
        unit_values: dict[str, str] | None = None,
        unit_errors: dict[str, str] | None = None,
        person_values: dict[str, str] | None = None,
        person_errors: dict[str, str] | None = None,
        message: str = "",
        status_code: int = 200,
    ) -> Template:
        session = office.session
        listed = (await unit_contacts(session, [unit])).get(unit.id, [])
        staff = [o for o in await list_officers(session, unit_id=unit.id, limit=5000) if o.active]
        return render(
            request,
            "portal/office_unit_contacts.html",
            _context(
                office,
                "contacts",
                unit=unit,
                listed=listed,
                staff=staff,
                unit_values=unit_values
                or {
                    "phone": unit.phone or "",
                    "address": unit.address or "",
                    "postcode": unit.postcode or "",
                    "email": unit.email or "",
                },
                unit_errors=unit_errors or {},
                person_values=person_values or {},
                person_errors=person_errors or {},
                message=message,
            ),
            status_code=status_code,
        )

    @get("/{unit_id:int}")
    async def unit(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], unit_id: FromPath[int]
    ) -> Template:
        unit = await self._unit(office.session, office.officer, unit_id)
        messages = {"unit": "单位联系方式已保存", "person": "联系人已保存", "removed": "已不再公开该联系人"}
        shown = messages.get(request.query_params.get("saved", ""), "")
        return await self._unit_page(request, office, unit, message=shown)

    async def _post(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        unit_id: int,
        form: str,
        write: Callable[[UnitRead, FormValues], Awaitable[object]],
    ) -> Response[Any]:
        """One of the unit page's two forms (`form`: "unit" its details, "person" a public contact)."""
        unit = await self._unit(office.session, office.officer, unit_id)

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            if form == "unit":
                return await self._unit_page(
                    request, office, unit, unit_values=values, unit_errors=errors, status_code=400
                )
            return await self._unit_page(
                request, office, unit, person_values=values, person_errors=errors, status_code=400
            )

        async def save(values: FormValues) -> object:
            return await write(unit, values)

        done = f"/p/{office.tenant.slug}/office/admin/contacts/{unit.id}?saved={form}"
        return await post_form(request, office.session, write=save, again=again, done=done)

    @post("/{unit_id:int}/details")
    async def save_details(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], unit_id: FromPath[int]
    ) -> Response[Any]:
        async def write(unit: UnitRead, form: FormValues) -> None:
            data = UnitContactForm(**{k: form.get(k, "") for k in UnitContactForm.__struct_fields__})
            await update_unit_contact(office.session, unit.id, data, actor=office.actor)

        return await self._post(request, office, unit_id, "unit", write)

    @post("/{unit_id:int}/people")
    async def save_person(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], unit_id: FromPath[int]
    ) -> Response[Any]:
        async def write(unit: UnitRead, form: FormValues) -> None:
            await set_public_contact(office.session, unit, form, actor=office.actor)

        return await self._post(request, office, unit_id, "person", write)

    @post("/{unit_id:int}/people/{officer_id:uuid}/remove")
    async def remove_person(
        self,
        office: NamedDependency[OfficerRequest],
        unit_id: FromPath[int],
        officer_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        tenant, officer, tenant_session, actor = office.tenant, office.officer, office.session, office.actor
        unit = await self._unit(tenant_session, officer, unit_id)
        async with transaction(tenant_session):
            removed = await remove_public_contact(tenant_session, unit, officer_id, actor=actor)
        if not removed:
            raise NotFoundException()
        return Redirect(
            path=f"/p/{tenant.slug}/office/admin/contacts/{unit.id}?saved=removed", status_code=303
        )
