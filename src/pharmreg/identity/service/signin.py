"""Signing in with a password (and a second factor), with throttling and an audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.identity.models import Applicant, NationalStaff, Officer
from pharmreg.identity.schemas import SecurityRules
from pharmreg.identity.service.accounts import (
    Account,
    audit,
    find_account,
    valid_login_format,
    verify_credentials,
    verify_second_factor,
)
from pharmreg.identity.sessions import Principal
from pharmreg.identity.throttle import Attempt, Failure, SignInGuard, Verdict, address_source
from pharmreg.identity.totp import SecretBox
from pharmreg.kit.clock import china_time, utcnow
from pharmreg.kit.logging import get_logger
from pharmreg.messaging import SmsProvider, notify, send_to_staff

log = get_logger(__name__)

BAD_CREDENTIALS = "用户名或密码错误"
TOO_MANY = "本地址登录失败次数过多，请稍后再试"
BAD_CODE = "动态口令错误或已过期，请查看验证器中的最新口令"
NEED_CAPTCHA = "为保护账号安全，请输入图中的数字后再登录"
WRONG_CAPTCHA = "图中数字输入有误，请输入新图中的数字"


def account_key(kind: str, tenant_slug: str, account_id: object) -> str:
    """What names an account across realms (device cookies, throttling)."""
    return f"{kind}:{tenant_slug}:{account_id}"


def subject_of(account: Account | None, login: str) -> str:
    """Failures count against the account whatever login named it (ID number or mobile), and
    against the login itself when it names no account, so that both behave alike."""
    return f"a:{account.id}" if account is not None else f"l:{login.strip().lower()[:64]}"


def _refusal(found: Verdict, *, second_factor: bool = False) -> str:
    if found.kind == "busy":
        return TOO_MANY
    if found.kind == "captcha":
        return NEED_CAPTCHA
    if found.account_wide:
        return (
            f"该账号近期在多处登录失败，为保护账号已暂停在新设备上登录 {found.minutes} 分钟；"
            "在常用设备上仍可登录，也可通过手机验证码重置密码"
        )
    what = "验证" if second_factor else "登录"
    return f"该账号在本设备多次{what}失败，已暂停 {found.minutes} 分钟；忘记密码可通过手机验证码重置"


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    account: Officer | NationalStaff | Applicant | None
    error: str | None
    needs_second_factor: bool = False
    # The next attempt from here must type this picture's digits: (token, PNG data URI).
    captcha: tuple[str, str] | None = None

    def principal(self, kind: str, tenant: str) -> Principal:
        assert self.account is not None
        return Principal(kind=kind, user_id=str(self.account.id), name=self.account.name, tenant=tenant)


@dataclass(frozen=True, slots=True)
class Challenge:
    """A picture answer sent with a sign-in form."""

    token: str = ""
    answer: str = ""


async def _alert_holder(
    session: AsyncSession,
    account: Account,
    *,
    kind: str,
    tenant_slug: str,
    failure: Failure,
    address: str,
    sms: SmsProvider | None,
) -> None:
    """Tell the holder of repeated failures: officers and staff in their message center,
    applicants by text message."""
    at = china_time(utcnow(), "%m月%d日 %H:%M")
    if failure.account_locked:
        what = "已暂停在新设备上登录（常用设备不受影响）"
    elif failure.source_locked:
        what = f"来自 {address} 的登录已被暂停"
    else:
        what = "之后的登录需输入图片验证码"
    body = (
        f"截至 {at}，您的账号近期有 {failure.account_failures} 次登录失败，{what}。"
        "如非本人操作，请尽快修改密码并启用动态口令；如是本人忘记密码，可通过手机验证码重置。"
    )
    if isinstance(account, Officer):
        notify(session, [account.id], subject="账号登录异常提醒", body=body)
    elif isinstance(account, NationalStaff):
        send_to_staff(
            session, recipient_id=account.id, sender_name="系统", subject="账号登录异常提醒", body=body
        )
    elif sms is not None:
        await sms.send(
            tenant_slug=tenant_slug,
            mobile=account.mobile,
            purpose="sign_in_alert",
            text=f"【执业药师注册】{body}",
        )


async def sign_in(
    session: AsyncSession,
    *,
    kind: str,
    tenant_slug: str,
    login: str,
    password: str,
    guard: SignInGuard,
    rules: SecurityRules,
    actor: Actor,
    cookies: Mapping[str, str],
    challenge: Challenge,
    sms: SmsProvider,
) -> SignInOutcome:
    """Check a password sign-in. Attempts that reach the password are audited and failures
    count towards the throttle; attempts the throttle refuses are only logged, so that a
    flood cannot fill the audit log."""
    login = login.strip()
    if not valid_login_format(kind, login) or not password:
        return SignInOutcome(None, "请输入正确的账号和密码")
    found = await find_account(session, kind, login)
    attempt = _attempt(kind, tenant_slug, found, login, actor, guard, cookies)
    gate = await guard.judge(session, attempt, rules, captcha_token=challenge.token, answer=challenge.answer)
    if gate.kind != "check":
        log.info("sign_in.refused", realm=f"{kind}:{tenant_slug}", verdict=gate.kind, address=actor.ip)
        error = WRONG_CAPTCHA if gate.kind == "captcha" and challenge.answer.strip() else _refusal(gate)
        picture = await guard.captcha() if gate.kind == "captcha" else None
        return SignInOutcome(None, error, captcha=picture)
    verified = await verify_credentials(session, kind, login, password, account=found)
    if verified.reason == "bad_credentials":
        failure = await guard.failed(session, attempt, rules)
        await audit(
            session,
            action="sign_in_failed",
            actor=actor,
            target=login[:64],
            summary=f"{login[:64]} 登录失败：密码错误或账号不存在",
        )
        if failure.alert and found is not None:
            await _alert_holder(
                session,
                found,
                kind=kind,
                tenant_slug=tenant_slug,
                failure=failure,
                address=actor.ip or "未知地址",
                sms=sms,
            )
        if failure.source_locked or failure.account_locked:
            await audit(
                session,
                action="locked_out",
                actor=actor,
                target=login[:64],
                summary=(
                    f"{login[:64]} 连续登录失败 {failure.account_failures} 次，"
                    + ("暂停新设备登录" if failure.account_locked else f"暂停来自 {actor.ip} 的登录")
                    + f" {rules.lockout_minutes} 分钟"
                ),
            )
            return SignInOutcome(
                None,
                f"{BAD_CREDENTIALS}；连续失败次数过多，本设备已暂停登录 {rules.lockout_minutes} 分钟",
            )
        picture = (
            await guard.captcha()
            if (await guard.verdict(session, attempt, rules)).kind == "captcha"
            else None
        )
        return SignInOutcome(None, BAD_CREDENTIALS, captcha=picture)
    account = verified.account
    assert account is not None
    who = Actor(kind=kind, id=str(account.id), name=account.name, ip=actor.ip, request_id=actor.request_id)
    if verified.reason == "inactive":
        await audit(
            session,
            action="sign_in_failed",
            actor=who,
            target=login,
            summary=f"{account.name} 登录失败：账号已停用",
        )
        return SignInOutcome(None, "该账号已停用，请联系管理员")
    if isinstance(account, Officer | NationalStaff) and account.totp_secret is not None:
        # Failures keep counting until the second factor is passed too.
        return SignInOutcome(account, None, needs_second_factor=True)
    await guard.succeeded(session, attempt)
    await audit(session, action="sign_in", actor=who, target=login, summary=f"{account.name} 登录")
    return SignInOutcome(account, None)


def _attempt(
    kind: str,
    tenant_slug: str,
    account: Account | None,
    login: str,
    actor: Actor,
    guard: SignInGuard,
    cookies: Mapping[str, str],
) -> Attempt:
    device = (
        guard.devices.source(account_key(kind, tenant_slug, account.id), cookies)
        if account is not None
        else None
    )
    return Attempt(
        kind=kind,
        subject=subject_of(account, login),
        source=device or address_source(actor.ip),
        address=actor.ip or "unknown",
    )


@dataclass(frozen=True, slots=True)
class SecondFactorOutcome:
    passed: bool
    error: str | None = None
    locked: bool = False  # the half-signed-in session must end: sign in again after the lockout
    captcha: tuple[str, str] | None = None


async def second_factor(
    session: AsyncSession,
    account: Officer | NationalStaff,
    code: str,
    *,
    box: SecretBox,
    guard: SignInGuard,
    rules: SecurityRules,
    kind: str,
    tenant_slug: str,
    actor: Actor,
    cookies: Mapping[str, str],
    challenge: Challenge,
) -> SecondFactorOutcome:
    """Check the TOTP code of a half-signed-in account.

    Wrong codes count like wrong passwords, against the same throttle, so that a stolen
    password does not open an endless guessing of codes.
    """
    who = Actor(
        kind=actor.kind, id=str(account.id), name=account.name, ip=actor.ip, request_id=actor.request_id
    )
    attempt = _attempt(kind, tenant_slug, account, account.username, actor, guard, cookies)
    gate = await guard.judge(session, attempt, rules, captcha_token=challenge.token, answer=challenge.answer)
    if gate.kind in ("locked", "busy"):
        return SecondFactorOutcome(False, _refusal(gate, second_factor=True), locked=True)
    if gate.kind == "captcha":
        error = WRONG_CAPTCHA if challenge.answer.strip() else "请输入图中的数字后再输入动态口令"
        return SecondFactorOutcome(False, error, captcha=await guard.captcha())
    if verify_second_factor(account, code, box):
        await guard.succeeded(session, attempt)
        await audit(
            session,
            action="sign_in",
            actor=who,
            target=account.username,
            summary=f"{account.name} 登录（动态口令）",
        )
        return SecondFactorOutcome(True)
    failure = await guard.failed(session, attempt, rules)
    await audit(
        session,
        action="sign_in_failed",
        actor=who,
        target=account.username,
        summary=f"{account.name} 动态口令错误",
    )
    if failure.alert:
        await _alert_holder(
            session,
            account,
            kind=kind,
            tenant_slug=tenant_slug,
            failure=failure,
            address=actor.ip or "未知地址",
            sms=None,
        )
    if not (failure.source_locked or failure.account_locked):
        picture = (
            await guard.captcha()
            if (await guard.verdict(session, attempt, rules)).kind == "captcha"
            else None
        )
        return SecondFactorOutcome(False, BAD_CODE, captcha=picture)
    await audit(
        session,
        action="locked_out",
        actor=who,
        target=account.username,
        summary=f"{account.username} 动态口令连续验证失败，暂停登录 {rules.lockout_minutes} 分钟",
    )
    return SecondFactorOutcome(
        False, f"连续验证失败次数过多，已暂停登录 {rules.lockout_minutes} 分钟，请稍后重新登录", locked=True
    )


async def unlock_account(session: AsyncSession, guard: SignInGuard, *, kind: str, account_id: object) -> None:
    """Lift every count and lock of an account (after its password was reset)."""
    await guard.unlock(session, kind, f"a:{account_id}")
