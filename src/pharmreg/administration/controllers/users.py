"""Tenant administration: officers, their posts, units, security settings, audit, messages."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.administration.controllers.security import save_security, show_security
from pharmreg.administration.service import audit_query, deactivate_officer, scope_of, withdraw_post
from pharmreg.audit import ACTIONS, search_tenant_audit
from pharmreg.chrome import office_page
from pharmreg.identity import (
    OfficerAccount,
    OfficerForm,
    OfficerRead,
    Position,
    Principal,
    SessionStore,
    UnitContactForm,
    UnitRead,
    admin_set_password,
    create_officer_account,
    get_officer,
    grant_position,
    list_officers,
    list_units,
    require_officer,
    security_rules,
    set_officer_active,
    update_unit_contact,
)
from pharmreg.kit.boundaries import parse_id
from pharmreg.kit.db import Database
from pharmreg.kit.form_posts import FormValues, post_form, see_other
from pharmreg.kit.rendering import render
from pharmreg.messaging import recent_messages
from pharmreg.requests import OfficerRequest
from pharmreg.tenancy import TenantInfo

SECURITY_PAGE = "administration/security.html"


def _context(
    tenant: TenantInfo, officer: OfficerAccount, db: Database, section: str, **extra: Any
) -> dict[str, Any]:
    return office_page(tenant, officer, db, section=section, **extra)


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
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
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
    async def new(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        return await self._form(request, office, values={}, errors={})

    async def _form(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        *,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
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
    async def create(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor
        positions = [str(p) for p in (await request.form()).getall("positions", [])]

        async def write(values: FormValues) -> uuid.UUID:
            data = OfficerForm(
                username=values.get("username", ""),
                name=values.get("name", ""),
                unit_id=parse_id(values.get("unit_id", "")) or 0,
                password=values.get("password", ""),
                mobile=values.get("mobile", ""),
                email=values.get("email", ""),
                positions=tuple(positions),
            )
            rules = await security_rules(session)
            scope = await scope_of(session, officer)
            created = await create_officer_account(
                session, data, rules=rules, actor=actor, unit_ids=scope.unit_ids
            )
            return created.id

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            shown: dict[str, Any] = {k: v for k, v in values.items() if k != "password"} | {
                "positions": positions
            }
            return await self._form(request, office, values=shown, errors=errors, status=400)

        async def done(created: uuid.UUID) -> Response[Any]:
            return see_other(f"/p/{tenant.slug}/office/admin/users/{created}")

        return await post_form(request, session, write=write, again=again, done=done)

    @get("/{officer_id:uuid}")
    async def detail(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        officer_id: FromPath[uuid.UUID],
    ) -> Template:
        return await self._detail(request, office, officer_id)

    async def _detail(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        officer_id: uuid.UUID,
        *,
        message: str | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
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
        office: NamedDependency[OfficerRequest],
        sessions: NamedDependency[SessionStore],
        officer_id: FromPath[uuid.UUID],
        action: FromPath[str],
    ) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor
        messages = {
            "grant": "已授予岗位",
            "withdraw": "已收回岗位",
            "deactivate": "已停用该账号，其所有登录已失效",
            "activate": "已启用该账号",
            "password": "已设置新密码，该工作人员下次登录时须修改",
        }
        if action not in messages:
            raise NotFoundException()
        await _administered_officer(session, officer, officer_id)

        async def write(form: FormValues) -> int:
            """The change; how many claimed tasks it sent back to the pool."""
            if action == "grant":
                await grant_position(session, officer_id, form.get("position", ""), actor=actor)
            elif action == "withdraw":
                return await withdraw_post(session, officer_id, form.get("position", ""), actor=actor)
            elif action == "deactivate":
                return await deactivate_officer(session, officer_id, actor=actor)
            elif action == "activate":
                await set_officer_active(session, officer_id, True, actor=actor)
            else:
                rules = await security_rules(session)
                await admin_set_password(
                    session, officer_id, form.get("password", ""), rules=rules, actor=actor
                )
            return 0

        async def again(_form: FormValues, errors: dict[str, str]) -> Template:
            return await self._detail(request, office, officer_id, errors=errors, status=400)

        async def done(released: int) -> Template:
            if action in ("deactivate", "password"):
                # Sessions end at once: a deactivated officer, or one whose password an admin replaced.
                await sessions.destroy_all(Principal("officer", str(officer_id), "", tenant.slug))
            message = messages[action] + (f"；其认领的 {released} 项任务已退回待办池" if released else "")
            return await self._detail(request, office, officer_id, message=message)

        return await post_form(request, session, write=write, again=again, done=done)


class UnitsController(Controller):
    path = "/p/{slug:str}/office/admin/units"
    include_in_schema = False
    guards = [require_officer("manage_units")]

    @get("/")
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
        return render(
            request,
            "administration/units.html",
            _context(tenant, officer, db, "units", units=(await scope_of(tenant_session, officer)).units),
        )

    @get("/{unit_id:int}/edit")
    async def edit(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        unit_id: FromPath[int],
    ) -> Template:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
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
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], unit_id: FromPath[int]
    ) -> Response[Any]:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        if not (await scope_of(session, officer)).covers(unit_id):
            raise NotFoundException()

        async def write(form: FormValues) -> UnitRead:
            data = UnitContactForm(**{k: form.get(k, "") for k in UnitContactForm.__struct_fields__})
            return await update_unit_contact(session, unit_id, data, actor=office.actor)

        async def again(form: FormValues, errors: dict[str, str]) -> Template:
            current = next(u for u in await list_units(session) if u.id == unit_id)
            return render(
                request,
                "administration/unit_edit.html",
                _context(tenant, officer, db, "units", unit=current, values=form, errors=errors),
                fragment="administration/_unit_form.html",
                status_code=400,
            )

        async def done(unit: UnitRead) -> Template:
            units = (await scope_of(session, officer)).units
            return render(
                request,
                "administration/units.html",
                _context(tenant, officer, db, "units", unit=unit, units=units),
                fragment="administration/_unit_row.html",
            )

        return await post_form(request, session, write=write, again=again, done=done)


class SecurityController(Controller):
    path = "/p/{slug:str}/office/admin/security"
    include_in_schema = False
    guards = [require_officer("manage_security", province_only=True)]

    @get("/")
    async def index(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        frame = _context(office.tenant, office.officer, office.db, "security")
        return await show_security(request, office.session, SECURITY_PAGE, frame)

    @post("/")
    async def save(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        frame = _context(office.tenant, office.officer, office.db, "security")
        return await save_security(
            request, office.session, office.actor, "administration/security.html", frame
        )


class AuditController(Controller):
    path = "/p/{slug:str}/office/admin"
    include_in_schema = False

    @get("/audit", guards=[require_officer("read_audit", province_only=True)])
    async def audit(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
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
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        tenant, officer, db = office.tenant, office.officer, office.db
        rows = await recent_messages(national_session, tenant_slug=tenant.slug)
        return render(
            request, "administration/messages.html", _context(tenant, officer, db, "messages", messages=rows)
        )
