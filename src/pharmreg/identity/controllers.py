"""Pages of the national realm: applicants' accounts, sign-in and disputes; unit API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.types import Guard
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.identity import pages
from pharmreg.identity.documents import DocumentType
from pharmreg.identity.guards import require_applicant, require_signed_in
from pharmreg.identity.pages import Realm, Tools
from pharmreg.identity.permissions import PostPermissions
from pharmreg.identity.schemas import ApplicantAccount, IdentityForm, SecurityRules, UnitRead
from pharmreg.identity.service.accounts import (
    IdentityTakenError,
    MobileTakenError,
    check_new_password,
    register_applicant_account,
)
from pharmreg.identity.service.disputes import (
    DOCUMENT_KINDS,
    DOCUMENT_MAX_BYTES,
    DisputeUpload,
    NothingToDisputeError,
    OwnMobileError,
    disputed_account,
    disputes_against,
    file_dispute,
    notify_dispute_handlers,
    track_dispute,
)
from pharmreg.identity.service.proof import PendingProof, ProofExpiredError, begin_proof
from pharmreg.identity.service.security import security_rules
from pharmreg.identity.service.units import list_units
from pharmreg.identity.sessions import session_cookie
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render


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


# A form of the sign-in pages, handled in `pharmreg.identity.pages` with the realm's tools.
PageSubmit = Callable[[Realm, HTMXRequest, Tools, Actor], Awaitable[Response[Any]]]
# Signed in, even while a new password or a second factor is still due.
SIGNED_IN_ANYHOW = require_signed_in(allow_password_change=True, allow_enrolment=True)


def _submits(path: str, submit: PageSubmit, *, guards: list[Guard] | None = None) -> HTTPRouteHandler:
    """The POST route of one sign-in form: the same parameters for each, handled by `submit`."""

    async def handler(
        self: Controller,
        request: HTMXRequest,
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        return await submit(realm, request, tools, actor)

    handler.__name__ = handler.__qualname__ = submit.__name__
    return post(path, guards=guards)(handler)


class PasswordRoutes(Controller):
    """Sign-in with a password, sign-out, one's own password, reset by text-message code.

    The same routes for every realm, under the realm's base path. A subclass sets `path`,
    `opt = {"realm_kind": ...}` (read by the guards) and a `realm` dependency (pages.Realm).
    """

    include_in_schema = False

    @get("/login")
    async def login_page(
        self, request: HTMXRequest, realm: NamedDependency[Realm]
    ) -> Template | Response[Any]:
        return pages.login_page(realm, request)

    login = _submits("/login", pages.login_submit)
    logout = _submits("/logout", pages.logout)
    logout_everywhere = _submits("/logout-everywhere", pages.logout_everywhere, guards=[SIGNED_IN_ANYHOW])

    @get("/password", guards=[SIGNED_IN_ANYHOW])
    async def password_page(self, request: HTMXRequest, realm: NamedDependency[Realm]) -> Template:
        return await pages.password_page(realm, request)

    password = _submits("/password", pages.password_submit, guards=[SIGNED_IN_ANYHOW])

    @get("/reset")
    async def reset_page(self, request: HTMXRequest, realm: NamedDependency[Realm]) -> Template:
        return pages.reset_page(realm, request)

    reset = _submits("/reset", pages.reset_submit)
    reset_confirm = _submits("/reset/confirm", pages.reset_confirm_submit)


class SecondFactorRoutes(PasswordRoutes):
    """PasswordRoutes with the optional TOTP second factor (officers and national staff)."""

    @get("/login/totp")
    async def totp_page(
        self, request: HTMXRequest, realm: NamedDependency[Realm]
    ) -> Template | Response[Any]:
        return pages.totp_page(realm, request)

    totp = _submits("/login/totp", pages.totp_submit)

    @get("/totp", guards=[require_signed_in(allow_enrolment=True)])
    async def totp_setup_page(
        self, request: HTMXRequest, realm: NamedDependency[Realm], tools: NamedDependency[Tools]
    ) -> Template:
        return await pages.totp_setup_page(realm, request, tools)

    totp_setup = _submits("/totp", pages.totp_setup_submit, guards=[require_signed_in(allow_enrolment=True)])


def _applicant_realm(db: NamedDependency[Database]) -> Realm:
    return applicant_realm(db)


def _identity_form(form: dict[str, str]) -> IdentityForm:
    return IdentityForm(**{k: form.get(k, "")[:100] for k in IdentityForm.__struct_fields__})


async def _form(request: HTMXRequest) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if not isinstance(v, UploadFile)}


def _address(actor: Actor) -> str:
    return actor.ip or "unknown"


def _identity_page(
    request: HTMXRequest, purpose: str, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Template:
    """Step one of registering or of disputing an account: who you are."""
    return render(
        request,
        "account/register.html" if purpose == "register" else "account/dispute_start.html",
        {"values": values, "errors": errors, "types": list(DocumentType)},
        status_code=status,
    )


def _code_page(
    request: HTMXRequest,
    ticket: str,
    proof: PendingProof,
    rules: SecurityRules,
    *,
    registering: bool,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Template:
    """Step two: the code sent to the mobile (unless already typed back) and, to register, the password."""
    return render(
        request,
        "account/proof_code.html",
        {
            "ticket": ticket,
            "proof": proof,
            "rules": rules,
            "errors": errors or {},
            "notice": notice,
            "registering": registering,
            "base": "/account/register" if registering else "/account/disputes",
        },
        status_code=status,
    )


def _outcome_page(
    request: HTMXRequest, case: str, ticket: str, proof: PendingProof, status: int = 200
) -> Template:
    """What a confirmed proof found: the ID or the mobile already has an account, or nothing to dispute."""
    return render(
        request,
        "account/proof_result.html",
        {"case": case, "ticket": ticket, "proof": proof},
        status_code=status,
    )


EXPIRED = "验证已过期（需在 30 分钟内完成），请重新填写并获取验证码"


class AccountController(PasswordRoutes):
    """Applicants: sign in, their account, password, reset (registering: RegistrationController)."""

    path = "/account"
    opt = {"realm_kind": "applicant"}
    dependencies = {"realm": Provide(_applicant_realm, sync_to_thread=False)}

    @get("/", guards=[require_applicant()])
    async def home(
        self,
        request: HTMXRequest,
        applicant: NamedDependency[ApplicantAccount],
        national_session: NamedDependency[AsyncSession],
        tools: NamedDependency[Tools],
    ) -> Template:
        disputes = [
            (tools.provinces.authority_name(province), filed)
            for province, filed in await disputes_against(national_session, applicant.id)
        ]
        return render(
            request,
            "account/home.html",
            {
                "applicant": applicant,
                "document_label": DocumentType(applicant.id_type).label,
                "welcome": request.query_params.get("welcome") == "1",
                "changed": request.query_params.get("changed") == "1",
                "disputes": disputes,
            },
        )


class ProofSteps(Controller):
    """The steps of proving who one is, shared by registering and disputing an account, under
    the controller's path: step one (`start`, at the path each subclass names), the code sent
    again, and back to the form."""

    include_in_schema = False
    # "register" or "dispute": which form and which next step the pages show.
    purpose: ClassVar[str]

    async def start(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template:
        """Step one: check the details, verify the real name, send a code to the mobile."""
        return await _begin(request, self.purpose, national_session, tools, actor)

    async def start_page(self, request: HTMXRequest) -> Template:
        return _identity_page(request, self.purpose, {}, {})

    @post("/resend")
    async def resend(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template:
        return await _resend(request, self.purpose, national_session, tools, actor)

    @post("/back")
    async def back(self, request: HTMXRequest, tools: NamedDependency[Tools]) -> Template:
        return await _back(request, self.purpose, tools)


class RegistrationController(ProofSteps):
    """Applicants register: identity proven first (name, ID document, certificate number, the
    mobile's code), then a password."""

    path = "/account/register"
    opt = {"realm_kind": "applicant"}
    purpose = "register"
    dependencies = {"realm": Provide(_applicant_realm, sync_to_thread=False)}

    register_page = get("/")(ProofSteps.start_page)
    register = post("/")(ProofSteps.start)

    @post("/confirm")
    async def register_confirm(
        self,
        request: HTMXRequest,
        db: NamedDependency[Database],
        realm: NamedDependency[Realm],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        """Step two: the code typed back and a password chosen; only then is the account made."""
        form = await _form(request)
        ticket = form.get("ticket", "")
        async with db.national() as session:
            rules = await security_rules(session)
        try:
            proof = await tools.proofs.load(ticket)
        except ProofExpiredError:
            return _identity_page(request, "register", {}, {"": EXPIRED}, status=400)
        try:
            check_new_password(
                form.get("password", ""),
                form.get("password_confirm", ""),
                rules,
                (proof.id_number, proof.mobile, proof.name),
            )
            proof = await tools.proofs.confirm(ticket, form.get("code", ""))
            async with db.national() as session, session.begin():
                applicant = await register_applicant_account(
                    session, proof, password=form.get("password", ""), rules=rules, actor=actor
                )
        except ProofExpiredError:
            return _identity_page(request, "register", {}, {"": EXPIRED}, status=400)
        except FormErrors as exc:
            return _code_page(request, ticket, proof, rules, registering=True, errors=exc.errors, status=400)
        except IdentityTakenError:
            return _outcome_page(request, "identity_taken", ticket, proof, status=409)
        except MobileTakenError:
            await tools.proofs.discard(ticket)
            return _outcome_page(request, "mobile_taken", ticket, proof, status=409)
        await tools.proofs.discard(ticket)
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


async def _begin(
    request: HTMXRequest, purpose: str, session: AsyncSession, tools: Tools, actor: Actor
) -> Template:
    form = await _form(request)
    shown = {k: v for k, v in form.items() if k in IdentityForm.__struct_fields__}
    try:
        ticket, proof = await begin_proof(
            _identity_form(form),
            purpose=purpose,
            verifier=tools.real_name,
            proofs=tools.proofs,
            sms=tools.sms,
            address=_address(actor),
            today=china_today(),
        )
    except FormErrors as exc:
        return _identity_page(request, purpose, shown, exc.errors, status=400)
    return _code_page(
        request,
        ticket,
        proof,
        await security_rules(session),
        registering=purpose == "register",
        notice=f"验证码已发送至 {proof.masked_mobile}，5 分钟内有效",
    )


async def _resend(
    request: HTMXRequest, purpose: str, session: AsyncSession, tools: Tools, actor: Actor
) -> Template:
    ticket = (await _form(request)).get("ticket", "")
    try:
        proof = await tools.proofs.load(ticket)
    except ProofExpiredError:
        return _identity_page(request, purpose, {}, {"": EXPIRED}, status=400)
    rules = await security_rules(session)
    refused = await tools.proofs.send_code(ticket, proof, address=_address(actor), sms=tools.sms)
    registering = purpose == "register"
    if refused is not None:
        return _code_page(
            request, ticket, proof, rules, registering=registering, errors={"code": refused}, status=429
        )
    return _code_page(
        request,
        ticket,
        proof,
        rules,
        registering=registering,
        notice=f"新的验证码已发送至 {proof.masked_mobile}，5 分钟内有效",
    )


async def _back(request: HTMXRequest, purpose: str, tools: Tools) -> Template:
    """Change what was typed: the form again with its values; the code sent is void."""
    ticket = (await _form(request)).get("ticket", "")
    try:
        proof = await tools.proofs.load(ticket)
    except ProofExpiredError:
        return _identity_page(request, purpose, {}, {})
    await tools.proofs.discard(ticket)
    return _identity_page(request, purpose, proof.form_values(), {})


class DisputeController(ProofSteps):
    """账号申诉: someone whose ID document another person registered asks for the account."""

    path = "/account/disputes"
    purpose = "dispute"

    dispute_page = get("/new")(ProofSteps.start_page)
    dispute = post("/new")(ProofSteps.start)

    @post("/confirm")
    async def confirm(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        tools: NamedDependency[Tools],
    ) -> Template:
        """The code typed back (or a proof already confirmed while registering): the dispute form."""
        form = await _form(request)
        ticket = form.get("ticket", "")
        try:
            proof = await tools.proofs.confirm(ticket, form.get("code", ""))
        except ProofExpiredError:
            return _identity_page(request, "dispute", {}, {"": EXPIRED}, status=400)
        except FormErrors as exc:
            proof = await tools.proofs.load(ticket)
            rules = await security_rules(national_session)
            return _code_page(request, ticket, proof, rules, registering=False, errors=exc.errors, status=400)
        return await self._form_page(request, national_session, tools, ticket, proof, values={}, errors={})

    async def _form_page(
        self,
        request: HTMXRequest,
        session: AsyncSession,
        tools: Tools,
        ticket: str,
        proof: PendingProof,
        *,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        try:
            await disputed_account(session, proof)
        except NothingToDisputeError:
            notice = "该证件号码尚未注册账号，没有可申诉的账号：设置密码即可完成注册"
            return _code_page(
                request, ticket, proof, await security_rules(session), registering=True, notice=notice
            )
        except OwnMobileError:
            await tools.proofs.discard(ticket)
            return _outcome_page(request, "own_mobile", ticket, proof)
        province = values.get("province") or await tools.provinces.default_for(proof.id_type, proof.id_number)
        return render(
            request,
            "account/dispute_form.html",
            {
                "ticket": ticket,
                "proof": proof,
                "provinces": tools.provinces.choices(),
                "province": province or "",
                "values": values,
                "errors": errors,
                "kinds": DOCUMENT_KINDS,
                "needs_back": proof.id_type != DocumentType.PASSPORT,
                "max_mb": DOCUMENT_MAX_BYTES // (1024 * 1024),
            },
            status_code=status,
        )

    @post("/file")
    async def file(
        self,
        request: HTMXRequest,
        db: NamedDependency[Database],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
        permissions: NamedDependency[PostPermissions],
    ) -> Template:
        """File the dispute: documents checked by content, both sides told, the province notified."""
        data = await request.form()
        form = {k: str(v) for k, v in data.items() if not isinstance(v, UploadFile)}
        ticket = form.get("ticket", "")
        try:
            proof = await tools.proofs.load(ticket)
        except ProofExpiredError:
            return _identity_page(request, "dispute", {}, {"": EXPIRED}, status=400)
        if not proof.confirmed:
            return _identity_page(
                request, "dispute", proof.form_values(), {"": "请先输入手机收到的验证码"}, status=400
            )
        uploads = []
        for kind in DOCUMENT_KINDS:
            upload = data.get(kind)
            if isinstance(upload, UploadFile) and upload.filename:
                uploads.append(
                    DisputeUpload(
                        kind=kind, filename=upload.filename, data=await upload.read(DOCUMENT_MAX_BYTES + 1)
                    )
                )
        provinces = [slug for slug, _name in tools.provinces.choices()]
        try:
            if not await tools.proofs.filing_admitted(_address(actor)):
                raise FormErrors(
                    {"": "本地址今天提交的申诉已达上限，请明天再试或联系所在省份的药品监督管理部门"}
                )
            async with db.national() as session, session.begin():
                filed = await file_dispute(
                    session,
                    proof,
                    province=form.get("province", ""),
                    statement=form.get("statement", ""),
                    uploads=uploads,
                    provinces=provinces,
                    actor=actor,
                )
        except FormErrors as exc:
            async with db.national() as session:
                return await self._form_page(
                    request, session, tools, ticket, proof, values=form, errors=exc.errors, status=400
                )
        except (NothingToDisputeError, OwnMobileError):
            async with db.national() as session:
                return await self._form_page(request, session, tools, ticket, proof, values=form, errors={})
        await tools.proofs.discard(ticket)
        authority = tools.provinces.authority_name(filed.province)
        await tools.sms.send(
            tenant_slug=filed.province,
            mobile=filed.claimant_mobile,
            purpose="dispute_filed",
            text=(
                f"【执业药师注册】您的账号申诉已提交，由{authority}核实处理，查询码 {filed.code}，"
                "可在平台“账号申诉进度查询”查看。处理结果将短信通知您。"
            ),
            secret=filed.code,
        )
        await tools.sms.send(
            tenant_slug=filed.province,
            mobile=filed.account_mobile,
            purpose="dispute_filed",
            text=(
                f"【执业药师注册】有人对证件号码 {filed.masked_id} 对应的执业药师个人账号提出账号申诉，"
                f"由{authority}核实。如该账号确为您本人注册，无需操作，请留意后续通知；如有疑问，请联系{authority}。"
            ),
        )
        async with tools.provinces.session(filed.province) as tenant_session, tenant_session.begin():
            await notify_dispute_handlers(
                tenant_session,
                permissions.posts_granting("handle_disputes"),
                dispute_id=filed.dispute_id,
                # Relative to the office, as the message center shows every notice's link.
                link=f"disputes/{filed.dispute_id}",
            )
        return render(
            request, "account/dispute_filed.html", {"filed": filed, "authority": authority}, status_code=200
        )

    @get("/track")
    async def track_page(self, request: HTMXRequest) -> Template:
        return render(request, "account/dispute_track.html", {"code": "", "found": None, "error": None})

    @post("/track")
    async def track(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        tools: NamedDependency[Tools],
        actor: NamedDependency[Actor],
    ) -> Template:
        code = (await _form(request)).get("code", "").strip()[:40]
        if not await tools.proofs.tracking_admitted(_address(actor)):
            limited: dict[str, Any] = {"code": code, "found": None, "error": "查询过于频繁，请十分钟后再试"}
            return render(request, "account/dispute_track.html", limited, status_code=429)
        found = await track_dispute(national_session, code)
        context: dict[str, Any] = {
            "code": code,
            "found": found,
            "authority": tools.provinces.authority_name(found.province) if found else None,
            "error": None if found else "未找到该查询码对应的申诉：请核对短信中的查询码",
        }
        return render(request, "account/dispute_track.html", context, status_code=200 if found else 404)


ROUTE_HANDLERS = [AccountController, RegistrationController, DisputeController]
