"""The national console: figures of every province, the audit log of all, staff accounts."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from pharmreg.administration.controllers.security import save_security, show_security
from pharmreg.administration.service import audit_query
from pharmreg.audit import ACTIONS, search_national_audit
from pharmreg.chrome import staff_page
from pharmreg.identity import (
    OfficerForm,
    Position,
    Principal,
    SessionStore,
    StaffAccount,
    StaffForm,
    create_officer_account,
    create_staff_account,
    list_staff,
    list_units,
    require_staff,
    security_rules,
    set_staff_active,
)
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.rendering import render
from pharmreg.messaging import recent_messages
from pharmreg.register import national_history
from pharmreg.requests import StaffRequest
from pharmreg.supervision import province_figures

SECURITY_PAGE = "national/security.html"


def _context(staff: StaffAccount, db: Database, section: str, **extra: Any) -> dict[str, Any]:
    return staff_page(staff, db, section=section, **extra)


class NationalConsoleController(Controller):
    path = "/national"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def home(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        staff, db, national_session = national.staff, national.db, national.session
        directory = national.directory
        provinces = directory.provinces(include_disabled=True)
        figures = await province_figures(national_session, [t.source for t in provinces if t.provisioned])
        return render(
            request,
            "national/home.html",
            _context(staff, db, "home", provinces=provinces, figures=figures),
        )

    @get("/audit")
    async def audit(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        staff, db, national_session = national.staff, national.db, national.session
        directory = national.directory
        query, errors = audit_query(request.query_params, national=True)
        entries = await search_national_audit(national_session, query) if not errors else []
        return render(
            request,
            "national/audit.html",
            _context(
                staff,
                db,
                "audit",
                entries=entries,
                actions=ACTIONS,
                params=dict(request.query_params),
                errors=errors,
                tenants=directory.all(),
                national=True,
            ),
            fragment="administration/_audit_rows.html",
        )

    @get("/register")
    async def register(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        q: FromQuery[str] = "",
    ) -> Template:
        """A pharmacist's registrations in every province (national staff, signed in)."""
        staff, db, national_session = national.staff, national.db, national.session
        entries = await national_history(national_session, q[:40])
        return render(
            request, "national/register.html", _context(staff, db, "register", q=q[:40], entries=entries)
        )

    @get("/messages", guards=[require_staff(superadmin=True)])
    async def messages(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        staff, db, national_session = national.staff, national.db, national.session
        directory = national.directory
        rows = await recent_messages(national_session, tenant_slug=None, limit=200)
        names = {t.slug: t.name for t in directory.provinces(include_disabled=True)}
        return render(
            request,
            "national/messages.html",
            _context(staff, db, "messages", messages=rows, province_names=names),
        )


class NationalStaffController(Controller):
    """Super-administrators manage national staff, national security settings and the first
    administrator of each province."""

    path = "/national/admin"
    include_in_schema = False
    guards = [require_staff(superadmin=True)]

    @get("/staff")
    async def staff_list(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        staff, db, national_session = national.staff, national.db, national.session
        rules = await security_rules(national_session)
        members = await list_staff(national_session, rules)
        return render(
            request,
            "national/staff.html",
            _context(staff, db, "staff", members=members, values={}, errors={}, rules=rules),
        )

    @post("/staff")
    async def staff_create(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest]
    ) -> Response[Any]:
        staff, db, session, actor = national.staff, national.db, national.session, national.actor

        async def write(form: FormValues) -> None:
            data = StaffForm(**{k: form.get(k, "") for k in StaffForm.__struct_fields__})
            await create_staff_account(session, data, rules=await security_rules(session), actor=actor)

        async def again(form: FormValues, errors: dict[str, str]) -> Template:
            rules = await security_rules(session)
            members = await list_staff(session, rules)
            shown = {k: v for k, v in form.items() if k != "password"}
            context = _context(staff, db, "staff", members=members, values=shown, errors=errors, rules=rules)
            return render(request, "national/staff.html", context, status_code=400)

        return await post_form(request, session, write=write, again=again, done="/national/admin/staff")

    @post("/staff/{staff_id:uuid}/{action:str}")
    async def staff_active(
        self,
        national: NamedDependency[StaffRequest],
        sessions: NamedDependency[SessionStore],
        staff_id: FromPath[uuid.UUID],
        action: FromPath[str],
    ) -> Response[Any]:
        staff, national_session, actor = national.staff, national.session, national.actor
        if action not in ("activate", "deactivate") or staff_id == staff.id:
            raise NotFoundException()
        try:
            async with transaction(national_session):
                await set_staff_active(national_session, staff_id, action == "activate", actor=actor)
        except LookupError:
            raise NotFoundException() from None
        if action == "deactivate":
            await sessions.destroy_all(Principal("staff", str(staff_id), "", "national"))
        return Redirect(path="/national/admin/staff", status_code=303)

    @get("/security")
    async def security_page(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        frame = _context(national.staff, national.db, "security")
        return await show_security(request, national.session, SECURITY_PAGE, frame)

    @post("/security")
    async def security_save(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest]
    ) -> Response[Any]:
        frame = _context(national.staff, national.db, "security")
        return await save_security(request, national.session, national.actor, "national/security.html", frame)

    @get("/tenants/{tenant_slug:str}/admin")
    async def tenant_admin_page(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        tenant_slug: FromPath[str],
    ) -> Template:
        staff, db, directory = national.staff, national.db, national.directory
        tenant = directory.get(tenant_slug)
        if tenant is None or tenant.is_national:
            raise NotFoundException()
        async with db.tenant(tenant.schema, tenant.placement) as session:
            units = await list_units(session)
            rules = await security_rules(session)
        province_unit = next(u for u in units if u.level == 1)
        return render(
            request,
            "national/tenant_admin.html",
            _context(staff, db, "home", tenant=tenant, unit=province_unit, values={}, errors={}, rules=rules),
        )

    @post("/tenants/{tenant_slug:str}/admin")
    async def tenant_admin_create(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        tenant_slug: FromPath[str],
    ) -> Template | Response[Any]:
        """Create a province's tenant administrator (how a newly opened province gets its first)."""
        staff, db, directory, actor = national.staff, national.db, national.directory, national.actor
        tenant = directory.get(tenant_slug)
        if tenant is None or tenant.is_national:
            raise NotFoundException()
        async with db.tenant(tenant.schema, tenant.placement) as session:
            units = await list_units(session)
            province_unit = next(u for u in units if u.level == 1)
            rules = await security_rules(session)

            async def write(form: FormValues) -> None:
                data = OfficerForm(
                    username=form.get("username", ""),
                    name=form.get("name", ""),
                    unit_id=province_unit.id,
                    password=form.get("password", ""),
                    mobile=form.get("mobile", ""),
                    positions=(Position.TENANT_ADMIN.value,),
                )
                await create_officer_account(session, data, rules=rules, actor=actor)

            async def again(form: FormValues, errors: dict[str, str]) -> Template:
                shown = {k: v for k, v in form.items() if k != "password"}
                context = _context(
                    staff,
                    db,
                    "home",
                    tenant=tenant,
                    unit=province_unit,
                    values=shown,
                    errors=errors,
                    rules=rules,
                )
                return render(request, "national/tenant_admin.html", context, status_code=400)

            done = "/national/?admin_created=" + tenant.slug
            return await post_form(request, session, write=write, again=again, done=done)
