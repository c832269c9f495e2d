"""Sign-in, sign-out, password and second-factor pages, written once for the three realms:
officers (one per province), national staff, and applicants."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from litestar import Response
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.identity.guards import account_of
from pharmreg.identity.models import NationalStaff, Officer
from pharmreg.identity.passwords import check_password
from pharmreg.identity.positions import Position
from pharmreg.identity.realname import RealNameVerifier
from pharmreg.identity.repository import applicant_by_id, officer_by_id, staff_by_id
from pharmreg.identity.schemas import OfficerAccount, SecurityRules, StaffAccount
from pharmreg.identity.service.accounts import (
    ResetCodes,
    ResetRefused,
    audit,
    change_password,
    disable_second_factor,
    enable_second_factor,
    finish_password_reset,
    start_password_reset,
)
from pharmreg.identity.service.disputes import ProvinceDesk
from pharmreg.identity.service.proof import IdentityProofs
from pharmreg.identity.service.security import second_factor_required, security_rules
from pharmreg.identity.service.signin import Challenge, account_key, second_factor, sign_in, unlock_account
from pharmreg.identity.sessions import (
    Principal,
    SessionData,
    SessionStore,
    expired_session_cookie,
    session_cookie,
)
from pharmreg.identity.throttle import SignInGuard
from pharmreg.identity.totp import SecretBox, new_secret, provisioning_uri, qr_svg
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.messaging import SmsProvider

RESET_SENT = "如果账号和手机号码无误，验证码已发送到该手机，10 分钟内有效。"
RESET_LIMITED = "本地址申请验证码过于频繁，请一小时后再试"


@dataclass(frozen=True)
class Realm:
    """Where and how one kind of account signs in."""

    kind: str  # "officer", "staff" or "applicant"
    tenant: str  # tenant slug, "national" for staff and applicants
    base: str  # e.g. "/p/gd/office", "/national", "/account"
    home: str  # where a signed-in person lands
    title: str  # shown above the forms
    login_label: str
    open_session: Callable[[], AsyncSession]
    brand: dict[str, str] = field(default_factory=dict)  # header texts of the layout

    def principal(self, account: Any) -> Principal:
        return Principal(kind=self.kind, user_id=str(account.id), name=account.name, tenant=self.tenant)

    def account_key(self, account: Any) -> str:
        return account_key(self.kind, self.tenant, account.id)


@dataclass(frozen=True)
class Tools:
    """The collaborators the pages need, handed in by the edge."""

    sessions: SessionStore
    guard: SignInGuard
    reset_codes: ResetCodes
    sms: SmsProvider
    secret_box: SecretBox
    secure_cookies: bool
    proofs: IdentityProofs
    real_name: RealNameVerifier
    provinces: ProvinceDesk


def safe_next(value: str | None, default: str) -> str:
    """Only same-site paths: `next` must never send someone to another site."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    return value


def _page(request: HTMXRequest, realm: Realm, template: str, status: int = 200, **context: Any) -> Template:
    return render(request, template, {"realm": realm, **context}, status_code=status)


async def _form(request: HTMXRequest) -> dict[str, str]:
    data = await request.form()
    return {key: str(value) for key, value in data.items()}


# --------------------------------------------------------------------------- sign-in


def login_page(realm: Realm, request: HTMXRequest) -> Template | Response[Any]:
    session: SessionData | None = request.scope["state"].get("session")
    signed_in_here = (
        account_of(request) is not None
        and session is not None
        and (session.principal.kind, session.principal.tenant) == (realm.kind, realm.tenant)
    )
    if signed_in_here:
        return Redirect(path=realm.home, status_code=303)
    return _page(
        request,
        realm,
        "auth/login.html",
        next=safe_next(request.query_params.get("next"), realm.home),
        values={},
    )


async def login_submit(
    realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor
) -> Template | Response[Any]:
    form = await _form(request)
    login, password = form.get("login", ""), form.get("password", "")
    target = safe_next(form.get("next"), realm.home)
    async with realm.open_session() as session, session.begin():
        rules = await security_rules(session)
        outcome = await sign_in(
            session,
            kind=realm.kind,
            tenant_slug=realm.tenant,
            login=login,
            password=password,
            guard=tools.guard,
            rules=rules,
            actor=actor,
            cookies=request.cookies,
            challenge=_challenge(form),
            sms=tools.sms,
        )
    if outcome.account is None:
        return _page(
            request,
            realm,
            "auth/login.html",
            status=400,
            error=outcome.error,
            next=target,
            values={"login": login},
            captcha=outcome.captcha,
        )
    await tools.sessions.destroy(request.scope["state"].get("session_token"))  # no session fixation
    token = await tools.sessions.create(
        realm.principal(outcome.account),
        idle_seconds=rules.session_idle_minutes * 60,
        absolute_seconds=rules.session_absolute_hours * 3600,
        mfa_pending=outcome.needs_second_factor,
    )
    location = f"{realm.base}/login/totp?next={target}" if outcome.needs_second_factor else target
    response: Response[Any] = Redirect(path=location, status_code=303)
    response.set_cookie(
        session_cookie(token, secure=tools.secure_cookies, max_age=rules.session_absolute_hours * 3600)
    )
    if not outcome.needs_second_factor:
        _remember_device(response, realm, outcome.account, tools)
    return response


def _challenge(form: dict[str, str]) -> Challenge:
    return Challenge(token=form.get("captcha_token", "")[:64], answer=form.get("captcha", "")[:8])


def _remember_device(response: Response[Any], realm: Realm, account: Any, tools: Tools) -> None:
    """After a complete sign-in: this browser is now a known device of the account."""
    response.set_cookie(
        tools.guard.devices.cookie(realm.account_key(account), path=realm.base, secure=tools.secure_cookies)
    )


def _pending(request: HTMXRequest, realm: Realm) -> SessionData | None:
    session: SessionData | None = request.scope["state"].get("session")
    if session is None or not session.mfa_pending or session.principal.kind != realm.kind:
        return None
    return session if session.principal.tenant == realm.tenant else None


def totp_page(realm: Realm, request: HTMXRequest) -> Template | Response[Any]:
    if _pending(request, realm) is None:
        return Redirect(path=f"{realm.base}/login", status_code=303)
    return _page(
        request, realm, "auth/totp.html", next=safe_next(request.query_params.get("next"), realm.home)
    )


async def _second_factor_account(
    session: AsyncSession, realm: Realm, user_id: str
) -> Officer | NationalStaff | None:
    if realm.kind == "officer":
        return await officer_by_id(session, uuid.UUID(user_id))
    return await staff_by_id(session, uuid.UUID(user_id))


async def totp_submit(
    realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor
) -> Template | Response[Any]:
    pending = _pending(request, realm)
    if pending is None:
        return Redirect(path=f"{realm.base}/login", status_code=303)
    form = await _form(request)
    target = safe_next(form.get("next"), realm.home)
    async with realm.open_session() as session, session.begin():
        rules = await security_rules(session)
        account = await _second_factor_account(session, realm, pending.principal.user_id)
        if account is None:
            return Redirect(path=f"{realm.base}/login", status_code=303)
        outcome = await second_factor(
            session,
            account,
            form.get("code", ""),
            box=tools.secret_box,
            guard=tools.guard,
            rules=rules,
            kind=realm.kind,
            tenant_slug=realm.tenant,
            actor=actor,
            cookies=request.cookies,
            challenge=_challenge(form),
        )
    if outcome.locked:
        # No more guesses on this half-signed-in session: after the lockout, start again.
        await tools.sessions.destroy(request.scope["state"]["session_token"])
        response: Response[Any] = _page(
            request, realm, "auth/login.html", status=400, error=outcome.error, next=target, values={}
        )
        response.set_cookie(expired_session_cookie(secure=tools.secure_cookies))
        return response
    if not outcome.passed:
        return _page(
            request,
            realm,
            "auth/totp.html",
            status=400,
            error=outcome.error,
            next=target,
            captcha=outcome.captcha,
        )
    token = await tools.sessions.complete_mfa(request.scope["state"]["session_token"], pending)
    response = Redirect(path=target, status_code=303)
    response.set_cookie(session_cookie(token, secure=tools.secure_cookies, max_age=pending.absolute_seconds))
    _remember_device(response, realm, account, tools)
    return response


async def logout(realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor) -> Response[Any]:
    token = request.scope["state"].get("session_token")
    if token and account_of(request) is not None:
        async with realm.open_session() as session, session.begin():
            await audit(session, action="sign_out", actor=actor, summary=f"{actor.name} 退出登录")
    await tools.sessions.destroy(token)
    response: Response[Any] = Redirect(path=f"{realm.base}/login", status_code=303)
    response.set_cookie(expired_session_cookie(secure=tools.secure_cookies))
    return response


async def logout_everywhere(realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor) -> Response[Any]:
    session_data: SessionData = request.scope["state"]["session"]
    ended = await tools.sessions.destroy_all(session_data.principal)
    async with realm.open_session() as session, session.begin():
        await audit(
            session,
            action="sign_out_everywhere",
            actor=actor,
            summary=f"{actor.name} 退出了全部 {ended} 个会话",
        )
    response: Response[Any] = Redirect(path=f"{realm.base}/login", status_code=303)
    response.set_cookie(expired_session_cookie(secure=tools.secure_cookies))
    return response


# --------------------------------------------------------------------------- passwords


async def _own_account(session: AsyncSession, realm: Realm, request: HTMXRequest) -> Any:
    principal: Principal = request.scope["state"]["session"].principal
    loader = {"officer": officer_by_id, "staff": staff_by_id}.get(realm.kind, applicant_by_id)
    return await loader(session, uuid.UUID(principal.user_id))


async def _rules(realm: Realm) -> SecurityRules:
    """The realm's password policy, for the hints beside password fields."""
    async with realm.open_session() as session:
        return await security_rules(session)


async def password_page(realm: Realm, request: HTMXRequest) -> Template:
    account = account_of(request)
    forced = bool(
        getattr(account, "must_change_password", False) or getattr(account, "password_expired", False)
    )
    return _page(request, realm, "auth/password.html", forced=forced, errors={}, rules=await _rules(realm))


async def password_submit(
    realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor
) -> Template | Response[Any]:
    form = await _form(request)
    try:
        async with realm.open_session() as session, session.begin():
            rules = await security_rules(session)
            account = await _own_account(session, realm, request)
            await change_password(
                session,
                account,
                current=form.get("current", ""),
                new=form.get("password", ""),
                confirm=form.get("password_confirm", ""),
                rules=rules,
                actor=actor,
            )
    except FormErrors as exc:
        return _page(
            request, realm, "auth/password.html", status=400, forced=False, errors=exc.errors, rules=rules
        )
    # Other devices signed in with the old password are signed out; this one stays.
    current = request.scope["state"]["session"]
    await tools.sessions.destroy_all(current.principal)
    token = await tools.sessions.create(
        current.principal, idle_seconds=current.idle_seconds, absolute_seconds=current.absolute_seconds
    )
    response: Response[Any] = Redirect(path=f"{realm.home}?changed=1", status_code=303)
    response.set_cookie(session_cookie(token, secure=tools.secure_cookies, max_age=current.absolute_seconds))
    return response


def reset_page(realm: Realm, request: HTMXRequest) -> Template:
    return _page(request, realm, "auth/reset.html", values={}, errors={})


async def reset_submit(realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor) -> Template:
    form = await _form(request)
    login, mobile = form.get("login", "").strip(), form.get("mobile", "").strip()
    if not login or not mobile:
        return _page(
            request,
            realm,
            "auth/reset.html",
            status=400,
            values=form,
            errors={"": "请填写账号和注册时的手机号码"},
        )
    try:
        async with realm.open_session() as session, session.begin():
            rules = await security_rules(session)
            await start_password_reset(
                session,
                kind=realm.kind,
                tenant_slug=realm.tenant,
                login=login,
                mobile=mobile,
                codes=tools.reset_codes,
                sms=tools.sms,
                actor=actor,
            )
    except ResetRefused:
        return _page(request, realm, "auth/reset.html", status=429, values=form, errors={"": RESET_LIMITED})
    return _page(
        request,
        realm,
        "auth/reset_confirm.html",
        notice=RESET_SENT,
        values={"login": login},
        errors={},
        rules=rules,
    )


async def reset_confirm_submit(
    realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor
) -> Template | Response[Any]:
    form = await _form(request)
    try:
        async with realm.open_session() as session, session.begin():
            rules = await security_rules(session)
            account = await finish_password_reset(
                session,
                kind=realm.kind,
                tenant_slug=realm.tenant,
                login=form.get("login", ""),
                code=form.get("code", ""),
                new=form.get("password", ""),
                confirm=form.get("password_confirm", ""),
                rules=rules,
                codes=tools.reset_codes,
                actor=actor,
            )
            await unlock_account(session, tools.guard, kind=realm.kind, account_id=account.id)
    except FormErrors as exc:
        values = {"login": form.get("login", "")}
        return _page(
            request,
            realm,
            "auth/reset_confirm.html",
            status=400,
            values=values,
            errors=exc.errors,
            rules=await _rules(realm),
        )
    await tools.sessions.destroy_all(realm.principal(account))
    return Redirect(path=f"{realm.base}/login?reset=1", status_code=303)


# --------------------------------------------------------------------------- second factor


def _required_for(request: HTMXRequest, rules: SecurityRules) -> bool:
    """Whether the realm's rules make the signed-in officer or staff member keep a second factor."""
    account = account_of(request)
    if isinstance(account, OfficerAccount):
        return second_factor_required(rules, administrator=account.holds(Position.TENANT_ADMIN))
    return isinstance(account, StaffAccount) and second_factor_required(
        rules, administrator=account.is_superadmin
    )


async def totp_setup_page(realm: Realm, request: HTMXRequest, tools: Tools) -> Template:
    account = account_of(request)
    assert account is not None
    required = _required_for(request, await _rules(realm))
    if getattr(account, "totp_enabled", False):
        return _page(request, realm, "auth/totp_setup.html", enabled=True, required=required, errors={})
    secret = new_secret()
    # The secret waits in the signed-in session's Redis entry until a code proves the app has it.
    await tools.sessions.stash(request.scope["state"]["session_token"], "totp_secret", secret)
    uri = provisioning_uri(secret, f"{realm.tenant}:{getattr(account, 'username', account.name)}")
    return _page(
        request,
        realm,
        "auth/totp_setup.html",
        enabled=False,
        required=required,
        qr=qr_svg(uri),
        secret=secret,
        errors={},
    )


async def totp_setup_submit(
    realm: Realm, request: HTMXRequest, tools: Tools, actor: Actor
) -> Template | Response[Any]:
    form = await _form(request)
    token = request.scope["state"]["session_token"]
    enrolling = bool(getattr(account_of(request), "must_enrol_totp", False))
    async with realm.open_session() as session, session.begin():
        account = await _own_account(session, realm, request)
        required = _required_for(request, await security_rules(session))
        if form.get("action") == "disable":
            if not await check_password(account.password_hash, form.get("password", "")):
                return _page(
                    request,
                    realm,
                    "auth/totp_setup.html",
                    status=400,
                    enabled=True,
                    required=required,
                    errors={"password": "密码不正确"},
                )
            disable_second_factor(account)
            await audit(
                session,
                action="totp_disabled",
                actor=actor,
                target=account.username,
                summary=f"{account.name} 停用了动态口令",
            )
        else:
            secret = await tools.sessions.unstash(token, "totp_secret")
            if secret is None or not enable_second_factor(
                account, secret, form.get("code", ""), tools.secret_box
            ):
                return _page(
                    request,
                    realm,
                    "auth/totp_setup.html",
                    status=400,
                    enabled=False,
                    required=required,
                    qr=qr_svg(provisioning_uri(secret, account.username)) if secret else None,
                    secret=secret,
                    errors={"code": "口令不正确，请确认验证器中的时间和口令后重试"},
                )
            await tools.sessions.unstash(token, "totp_secret", remove=True)
            await audit(
                session,
                action="totp_enabled",
                actor=actor,
                target=account.username,
                summary=f"{account.name} 启用了动态口令",
            )
    # Someone made to enrol goes on to their work; otherwise (and after disabling a required
    # factor, which the guards then ask to enrol anew: how a new phone is bound) back here.
    return Redirect(path=realm.home if enrolling else f"{realm.base}/totp", status_code=303)
