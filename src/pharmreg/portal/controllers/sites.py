"""Back office of the portal's data: the province's own sites (province administrators) and the
contacts of each bureau (province and city administrators, for the units they administer)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.chrome import officer_realm
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
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.portal.service import SITE_KEYS, province_sites, update_sites
from pharmreg.tenancy import SITE_LABELS, TenantDirectory, TenantInfo


def _context(
    tenant: TenantInfo, officer: OfficerAccount, db: Database, section: str, **extra: Any
) -> dict[str, Any]:
    return {
        "realm": officer_realm(tenant, db),
        "tenant": tenant,
        "officer": officer,
        "section": section,
        **extra,
    }


async def _form(request: HTMXRequest) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


class SitesController(Controller):
    """业务办理网站: where the portal sends the province's visitors (audited)."""

    path = "/p/{slug:str}/office/admin/sites"
    include_in_schema = False
    guards = [require_officer("manage_units", province_only=True)]

    async def _page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        db: Database,
        directory: TenantDirectory,
        values: dict[str, str],
        *,
        errors: dict[str, str] | None = None,
        saved: bool = False,
        status_code: int = 200,
    ) -> Template:
        national = directory.national
        defaults = {
            key: getattr(tenant.catalogue_links, key)
            or (getattr(national.catalogue_links, key) if national and key != "website" else None)
            for key in SITE_KEYS
        }
        return render(
            request,
            "portal/office_sites.html",
            _context(
                tenant,
                officer,
                db,
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
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
    ) -> Template:
        values = await province_sites(tenant_session)
        return await self._page(
            request, tenant, officer, db, directory, values, saved=bool(request.query_params.get("saved"))
        )

    @post("/")
    async def save(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = await _form(request)
        try:
            async with transaction(tenant_session):
                await update_sites(tenant_session, form, actor=actor)
        except FormErrors as exc:
            return await self._page(
                request, tenant, officer, db, directory, form, errors=exc.errors, status_code=400
            )
        return Redirect(path=f"/p/{tenant.slug}/office/admin/sites/?saved=1", status_code=303)


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
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        units = await self._units(tenant_session, officer)
        people = await unit_contacts(tenant_session, units)
        return render(
            request,
            "portal/office_contacts.html",
            _context(tenant, officer, db, "contacts", units=units, people=people),
        )

    async def _unit_page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        unit: UnitRead,
        *,
        unit_values: dict[str, str] | None = None,
        unit_errors: dict[str, str] | None = None,
        person_values: dict[str, str] | None = None,
        person_errors: dict[str, str] | None = None,
        message: str = "",
        status_code: int = 200,
    ) -> Template:
        listed = (await unit_contacts(session, [unit])).get(unit.id, [])
        staff = [o for o in await list_officers(session, unit_id=unit.id, limit=5000) if o.active]
        return render(
            request,
            "portal/office_unit_contacts.html",
            _context(
                tenant,
                officer,
                db,
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
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        unit_id: FromPath[int],
    ) -> Template:
        unit = await self._unit(tenant_session, officer, unit_id)
        messages = {"unit": "单位联系方式已保存", "person": "联系人已保存", "removed": "已不再公开该联系人"}
        shown = messages.get(request.query_params.get("saved", ""), "")
        return await self._unit_page(request, tenant, officer, tenant_session, db, unit, message=shown)

    @post("/{unit_id:int}/details")
    async def save_details(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        unit_id: FromPath[int],
    ) -> Template | Response[Any]:
        unit = await self._unit(tenant_session, officer, unit_id)
        form = await _form(request)
        data = UnitContactForm(**{k: form.get(k, "") for k in UnitContactForm.__struct_fields__})
        try:
            async with transaction(tenant_session):
                await update_unit_contact(tenant_session, unit.id, data, actor=actor)
        except FormErrors as exc:
            return await self._unit_page(
                request,
                tenant,
                officer,
                tenant_session,
                db,
                unit,
                unit_values=form,
                unit_errors=exc.errors,
                status_code=400,
            )
        return Redirect(path=f"/p/{tenant.slug}/office/admin/contacts/{unit.id}?saved=unit", status_code=303)

    @post("/{unit_id:int}/people")
    async def save_person(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        unit_id: FromPath[int],
    ) -> Template | Response[Any]:
        unit = await self._unit(tenant_session, officer, unit_id)
        form = await _form(request)
        try:
            async with transaction(tenant_session):
                await set_public_contact(tenant_session, unit, form, actor=actor)
        except FormErrors as exc:
            return await self._unit_page(
                request,
                tenant,
                officer,
                tenant_session,
                db,
                unit,
                person_values=form,
                person_errors=exc.errors,
                status_code=400,
            )
        return Redirect(
            path=f"/p/{tenant.slug}/office/admin/contacts/{unit.id}?saved=person", status_code=303
        )

    @post("/{unit_id:int}/people/{officer_id:uuid}/remove")
    async def remove_person(
        self,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        unit_id: FromPath[int],
        officer_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        unit = await self._unit(tenant_session, officer, unit_id)
        async with transaction(tenant_session):
            removed = await remove_public_contact(tenant_session, unit, officer_id, actor=actor)
        if not removed:
            raise NotFoundException()
        return Redirect(
            path=f"/p/{tenant.slug}/office/admin/contacts/{unit.id}?saved=removed", status_code=303
        )
