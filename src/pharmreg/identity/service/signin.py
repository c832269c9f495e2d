"""Signing in with a password (and a second factor), with throttling and an audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.identity.models import Applicant, NationalStaff, Officer
from pharmreg.identity.schemas import SecurityRules
from pharmreg.identity.service.accounts import (
    audit,
    valid_login_format,
    verify_credentials,
    verify_second_factor,
)
from pharmreg.identity.sessions import Principal
from pharmreg.identity.throttle import LockedOutError, SignInThrottle, TooManyAttemptsError
from pharmreg.identity.totp import SecretBox

BAD_CREDENTIALS = "用户名或密码错误"
TOO_MANY = "登录尝试过于频繁，请稍后再试"
BAD_CODE = "动态口令错误或已过期，请查看验证器中的最新口令"


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    account: Officer | NationalStaff | Applicant | None
    error: str | None
    needs_second_factor: bool = False

    def principal(self, kind: str, tenant: str) -> Principal:
        assert self.account is not None
        return Principal(kind=kind, user_id=str(self.account.id), name=self.account.name, tenant=tenant)


async def sign_in(
    session: AsyncSession,
    *,
    kind: str,
    tenant_slug: str,
    login: str,
    password: str,
    throttle: SignInThrottle,
    rules: SecurityRules,
    actor: Actor,
) -> SignInOutcome:
    """Check a password sign-in; every outcome is audited, failures count towards a lockout."""
    realm = f"{kind}:{tenant_slug}"
    login = login.strip()
    if not valid_login_format(kind, login) or not password:
        return SignInOutcome(None, "请输入正确的账号和密码")
    try:
        await throttle.check(realm, login, actor.ip)
    except LockedOutError as locked:
        await audit(
            session, action="sign_in_failed", actor=actor, target=login, summary="账号锁定期间尝试登录"
        )
        return SignInOutcome(None, f"该账号因多次登录失败已被临时锁定，请 {locked.minutes} 分钟后再试")
    except TooManyAttemptsError:
        await audit(
            session,
            action="sign_in_failed",
            actor=actor,
            target=login,
            summary="本地址登录失败次数过多，暂停受理登录",
        )
        return SignInOutcome(None, TOO_MANY)
    verified = await verify_credentials(session, kind, login, password)
    if verified.reason == "bad_credentials":
        locked_now = await throttle.failed(
            realm,
            login,
            actor.ip,
            threshold=rules.lockout_threshold,
            window_minutes=rules.lockout_window_minutes,
            lockout_minutes=rules.lockout_minutes,
        )
        await audit(
            session,
            action="sign_in_failed",
            actor=actor,
            target=login,
            summary=f"{login} 登录失败：密码错误或账号不存在",
        )
        if locked_now:
            await audit(
                session,
                action="locked_out",
                actor=actor,
                target=login,
                summary=(
                    f"{login} 连续登录失败 {rules.lockout_threshold} 次，锁定 {rules.lockout_minutes} 分钟"
                ),
            )
            return SignInOutcome(
                None, f"{BAD_CREDENTIALS}；连续失败次数过多，账号已被锁定 {rules.lockout_minutes} 分钟"
            )
        return SignInOutcome(None, BAD_CREDENTIALS)
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
    await throttle.succeeded(realm, login)
    await audit(session, action="sign_in", actor=who, target=login, summary=f"{account.name} 登录")
    return SignInOutcome(account, None)


@dataclass(frozen=True, slots=True)
class SecondFactorOutcome:
    passed: bool
    error: str | None = None
    locked: bool = False  # the half-signed-in session must end: sign in again after the lockout


async def second_factor(
    session: AsyncSession,
    account: Officer | NationalStaff,
    code: str,
    *,
    box: SecretBox,
    throttle: SignInThrottle,
    rules: SecurityRules,
    realm: str,
    actor: Actor,
) -> SecondFactorOutcome:
    """Check the TOTP code of a half-signed-in account.

    Wrong codes count like wrong passwords, against the same lockout and the same per-address
    brake, so that a stolen password does not open an endless guessing of codes.
    """
    who = Actor(
        kind=actor.kind, id=str(account.id), name=account.name, ip=actor.ip, request_id=actor.request_id
    )
    try:
        await throttle.check(realm, account.username, actor.ip)
    except LockedOutError as locked:
        await audit(
            session,
            action="sign_in_failed",
            actor=who,
            target=account.username,
            summary="账号锁定期间输入动态口令",
        )
        return SecondFactorOutcome(
            False, f"该账号因多次验证失败已被临时锁定，请 {locked.minutes} 分钟后重新登录", locked=True
        )
    except TooManyAttemptsError:
        return SecondFactorOutcome(False, TOO_MANY)
    if verify_second_factor(account, code, box):
        await throttle.succeeded(realm, account.username)
        await audit(
            session,
            action="sign_in",
            actor=who,
            target=account.username,
            summary=f"{account.name} 登录（动态口令）",
        )
        return SecondFactorOutcome(True)
    locked_now = await throttle.failed(
        realm,
        account.username,
        actor.ip,
        threshold=rules.lockout_threshold,
        window_minutes=rules.lockout_window_minutes,
        lockout_minutes=rules.lockout_minutes,
    )
    await audit(
        session,
        action="sign_in_failed",
        actor=who,
        target=account.username,
        summary=f"{account.name} 动态口令错误",
    )
    if not locked_now:
        return SecondFactorOutcome(False, BAD_CODE)
    await audit(
        session,
        action="locked_out",
        actor=who,
        target=account.username,
        summary=(
            f"{account.username} 连续验证失败 {rules.lockout_threshold} 次，锁定 {rules.lockout_minutes} 分钟"
        ),
    )
    return SecondFactorOutcome(
        False, f"连续验证失败次数过多，账号已被锁定 {rules.lockout_minutes} 分钟，请稍后重新登录", locked=True
    )
