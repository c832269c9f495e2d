"""Accounts of every kind: applicants register themselves; passwords, resets, second factor."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_national_audit, record_tenant_audit
from pharmreg.events import record_event
from pharmreg.identity import repository
from pharmreg.identity.documents import DocumentType
from pharmreg.identity.models import Applicant, NationalStaff, Officer
from pharmreg.identity.password_policy import PasswordRules, password_problems
from pharmreg.identity.passwords import check_password, hash_password, make_password_hash, needs_rehash
from pharmreg.identity.realname import method_label
from pharmreg.identity.schemas import (
    ApplicantAccount,
    ApplicantCreate,
    SecurityRules,
    StaffAccount,
    StaffCreate,
    StaffForm,
)
from pharmreg.identity.service.officers import MOBILE, NAME, USERNAME
from pharmreg.identity.service.proof import PendingProof
from pharmreg.identity.service.security import second_factor_required, security_rules
from pharmreg.identity.totp import SecretBox, matching_step
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import is_tenant_session
from pharmreg.kit.forms import FormErrors, Problems
from pharmreg.kit.logging import get_logger
from pharmreg.kit.ratelimit import within_limit
from pharmreg.messaging import SmsProvider

log = get_logger(__name__)

APPLICANT_REGISTERED = "identity.applicant_registered"
Account = Officer | NationalStaff | Applicant
# Verified when the account does not exist, so that a miss costs as much time as a hit.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


async def audit(session: AsyncSession, **entry: Any) -> None:
    if is_tenant_session(session):
        await record_tenant_audit(session, **entry)
    else:
        record_national_audit(session, **entry)


def _check_password(
    problems: Problems, password: str, confirm: str | None, rules: SecurityRules, ids: tuple[str, ...]
) -> None:
    found = password_problems(
        password, PasswordRules(rules.password_min_length, rules.password_min_classes), identifiers=ids
    )
    if found:
        problems.add("password", "；".join(found))
    elif confirm is not None and password != confirm:
        problems.add("password_confirm", "两次输入的密码不一致")


def _expired(account: Account, rules: SecurityRules) -> bool:
    return bool(rules.password_max_age_days) and (
        utcnow() - account.password_changed_at > timedelta(days=rules.password_max_age_days)
    )


# --------------------------------------------------------------------------- applicants


async def register_applicant(session: AsyncSession, data: ApplicantCreate) -> Applicant | None:
    """Create an applicant from checked data (demo, imports); None if the document or the
    mobile number is already registered."""
    applicant = await repository.insert_applicant(
        session,
        {
            "id_type": data.id_type,
            "id_number": data.id_number,
            "name": data.name,
            "sex": data.sex,
            "birth_date": data.birth_date,
            "mobile": data.mobile,
            "password_hash": data.password_hash,
            "mobile_confirmed_at": data.mobile_confirmed_at,
            "verified_at": data.verified_at,
            "verified_by": data.verified_by,
        },
    )
    if applicant is not None:
        record_event(session, APPLICANT_REGISTERED, {"applicant_id": str(applicant.id)})
    return applicant


class IdentityTakenError(Exception):
    """The ID document has an account already: said only to someone who passed the proof,
    who may then dispute that account."""


class MobileTakenError(Exception):
    """The (proven) mobile number is another account's login already."""


def check_new_password(password: str, confirm: str, rules: SecurityRules, ids: tuple[str, ...]) -> None:
    """The password policy for a new password; raises FormErrors."""
    problems = Problems()
    _check_password(problems, password, confirm, rules, ids)
    problems.raise_if_any()


async def register_applicant_account(
    session: AsyncSession, proof: PendingProof, *, password: str, rules: SecurityRules, actor: Actor
) -> Applicant:
    """Self-registration from a confirmed proof (real name verified, mobile code typed back);
    the caller checked the password against the policy (check_new_password)."""
    assert proof.confirmed
    if await repository.applicant_exists(session, id_type=proof.id_type, id_number=proof.id_number):
        raise IdentityTakenError
    if await repository.mobile_taken(session, proof.mobile):
        raise MobileTakenError
    now = utcnow()
    applicant = await register_applicant(
        session,
        ApplicantCreate(
            id_type=proof.id_type,
            id_number=proof.id_number,
            name=proof.name,
            sex=proof.sex,
            birth_date=proof.birth_date,
            mobile=proof.mobile,
            password_hash=await make_password_hash(password),
            mobile_confirmed_at=now,
            verified_at=now,
            verified_by=proof.verified_by,
        ),
    )
    if applicant is None:  # registered by a concurrent request a moment ago
        if await repository.applicant_exists(session, id_type=proof.id_type, id_number=proof.id_number):
            raise IdentityTakenError
        raise MobileTakenError
    record_national_audit(
        session,
        action="account_registered",
        actor=Actor(
            kind="applicant", id=str(applicant.id), name=proof.name, ip=actor.ip, request_id=actor.request_id
        ),
        target=f"{DocumentType(proof.id_type).label} {applicant_account(applicant, rules).masked_id}",
        summary=(
            f"申请人 {proof.name} 注册账号（手机号码已验证，实名核验：{method_label(proof.verified_by)}）"
        ),
    )
    return applicant


def applicant_account(applicant: Applicant, rules: SecurityRules) -> ApplicantAccount:
    return ApplicantAccount(
        id=applicant.id,
        name=applicant.name,
        id_type=applicant.id_type,
        id_number=applicant.id_number,
        sex=applicant.sex,
        birth_date=applicant.birth_date,
        mobile=applicant.mobile,
        active=applicant.active,
        password_expired=_expired(applicant, rules),
    )


async def load_applicant_account(
    session: AsyncSession, applicant_id: uuid.UUID, rules: SecurityRules
) -> ApplicantAccount | None:
    applicant = await repository.applicant_by_id(session, applicant_id)
    return applicant_account(applicant, rules) if applicant is not None else None


# --------------------------------------------------------------------------- national staff


async def create_staff(
    session: AsyncSession, data: StaffCreate, *, role: str = "staff"
) -> NationalStaff | None:
    """Create a national staff member from checked data; None if the username exists."""
    return await repository.insert_staff(
        session,
        {
            "username": data.username,
            "name": data.name,
            "department": data.department,
            "mobile": data.mobile,
            "password_hash": data.password_hash,
            "role": role,
        },
    )


async def create_staff_account(
    session: AsyncSession, form: StaffForm, *, rules: SecurityRules, actor: Actor, role: str = "staff"
) -> NationalStaff:
    problems = Problems()
    username = form.username.strip().lower()
    if not USERNAME.fullmatch(username):
        problems.add("username", "用户名为 3 至 64 位小写字母、数字、点、下划线或连字符，以字母开头")
    elif await repository.staff_by_username(session, username) is not None:
        problems.add("username", "该用户名已被使用")
    if not NAME.fullmatch(form.name.strip()):
        problems.add("name", "请填写 2 至 50 个字的真实姓名")
    if not 2 <= len(form.department.strip()) <= 100:
        problems.add("department", "请填写所在部门")
    mobile = form.mobile.strip()
    if mobile and not MOBILE.fullmatch(mobile):
        problems.add("mobile", "手机号码应为 11 位数字，以 1 开头")
    _check_password(problems, form.password, None, rules, (username, mobile))
    problems.raise_if_any()
    staff = await create_staff(
        session,
        StaffCreate(
            username=username,
            name=form.name.strip(),
            department=form.department.strip(),
            password_hash=await make_password_hash(form.password),
            mobile=mobile or None,
        ),
        role=role,
    )
    if staff is None:
        raise FormErrors({"username": "该用户名已被使用"})
    staff.must_change_password = actor.kind != "system"
    record_national_audit(
        session,
        action="staff_created",
        actor=actor,
        target=f"{staff.name}（{username}）",
        summary=f"新建全国用户 {staff.name}（{'超级管理员' if role == 'superadmin' else staff.department}）",
    )
    return staff


def staff_account(staff: NationalStaff, rules: SecurityRules) -> StaffAccount:
    return StaffAccount(
        id=staff.id,
        username=staff.username,
        name=staff.name,
        department=staff.department,
        role=staff.role,
        mobile=staff.mobile,
        active=staff.active,
        must_change_password=staff.must_change_password,
        password_expired=_expired(staff, rules),
        totp_enabled=staff.totp_secret is not None,
        must_enrol_totp=staff.totp_secret is None
        and second_factor_required(rules, administrator=staff.role == "superadmin"),
    )


async def load_staff_account(
    session: AsyncSession, staff_id: uuid.UUID, rules: SecurityRules
) -> StaffAccount | None:
    staff = await repository.staff_by_id(session, staff_id)
    return staff_account(staff, rules) if staff is not None else None


# --------------------------------------------------------------------------- signing in


@dataclass(frozen=True, slots=True)
class Verified:
    account: Account | None
    reason: str  # "ok", "bad_credentials" or "inactive"


_UNSET: Any = object()


async def verify_credentials(
    session: AsyncSession, kind: str, login: str, password: str, *, account: Account | None = _UNSET
) -> Verified:
    """Check a login and password (the account, if the caller already looked it up); costs the
    same time whether or not the account exists."""
    if account is _UNSET:
        account = await find_account(session, kind, login)
    if account is None:
        await check_password(_DUMMY_HASH, password)
        return Verified(None, "bad_credentials")
    if not await check_password(account.password_hash, password):
        return Verified(None, "bad_credentials")
    if not account.active:
        return Verified(account, "inactive")
    if needs_rehash(account.password_hash):  # hashing parameters were raised since
        account.password_hash = await make_password_hash(password)
    return Verified(account, "ok")


def verify_second_factor(account: Officer | NationalStaff, code: str, box: SecretBox) -> bool:
    """Check a TOTP code and remember its time step so that it cannot be replayed."""
    if account.totp_secret is None:
        return False
    step = matching_step(box.open(account.totp_secret), code, account.totp_last_step)
    if step is None:
        return False
    account.totp_last_step = step
    return True


def enable_second_factor(account: Officer | NationalStaff, secret: str, code: str, box: SecretBox) -> bool:
    """Store a new TOTP secret once the person proves their app shows the right code."""
    step = matching_step(secret, code, 0)
    if step is None:
        return False
    account.totp_secret = box.seal(secret)
    account.totp_last_step = step
    return True


def disable_second_factor(account: Officer | NationalStaff) -> None:
    account.totp_secret = None
    account.totp_last_step = 0


async def change_password(
    session: AsyncSession,
    account: Account,
    *,
    current: str,
    new: str,
    confirm: str,
    rules: SecurityRules,
    actor: Actor,
) -> None:
    """Replace one's own password (the caller ends the person's other sessions)."""
    problems = Problems()
    if not await check_password(account.password_hash, current):
        problems.add("current", "当前密码不正确")
    ids = tuple(
        x for x in (getattr(account, "username", ""), getattr(account, "id_number", ""), account.mobile) if x
    )
    _check_password(problems, new, confirm, rules, ids)
    if not problems and await check_password(account.password_hash, new):
        problems.add("password", "新密码不能与当前密码相同")
    problems.raise_if_any()
    await _set_password(account, new)
    await audit(session, action="password_changed", actor=actor, summary=f"{account.name} 修改了密码")


async def _set_password(account: Account, password: str) -> None:
    account.password_hash = await make_password_hash(password)
    account.password_changed_at = utcnow()
    if isinstance(account, Officer | NationalStaff):
        account.must_change_password = False


# --------------------------------------------------------------------------- password reset


class ResetCodes:
    """One-time codes for password reset, kept (hashed) in Redis for ten minutes, and the
    limits on asking for them."""

    TTL_SECONDS = 600
    RESEND_SECONDS = 60
    MAX_ATTEMPTS = 5
    # Requests per hour: from one address (whatever the accounts); naming one login with one
    # mobile number (codes a phone can receive); and mismatched requests about one login that
    # are audited (beyond that the answer is the same, without a row). A stranger typing wrong
    # numbers never uses up the holder's own requests.
    PER_ADDRESS = 10
    PER_PAIR = 5
    AUDITED_MISMATCHES = 5
    WINDOW_SECONDS = 3600

    def __init__(self, redis: Redis, prefix: str = "pharmreg") -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, realm: str, account_id: str) -> str:
        return f"{self._prefix}:reset:{realm}:{account_id}"

    async def _within(self, key: str, limit: int) -> bool:
        return await within_limit(self._redis, key, limit=limit, window_seconds=self.WINDOW_SECONDS)

    async def address_admitted(self, realm: str, address: str) -> bool:
        """Counts one request from `address`; False once the address asked too often."""
        return await self._within(f"reset:{realm}:addr:{address}", self.PER_ADDRESS)

    async def pair_admitted(self, realm: str, login: str, mobile: str) -> bool:
        """Counts one request naming this login with this mobile number."""
        return await self._within(
            f"reset:{realm}:pair:{login.strip().lower()[:64]}:{mobile.strip()[:20]}", self.PER_PAIR
        )

    async def mismatch_audited(self, realm: str, login: str) -> bool:
        """Counts one mismatched request about `login`; False once enough were audited."""
        return await self._within(
            f"reset:{realm}:mismatch:{login.strip().lower()[:64]}", self.AUDITED_MISMATCHES
        )

    async def issue(self, realm: str, account_id: str) -> str | None:
        """A fresh code, or None if one was sent less than a minute ago."""
        key = self._key(realm, account_id)
        if not await self._redis.set(key + ":sent", "1", ex=self.RESEND_SECONDS, nx=True):
            return None
        code = f"{secrets.randbelow(1_000_000):06d}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, hashlib.sha256(code.encode()).hexdigest(), ex=self.TTL_SECONDS)
            pipe.delete(key + ":tries")
            await pipe.execute()
        return code

    async def consume(self, realm: str, account_id: str, code: str) -> bool:
        """True once for the right code; wrong guesses are counted and end the code."""
        key = self._key(realm, account_id)
        stored = await self._redis.get(key)
        if stored is None:
            return False
        tries = await self._redis.incr(key + ":tries")
        await self._redis.expire(key + ":tries", self.TTL_SECONDS)
        expected = stored.decode() if isinstance(stored, bytes) else str(stored)
        if tries > self.MAX_ATTEMPTS or not hmac.compare_digest(
            expected, hashlib.sha256(code.strip().encode()).hexdigest()
        ):
            if tries >= self.MAX_ATTEMPTS:
                await self._redis.delete(key)
            return False
        await self._redis.delete(key, key + ":tries")
        return True

    async def revoke(self, realm: str, account_id: str) -> None:
        """Any code already sent stops working (the account's mobile number changed)."""
        key = self._key(realm, account_id)
        await self._redis.delete(key, key + ":tries", key + ":sent")


def _realm(kind: str, tenant_slug: str) -> str:
    return f"{kind}:{tenant_slug}"


async def find_account(session: AsyncSession, kind: str, login: str) -> Account | None:
    """The account a login names in a realm (username; ID number or mobile for applicants)."""
    if kind == "officer":
        return await repository.officer_by_username(session, login)
    if kind == "staff":
        return await repository.staff_by_username(session, login)
    return await repository.applicant_by_login(session, login)


class ResetRefused(Exception):
    """The address asked for too many codes; the page says so (whatever the account)."""


async def start_password_reset(
    session: AsyncSession,
    *,
    kind: str,
    tenant_slug: str,
    login: str,
    mobile: str,
    codes: ResetCodes,
    sms: SmsProvider,
    actor: Actor,
) -> None:
    """Send a code to the account's mobile if login and mobile match; silent otherwise.

    The caller always shows the same answer, so that nobody learns which accounts exist.
    Requests are limited per address (ResetRefused) and per login and number (silently);
    only requests about an existing account are audited, mismatched ones up to a limit, so a
    flood of requests cannot fill the audit log.
    """
    realm = _realm(kind, tenant_slug)
    if not await codes.address_admitted(realm, actor.ip or "unknown"):
        log.info("password_reset.address_limited", realm=realm, address=actor.ip)
        raise ResetRefused
    if not await codes.pair_admitted(realm, login, mobile):
        log.info("password_reset.pair_limited", realm=realm, address=actor.ip)
        return
    account = await find_account(session, kind, login)
    if account is None:
        log.info("password_reset.unknown_account", realm=realm, address=actor.ip)
        return
    matched = account.active and account.mobile == mobile.strip()
    if not matched:
        if await codes.mismatch_audited(realm, login):
            await audit(
                session,
                action="password_reset_requested",
                actor=actor,
                target=login[:64],
                summary="申请重置密码（账号与手机号不匹配，未发送验证码）",
            )
        return
    code = await codes.issue(realm, str(account.id))
    if code is not None:
        await sms.send(
            tenant_slug=tenant_slug,
            mobile=account.mobile or "",
            purpose="password_reset",
            text=(
                f"【执业药师注册】您正在重置密码，验证码 {code}，10 分钟内有效。如非本人操作，请忽略本短信。"
            ),
            secret=code,
        )
    await audit(
        session, action="password_reset_requested", actor=actor, target=login[:64], summary="申请重置密码"
    )


async def finish_password_reset(
    session: AsyncSession,
    *,
    kind: str,
    tenant_slug: str,
    login: str,
    code: str,
    new: str,
    confirm: str,
    rules: SecurityRules,
    codes: ResetCodes,
    actor: Actor,
) -> Account:
    """Set a new password with a valid code (the caller ends every session of the account)."""
    account = await find_account(session, kind, login)
    problems = Problems()
    ids = (login, account.mobile if account else "") if account else (login,)
    _check_password(problems, new, confirm, rules, tuple(x for x in ids if x))
    if problems:
        problems.raise_if_any()
    if (
        account is None
        or not account.active
        or not await codes.consume(_realm(kind, tenant_slug), str(account.id), code)
    ):
        raise FormErrors({"code": "验证码错误或已过期，请重新获取"})
    await _set_password(account, new)
    await audit(
        session,
        action="password_reset",
        actor=Actor(
            kind=kind, id=str(account.id), name=account.name, ip=actor.ip, request_id=actor.request_id
        ),
        target=login[:64],
        summary=f"{account.name} 通过手机验证码重置了密码",
    )
    return account


def valid_login_format(kind: str, login: str) -> bool:
    """Cheap shape check before any database work (keeps junk out of logs and queries)."""
    value = login.strip()
    if kind == "applicant":
        return bool(re.fullmatch(r"[0-9A-Za-z]{5,32}", value))
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]{1,63}", value))


async def list_staff(session: AsyncSession, rules: SecurityRules) -> list[StaffAccount]:
    return [staff_account(s, rules) for s in await repository.all_staff(session)]


async def set_staff_active(
    session: AsyncSession, staff_id: uuid.UUID, active: bool, *, actor: Actor
) -> StaffAccount:
    """Deactivate or reactivate national staff; super-administrators are managed from the CLI only."""
    staff = await repository.staff_by_id(session, staff_id)
    if staff is None or staff.role == "superadmin":
        raise LookupError(staff_id)
    staff.active = active
    record_national_audit(
        session,
        action="officer_reactivated" if active else "officer_deactivated",
        actor=actor,
        target=f"{staff.name}（{staff.username}）",
        summary=("启用" if active else "停用") + f"全国用户 {staff.name}",
    )
    return staff_account(staff, await security_rules(session))


async def applicant_mobile(session: AsyncSession, applicant_id: uuid.UUID) -> str | None:
    """Where to text an applicant (expiry reminders, case notices); None if the account is gone."""
    applicant = await repository.applicant_by_id(session, applicant_id)
    return applicant.mobile if applicant is not None and applicant.active else None


async def applicant_account_by_login(
    session: AsyncSession, login: str, rules: SecurityRules
) -> ApplicantAccount | None:
    """An applicant by ID number or mobile (demo data and imports find existing accounts this way)."""
    applicant = await repository.applicant_by_login(session, login)
    return applicant_account(applicant, rules) if applicant is not None else None
