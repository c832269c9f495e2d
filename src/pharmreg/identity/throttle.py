"""Sign-in throttling that stops password guessing without handing anyone a switch to lock
others out.

Failures are counted in PostgreSQL (they survive a Redis restart) per account and source, per
account, and per address. A source is the client address, or, for a browser where the account
signed in before, that browser (a signed device cookie). The rules (`verdict`):

- from the third attempt of one source on one account, or once the account has
  `lockout_threshold` failures from all sources, a new device must type a picture's digits
  before its password is even checked;
- `lockout_threshold` failures of one source lock that source out of that account for
  `lockout_minutes`: an attacker's failures elsewhere do not stop the holder;
- `ACCOUNT_LOCK_FACTOR` times as many failures from all sources (a distributed attack,
  solving pictures) lock the account on new devices only: a known device still signs in
  with the right password;
- an address with `ADDRESS_LIMIT` failures on any accounts is refused on new devices.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar.datastructures import Cookie
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import repository
from pharmreg.identity.models import NationalSignInFailure, TenantSignInFailure
from pharmreg.identity.schemas import SecurityRules
from pharmreg.kit.captcha import new_captcha, solved
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import is_tenant_session

CAPTCHA_AFTER = 2  # failures of one source on one account before the picture is asked
ACCOUNT_LOCK_FACTOR = 4
ADDRESS_LIMIT = 30
EVERY = "*"


@dataclass(frozen=True, slots=True)
class Counts:
    """Failures in the current window, and locks in force, as one attempt finds them."""

    source: int = 0
    account: int = 0
    address: int = 0
    source_locked_until: datetime | None = None
    account_locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with an attempt before its password is checked."""

    kind: str  # "check" (the password), "captcha", "locked" or "busy" (the address)
    minutes: int = 0
    account_wide: bool = False


def _minutes(until: datetime, now: datetime) -> int:
    return max(1, -(-int((until - now).total_seconds()) // 60))


def verdict(counts: Counts, *, known_device: bool, rules: SecurityRules, now: datetime) -> Verdict:
    """The rules of the module docstring, as a pure function."""
    if counts.source_locked_until is not None and counts.source_locked_until > now:
        return Verdict("locked", _minutes(counts.source_locked_until, now))
    if known_device:
        return Verdict("captcha") if counts.source >= CAPTCHA_AFTER else Verdict("check")
    if counts.address >= ADDRESS_LIMIT:
        return Verdict("busy")
    if counts.account_locked_until is not None and counts.account_locked_until > now:
        return Verdict("locked", _minutes(counts.account_locked_until, now), account_wide=True)
    if counts.source >= CAPTCHA_AFTER or counts.account >= rules.lockout_threshold:
        return Verdict("captcha")
    return Verdict("check")


@dataclass(frozen=True, slots=True)
class Failure:
    """What one more failure led to."""

    source_locked: bool = False
    account_locked: bool = False
    # The holder should hear of it (a lock, or the account reaching the threshold), at most once
    # per lockout period unless the whole account was just locked.
    alert: bool = False
    account_failures: int = 0


def after_failure(
    counts: Counts,
    *,
    known_device: bool,
    rules: SecurityRules,
    notified_at: datetime | None,
    now: datetime,
) -> Failure:
    """Locks and alerts once `counts` include the failure just made (pure)."""
    source_locked = counts.source >= rules.lockout_threshold
    account_locked = not known_device and counts.account == rules.lockout_threshold * ACCOUNT_LOCK_FACTOR
    reached = counts.account == rules.lockout_threshold
    quiet = notified_at is None or notified_at < now - timedelta(minutes=rules.lockout_minutes)
    return Failure(
        source_locked=source_locked,
        account_locked=account_locked,
        alert=account_locked or ((source_locked or reached) and quiet),
        account_failures=counts.account,
    )


class DeviceCookies:
    """Signed cookies marking a browser where an account completed a sign-in before.

    One cookie per account (several officers may share an office computer), scoped to the
    realm's paths; only this platform can make one, and it opens nothing without the password.
    """

    MAX_AGE = 180 * 24 * 3600

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"pharmreg device cookies:{secret}".encode()).digest()

    @staticmethod
    def name(account_key: str) -> str:
        return "pharmreg_device_" + hashlib.sha256(account_key.encode()).hexdigest()[:16]

    def _mac(self, account_key: str, issued: int) -> str:
        digest = hmac.new(self._key, f"{account_key}|{issued}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def cookie(self, account_key: str, *, path: str, secure: bool) -> Cookie:
        issued = int(time.time())
        return Cookie(
            key=self.name(account_key),
            value=f"{issued}.{self._mac(account_key, issued)}",
            path=path,
            max_age=self.MAX_AGE,
            httponly=True,
            secure=secure,
            samesite="lax",
        )

    def source(self, account_key: str, cookies: Mapping[str, str]) -> str | None:
        """The device as a throttling source ("d:…"), if the browser holds a valid cookie."""
        value = cookies.get(self.name(account_key), "")
        issued_text, _, mac = value.partition(".")
        if not issued_text.isdigit() or len(value) > 100:
            return None
        issued = int(issued_text)
        if time.time() - issued > self.MAX_AGE or not hmac.compare_digest(
            mac, self._mac(account_key, issued)
        ):
            return None
        return "d:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def address_source(address: str | None) -> str:
    return f"ip:{(address or 'unknown')[:64]}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One sign-in attempt as the guard sees it."""

    kind: str
    subject: str  # "a:<account id>" or "l:<login>"
    source: str
    address: str

    @property
    def known_device(self) -> bool:
        return self.source.startswith("d:")


class SignInGuard:
    """Counts failures in the realm's own schema; pictures to type in come from Redis."""

    def __init__(self, redis: Redis, devices: DeviceCookies) -> None:
        self._redis = redis
        self.devices = devices

    @staticmethod
    def _model(session: AsyncSession) -> type[TenantSignInFailure] | type[NationalSignInFailure]:
        return TenantSignInFailure if is_tenant_session(session) else NationalSignInFailure

    async def counts(self, session: AsyncSession, attempt: Attempt, rules: SecurityRules) -> Counts:
        """Locks this account-and-source's row until commit, so that parallel attempts wait for
        each other and a burst cannot outrun the count; then reads the three counts."""
        model = self._model(session)
        now = utcnow()
        if await repository.hold_failure_row(session, model, attempt.kind, attempt.subject, attempt.source):
            await repository.purge_failures(session, model, before=now - timedelta(days=1), now=now)
        address = address_source(attempt.address)
        rows = await repository.failure_rows(
            session,
            model,
            attempt.kind,
            [(attempt.subject, attempt.source), (attempt.subject, EVERY), (EVERY, address)],
        )
        cutoff = now - timedelta(minutes=rules.lockout_window_minutes)

        def live(key: tuple[str, str]) -> int:
            row = rows.get(key)
            return row.failures if row is not None and row.window_started_at >= cutoff else 0

        own = rows.get((attempt.subject, attempt.source))
        whole = rows.get((attempt.subject, EVERY))
        return Counts(
            source=live((attempt.subject, attempt.source)),
            account=live((attempt.subject, EVERY)),
            address=live((EVERY, address)),
            source_locked_until=own.locked_until if own is not None else None,
            account_locked_until=whole.locked_until if whole is not None else None,
        )

    async def verdict(self, session: AsyncSession, attempt: Attempt, rules: SecurityRules) -> Verdict:
        """What the rules say of this attempt now (nothing counted)."""
        counts = await self.counts(session, attempt, rules)
        return verdict(counts, known_device=attempt.known_device, rules=rules, now=utcnow())

    async def judge(
        self,
        session: AsyncSession,
        attempt: Attempt,
        rules: SecurityRules,
        *,
        captcha_token: str,
        answer: str,
    ) -> Verdict:
        """May the password be checked? A picture asked for and solved counts as "check"."""
        found = await self.verdict(session, attempt, rules)
        if found.kind != "captcha":
            return found
        if answer.strip() and await solved(self._redis, captcha_token, answer):
            return Verdict("check")
        # A wrong or missing answer counts against the address, so that nobody hammers pictures.
        await repository.add_failure(
            session,
            self._model(session),
            attempt.kind,
            EVERY,
            address_source(attempt.address),
            window_minutes=rules.lockout_window_minutes,
            now=utcnow(),
        )
        return found

    async def failed(self, session: AsyncSession, attempt: Attempt, rules: SecurityRules) -> Failure:
        """Count a wrong password (or second factor) three ways; lock and alert as the rules say."""
        model = self._model(session)
        now = utcnow()
        window = rules.lockout_window_minutes
        own = await repository.add_failure(
            session, model, attempt.kind, attempt.subject, attempt.source, window_minutes=window, now=now
        )
        whole = await repository.add_failure(
            session, model, attempt.kind, attempt.subject, EVERY, window_minutes=window, now=now
        )
        address = await repository.add_failure(
            session,
            model,
            attempt.kind,
            EVERY,
            address_source(attempt.address),
            window_minutes=window,
            now=now,
        )
        outcome = after_failure(
            Counts(source=own.failures, account=whole.failures, address=address.failures),
            known_device=attempt.known_device,
            rules=rules,
            notified_at=whole.notified_at,
            now=now,
        )
        until = now + timedelta(minutes=rules.lockout_minutes)
        if outcome.source_locked:
            await repository.lock_failures(
                session, model, attempt.kind, attempt.subject, attempt.source, until
            )
        if outcome.account_locked:
            await repository.lock_failures(session, model, attempt.kind, attempt.subject, EVERY, until)
        if outcome.alert and attempt.subject.startswith("a:"):
            await repository.mark_alerted(session, model, attempt.kind, attempt.subject, now)
        return outcome

    async def succeeded(self, session: AsyncSession, attempt: Attempt) -> None:
        """The source's count starts again; what other sources did to the account stays."""
        await repository.clear_failures(
            session, self._model(session), attempt.kind, attempt.subject, attempt.source
        )

    async def unlock(self, session: AsyncSession, kind: str, subject: str) -> None:
        """Every count and lock of the account ends (its password was just reset)."""
        await repository.clear_failures(session, self._model(session), kind, subject, None)

    async def captcha(self) -> tuple[str, str]:
        """A fresh picture: (token, PNG data URI)."""
        return await new_captcha(self._redis)
