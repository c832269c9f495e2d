"""Tenant administration: officers, their posts, units, security settings, audit, messages."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.administration.service import audit_query, deactivate_officer, scope_of, withdraw_post
from pharmreg.audit import ACTIONS, Actor, search_tenant_audit
from pharmreg.chrome import officer_realm
from pharmreg.identity import (
    SECURITY_LIMITS,
    TOTP_REQUIRED,
    OfficerAccount,
    OfficerForm,
    OfficerRead,
    Position,
    Principal,
    SessionStore,
    UnitContactForm,
    admin_set_password,
    create_officer_account,
    get_officer,
    grant_position,
    list_officers,
    list_units,
    require_officer,
    security_rules,
    set_officer_active,
    update_security_rules,
    update_unit_contact,
)
from pharmreg.kit.boundaries import parse_id
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.messaging import recent_messages
from pharmreg.tenancy import TenantInfo


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


async def _administered_officer(
    session: AsyncSession, admin: OfficerAccount, officer_id: uuid.UUID
) -> OfficerRead:
    """The officer, if the administrator administers their unit; otherwise as if there were none."""
    person = await get_officer(session, officer_id)
    if person is None or not admin.administers(person.unit_id, person.unit_parent_id):
        raise NotFoundException()
    return person


class UsersController(Controller):
    path = "/p/{slug:str}/office/admin/users"
    include_in_schema = False
    guards = [require_officer("manage_users")]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        text = request.query_params.get("q", "").strip()[:50]
        unit = request.query_params.get("unit", "")
        scope = await scope_of(tenant_session, officer)
        officers = await list_officers(
            tenant_session,
            unit_id=parse_id(unit),
            text_query=text or None,
            limit=300,
            unit_ids=scope.unit_ids,
        )
        return render(
            request,
            "administration/users.html",
            _context(
                tenant,
                officer,
                db,
                "users",
                officers=officers,
                units=scope.units,
                q=text,
                unit=unit,
                positions=list(Position),
            ),
            fragment="administration/_user_rows.html",
        )

    @get("/new")
    async def new(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return await self._form(request, tenant, officer, tenant_session, db, values={}, errors={})

    async def _form(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        *,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        rules = await security_rules(session)
        return render(
            request,
            "administration/user_new.html",
            _context(
                tenant,
                officer,
                db,
                "users",
                units=(await scope_of(session, officer)).units,
                positions=list(Position),
                values=values,
                errors=errors,
                rules=rules,
            ),
            status_code=status,
        )

    @post("/")
    async def create(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = await request.form()
        values: dict[str, Any] = {k: str(v) for k, v in form.items()}
        values["positions"] = [str(p) for p in form.getall("positions", [])]
        unit_id = values.get("unit_id", "")
        data = OfficerForm(
            username=values.get("username", ""),
            name=values.get("name", ""),
            unit_id=parse_id(unit_id) or 0,
            password=values.get("password", ""),
            mobile=values.get("mobile", ""),
            email=values.get("email", ""),
            positions=tuple(values["positions"]),
        )
        try:
            async with transaction(tenant_session):
                rules = await security_rules(tenant_session)
                scope = await scope_of(tenant_session, officer)
                created = await create_officer_account(
                    tenant_session, data, rules=rules, actor=actor, unit_ids=scope.unit_ids
                )
        except FormErrors as exc:
            values.pop("password", None)
            return await self._form(
                request, tenant, officer, tenant_session, db, values=values, errors=exc.errors, status=400
            )
        return Redirect(path=f"/p/{tenant.slug}/office/admin/users/{created.id}", status_code=303)

    @get("/{officer_id:uuid}")
    async def detail(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        officer_id: FromPath[uuid.UUID],
    ) -> Template:
        return await self._detail(request, tenant, officer, tenant_session, db, officer_id)

    async def _detail(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        officer_id: uuid.UUID,
        *,
        message: str | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        person = await _administered_officer(session, officer, officer_id)
        return render(
            request,
            "administration/user.html",
            _context(
                tenant,
                officer,
                db,
                "users",
                person=person,
                positions=list(Position),
                message=message,
                errors=errors or {},
                rules=await security_rules(session),
            ),
            fragment="administration/_user_panel.html",
            status_code=status,
        )

    @post("/{officer_id:uuid}/{action:str}")
    async def change(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        sessions: NamedDependency[SessionStore],
        officer_id: FromPath[uuid.UUID],
        action: FromPath[str],
    ) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items()}
        messages = {
            "grant": "已授予岗位",
            "withdraw": "已收回岗位",
            "deactivate": "已停用该账号，其所有登录已失效",
            "activate": "已启用该账号",
            "password": "已设置新密码，该工作人员下次登录时须修改",
        }
        if action not in messages:
            raise NotFoundException()
        await _administered_officer(tenant_session, officer, officer_id)
        released = 0
        try:
            async with transaction(tenant_session):
                if action == "grant":
                    await grant_position(tenant_session, officer_id, form.get("position", ""), actor=actor)
                elif action == "withdraw":
                    released = await withdraw_post(
                        tenant_session, officer_id, form.get("position", ""), actor=actor
                    )
                elif action == "deactivate":
                    released = await deactivate_officer(tenant_session, officer_id, actor=actor)
                elif action == "activate":
                    await set_officer_active(tenant_session, officer_id, True, actor=actor)
                else:
                    rules = await security_rules(tenant_session)
                    await admin_set_password(
                        tenant_session, officer_id, form.get("password", ""), rules=rules, actor=actor
                    )
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            return await self._detail(
                request, tenant, officer, tenant_session, db, officer_id, errors=exc.errors, status=400
            )
        if action in ("deactivate", "password"):
            # Sessions end at once: a deactivated officer, or one whose password an admin replaced.
            await sessions.destroy_all(Principal("officer", str(officer_id), "", tenant.slug))
        message = messages[action] + (f"；其认领的 {released} 项任务已退回待办池" if released else "")
        return await self._detail(request, tenant, officer, tenant_session, db, officer_id, message=message)


class UnitsController(Controller):
    path = "/p/{slug:str}/office/admin/units"
    include_in_schema = False
    guards = [require_officer("manage_units")]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return render(
            request,
            "administration/units.html",
            _context(tenant, officer, db, "units", units=(await scope_of(tenant_session, officer)).units),
        )

    @get("/{unit_id:int}/edit")
    async def edit(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        unit_id: FromPath[int],
    ) -> Template:
        unit = next((u for u in (await scope_of(tenant_session, officer)).units if u.id == unit_id), None)
        if unit is None:
            raise NotFoundException()
        return render(
            request,
            "administration/unit_edit.html",
            _context(tenant, officer, db, "units", unit=unit, values=None, errors={}),
            fragment="administration/_unit_form.html",
        )

    @post("/{unit_id:int}")
    async def save(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        unit_id: FromPath[int],
    ) -> Template:
        if not (await scope_of(tenant_session, officer)).covers(unit_id):
            raise NotFoundException()
        form = {k: str(v) for k, v in (await request.form()).items()}
        data = UnitContactForm(**{k: form.get(k, "") for k in UnitContactForm.__struct_fields__})
        try:
            async with transaction(tenant_session):
                unit = await update_unit_contact(tenant_session, unit_id, data, actor=actor)
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            current = next(u for u in await list_units(tenant_session) if u.id == unit_id)
            return render(
                request,
                "administration/unit_edit.html",
                _context(tenant, officer, db, "units", unit=current, values=form, errors=exc.errors),
                fragment="administration/_unit_form.html",
                status_code=400,
            )
        return render(
            request,
            "administration/units.html",
            _context(
                tenant, officer, db, "units", unit=unit, units=(await scope_of(tenant_session, officer)).units
            ),
            fragment="administration/_unit_row.html",
        )


class SecurityController(Controller):
    path = "/p/{slug:str}/office/admin/security"
    include_in_schema = False
    guards = [require_officer("manage_security", province_only=True)]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        rules = await security_rules(tenant_session)
        return render(
            request,
            "administration/security.html",
            _context(
                tenant,
                officer,
                db,
                "security",
                values=rules,
                limits=SECURITY_LIMITS,
                totp_choices=TOTP_REQUIRED,
                errors={},
                saved=False,
            ),
        )

    @post("/")
    async def save(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
    ) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            async with transaction(tenant_session):
                rules = await update_security_rules(tenant_session, form, actor=actor)
        except FormErrors as exc:
            return render(
                request,
                "administration/security.html",
                _context(
                    tenant,
                    officer,
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
        return render(
            request,
            "administration/security.html",
            _context(
                tenant,
                officer,
                db,
                "security",
                values=rules,
                limits=SECURITY_LIMITS,
                totp_choices=TOTP_REQUIRED,
                errors={},
                saved=True,
            ),
        )


class AuditController(Controller):
    path = "/p/{slug:str}/office/admin"
    include_in_schema = False

    @get("/audit", guards=[require_officer("read_audit", province_only=True)])
    async def audit(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        query, errors = audit_query(request.query_params)
        entries = await search_tenant_audit(tenant_session, query, tenant.slug) if not errors else []
        return render(
            request,
            "administration/audit.html",
            _context(
                tenant,
                officer,
                db,
                "audit",
                entries=entries,
                actions=ACTIONS,
                params=dict(request.query_params),
                errors=errors,
                national=False,
            ),
            fragment="administration/_audit_rows.html",
        )

    @get("/messages", guards=[require_officer("read_messages", province_only=True)])
    async def messages(
        self,
        request: Request[Any, Any, Any],
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        national_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        rows = await recent_messages(national_session, tenant_slug=tenant.slug)
        return Template(
            "administration/messages.html", context=_context(tenant, officer, db, "messages", messages=rows)
        )
