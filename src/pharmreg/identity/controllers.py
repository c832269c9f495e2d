"""Pages of the national realm: applicants' accounts and national staff sign-in; unit API."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.identity import pages
from pharmreg.identity.documents import DocumentType
from pharmreg.identity.guards import require_applicant, require_signed_in
from pharmreg.identity.pages import Realm, Tools
from pharmreg.identity.schemas import ApplicantAccount, ApplicantRegistration, UnitRead
from pharmreg.identity.service import list_units, register_applicant_account, security_rules
from pharmreg.identity.sessions import session_cookie
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database
from pharmreg.kit.forms import FormErrors


class UnitApiController(Controller):
    path = "/api/v1/tenants/{slug:str}"
    tags = ["监管单位"]

    @get("/units", summary="本省药品监管单位（省局、市局、县局）及联系方式")
    async def units(self, tenant_session: NamedDependency[AsyncSession]) -> list[UnitRead]:
        return await list_units(tenant_session)


def applicant_realm(db: Database) -> Realm:
    return Realm(
        kind="applicant",
        tenant="national",
        base="/account",
        home="/account/",
        title="执业药师个人账号登录",
        login_label="证件号码或手机号码",
        open_session=db.national,
    )


def staff_realm(db: Database) -> Realm:
    return Realm(
        kind="staff",
        tenant="national",
        base="/national",
        home="/national/",
        title="国家药品监督管理局工作人员登录",
        login_label="用户名",
        open_session=db.national,
        brand={"brand": "全国执业药师注册监管平台", "brand_sub": "国家药品监督管理局", "home": "/national/"},
    )


class PasswordRoutes(Controller):
    """Sign-in with a password, sign-out, one's own password, reset by text-message code.

    The same routes for every realm, under the realm's base path. A subclass sets `path`,
    `opt = {"realm_kind": ...}` (read by the guards) and a `realm` dependency (pages.Realm).
    """

    include_in_schema = False

    @get("/login")
    async def login_page(
        self, request: Request[Any, Any, Any], realm: NamedDependency[Realm]
    ) -> Template | Response[Any]:
        return pages.login_page(realm, request)

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        return await pages.login_submit(realm, request, tools, actor)

    @post("/logout")
    async def logout(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Response[Any]:
        return await pages.logout(realm, request, tools, actor)

    @post("/logout-everywhere", guards=[require_signed_in(allow_password_change=True)])
    async def logout_everywhere(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Response[Any]:
        return await pages.logout_everywhere(realm, request, tools, actor)

    @get("/password", guards=[require_signed_in(allow_password_change=True)])
    async def password_page(self, request: Request[Any, Any, Any], realm: NamedDependency[Realm]) -> Template:
        return await pages.password_page(realm, request)

    @post("/password", guards=[require_signed_in(allow_password_change=True)])
    async def password(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        return await pages.password_submit(realm, request, tools, actor)

    @get("/reset")
    async def reset_page(self, realm: NamedDependency[Realm]) -> Template:
        return pages.reset_page(realm)

    @post("/reset")
    async def reset(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template:
        return await pages.reset_submit(realm, request, tools, actor)

    @post("/reset/confirm")
    async def reset_confirm(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        return await pages.reset_confirm_submit(realm, request, tools, actor)


class SecondFactorRoutes(PasswordRoutes):
    """PasswordRoutes with the optional TOTP second factor (officers and national staff)."""

    @get("/login/totp")
    async def totp_page(
        self, request: Request[Any, Any, Any], realm: NamedDependency[Realm]
    ) -> Template | Response[Any]:
        return pages.totp_page(realm, request)

    @post("/login/totp")
    async def totp(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        return await pages.totp_submit(realm, request, tools, actor)

    @get("/totp", guards=[require_signed_in()])
    async def totp_setup_page(
        self, request: Request[Any, Any, Any], realm: NamedDependency[Realm], tools: NamedDependency[Tools]
    ) -> Template:
        return await pages.totp_setup_page(realm, request, tools)

    @post("/totp", guards=[require_signed_in()])
    async def totp_setup(
        self,
        request: Request[Any, Any, Any],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        return await pages.totp_setup_submit(realm, request, tools, actor)


def _applicant_realm(db: NamedDependency[Database]) -> Realm:
    return applicant_realm(db)


def _staff_realm(db: NamedDependency[Database]) -> Realm:
    return staff_realm(db)


class AccountController(PasswordRoutes):
    """Applicants: register, sign in, their account, password, reset by SMS code."""

    path = "/account"
    opt = {"realm_kind": "applicant"}
    dependencies = {"realm": Provide(_applicant_realm, sync_to_thread=False)}

    @get("/register")
    async def register_page(self, national_session: NamedDependency[AsyncSession]) -> Template:
        return Template(
            "account/register.html",
            context={
                "values": {},
                "errors": {},
                "types": list(DocumentType),
                "rules": await security_rules(national_session),
            },
        )

    @post("/register")
    async def register(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = {k: str(v) for k, v in (await request.form()).items()}
        data = msgspec.convert(
            {k: form.get(k, "") for k in ApplicantRegistration.__struct_fields__}, ApplicantRegistration
        )
        try:
            async with db.national() as session, session.begin():
                rules = await security_rules(session)
                applicant = await register_applicant_account(
                    session, data, rules=rules, today=china_today(), actor=actor
                )
        except FormErrors as exc:
            shown = {k: v for k, v in form.items() if "password" not in k}
            return Template(
                "account/register.html",
                context={"values": shown, "errors": exc.errors, "types": list(DocumentType), "rules": rules},
                status_code=400,
            )
        token = await tools.sessions.create(
            realm.principal(applicant),
            idle_seconds=rules.session_idle_minutes * 60,
            absolute_seconds=rules.session_absolute_hours * 3600,
        )
        response: Response[Any] = Redirect(path="/account/?welcome=1", status_code=303)
        response.set_cookie(
            session_cookie(token, secure=tools.secure_cookies, max_age=rules.session_absolute_hours * 3600)
        )
        return response

    @get("/", guards=[require_applicant()])
    async def home(
        self, request: Request[Any, Any, Any], applicant: NamedDependency[ApplicantAccount]
    ) -> Template:
        return Template(
            "account/home.html",
            context={
                "applicant": applicant,
                "document_label": DocumentType(applicant.id_type).label,
                "welcome": request.query_params.get("welcome") == "1",
                "changed": request.query_params.get("changed") == "1",
            },
        )


class NationalSignInController(SecondFactorRoutes):
    """National staff: sign in (with optional TOTP), password, reset, second factor."""

    path = "/national"
    opt = {"realm_kind": "staff"}
    dependencies = {"realm": Provide(_staff_realm, sync_to_thread=False)}


ROUTE_HANDLERS = [AccountController, NationalSignInController]
