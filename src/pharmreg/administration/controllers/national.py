"""The national console: figures of every province, the audit log of all, staff accounts."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.administration.service import audit_query
from pharmreg.audit import ACTIONS, Actor, search_national_audit
from pharmreg.chrome import staff_realm
from pharmreg.identity import (
    SECURITY_LIMITS,
    TOTP_REQUIRED,
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
    update_security_rules,
)
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.messaging import recent_messages
from pharmreg.register import national_history
from pharmreg.supervision import province_figures
from pharmreg.tenancy import TenantDirectory


def _context(staff: StaffAccount, db: Database, section: str, **extra: Any) -> dict[str, Any]:
    return {"realm": staff_realm(db), "staff": staff, "section": section, **extra}


class NationalConsoleController(Controller):
    path = "/national"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def home(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        provinces = directory.provinces(include_disabled=True)
        figures = await province_figures(national_session, [t.source for t in provinces if t.provisioned])
        return render(
            request,
            "national/home.html",
            _context(staff, db, "home", provinces=provinces, figures=figures),
        )

    @get("/audit")
    async def audit(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
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
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
        q: FromQuery[str] = "",
    ) -> Template:
        """A pharmacist's registrations in every province (national staff, signed in)."""
        entries = await national_history(national_session, q[:40])
        return Template(
            "national/register.html", context=_context(staff, db, "register", q=q[:40], entries=entries)
        )

    @get("/messages", guards=[require_staff(superadmin=True)])
    async def messages(
        self,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
        directory: NamedDependency[TenantDirectory],
    ) -> Template:
        rows = await recent_messages(national_session, tenant_slug=None, limit=200)
        names = {t.slug: t.name for t in directory.provinces(include_disabled=True)}
        return Template(
            "national/messages.html",
            context=_context(staff, db, "messages", messages=rows, province_names=names),
        )


class NationalStaffController(Controller):
    """Super-administrators manage national staff, national security settings and the first
    administrator of each province."""

    path = "/national/admin"
    include_in_schema = False
    guards = [require_staff(superadmin=True)]

    @get("/staff")
    async def staff_list(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        rules = await security_rules(national_session)
        members = await list_staff(national_session, rules)
        return Template(
            "national/staff.html",
            context=_context(staff, db, "staff", members=members, values={}, errors={}, rules=rules),
        )

    @post("/staff")
    async def staff_create(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = {k: str(v) for k, v in (await request.form()).items()}
        data = StaffForm(**{k: form.get(k, "") for k in StaffForm.__struct_fields__})
        try:
            async with transaction(national_session):
                rules = await security_rules(national_session)
                await create_staff_account(national_session, data, rules=rules, actor=actor)
        except FormErrors as exc:
            form.pop("password", None)
            return Template(
                "national/staff.html",
                context=_context(
                    staff,
                    db,
                    "staff",
                    members=await list_staff(national_session, rules),
                    values=form,
                    errors=exc.errors,
                    rules=rules,
                ),
                status_code=400,
            )
        return Redirect(path="/national/admin/staff", status_code=303)

    @post("/staff/{staff_id:uuid}/{action:str}")
    async def staff_active(
        self,
        staff: NamedDependency[StaffAccount],
        national_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionStore],
        staff_id: FromPath[uuid.UUID],
        action: FromPath[str],
    ) -> Response[Any]:
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
    async def security_page(
        self,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        rules = await security_rules(national_session)
        return Template(
            "national/security.html",
            context=_context(
                staff,
                db,
                "security",
                values=rules,
                limits=SECURITY_LIMITS,
                totp_choices=TOTP_REQUIRED,
                errors={},
                saved=False,
            ),
        )

    @post("/security")
    async def security_save(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
    ) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            async with transaction(national_session):
                rules = await update_security_rules(national_session, form, actor=actor)
        except FormErrors as exc:
            return Template(
                "national/security.html",
                context=_context(
                    staff,
                    db,
                    "security",
                    values=form,
                    limits=SECURITY_LIMITS,
                    totp_choices=TOTP_REQUIRED,
                    errors=exc.errors,
                    saved=False,
                ),
                status_code=400,
            )
        return Template(
            "national/security.html",
            context=_context(
                staff,
                db,
                "security",
                values=rules,
                limits=SECURITY_LIMITS,
                totp_choices=TOTP_REQUIRED,
                errors={},
                saved=True,
            ),
        )

    @get("/tenants/{tenant_slug:str}/admin")
    async def tenant_admin_page(
        self,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        tenant_slug: FromPath[str],
    ) -> Template:
        tenant = directory.get(tenant_slug)
        if tenant is None or tenant.is_national:
            raise NotFoundException()
        async with db.tenant(tenant.schema, tenant.placement) as session:
            units = await list_units(session)
            rules = await security_rules(session)
        province_unit = next(u for u in units if u.level == 1)
        return Template(
            "national/tenant_admin.html",
            context=_context(
                staff, db, "home", tenant=tenant, unit=province_unit, values={}, errors={}, rules=rules
            ),
        )

    @post("/tenants/{tenant_slug:str}/admin")
    async def tenant_admin_create(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        actor: NamedDependency[Actor],
        tenant_slug: FromPath[str],
    ) -> Template | Response[Any]:
        """Create a province's tenant administrator (how a newly opened province gets its first)."""
        tenant = directory.get(tenant_slug)
        if tenant is None or tenant.is_national:
            raise NotFoundException()
        form = {k: str(v) for k, v in (await request.form()).items()}
        async with db.tenant(tenant.schema, tenant.placement) as session:
            units = await list_units(session)
            province_unit = next(u for u in units if u.level == 1)
            data = OfficerForm(
                username=form.get("username", ""),
                name=form.get("name", ""),
                unit_id=province_unit.id,
                password=form.get("password", ""),
                mobile=form.get("mobile", ""),
                positions=(Position.TENANT_ADMIN.value,),
            )
            try:
                async with transaction(session):
                    rules = await security_rules(session)
                    await create_officer_account(session, data, rules=rules, actor=actor)
            except FormErrors as exc:
                form.pop("password", None)
                return Template(
                    "national/tenant_admin.html",
                    context=_context(
                        staff,
                        db,
                        "home",
                        tenant=tenant,
                        unit=province_unit,
                        values=form,
                        errors=exc.errors,
                        rules=rules,
                    ),
                    status_code=400,
                )
        return Redirect(path="/national/?admin_created=" + tenant.slug, status_code=303)
