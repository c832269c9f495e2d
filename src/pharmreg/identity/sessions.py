"""Server-side sessions in Redis with idle and absolute timeouts, and sign-out everywhere."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Awaitable
from typing import cast

import msgspec
from litestar.datastructures import Cookie
from redis.asyncio import Redis

SESSION_COOKIE = "pharmreg_session"
# Refresh the idle timer at most this often, so busy pages do not write on every request.
_TOUCH_SECONDS = 30


class Principal(msgspec.Struct, frozen=True):
    """Who is signed in. Current posts and state are re-read per request, never cached here."""

    kind: str  # "officer", "staff" or "applicant"
    user_id: str
    name: str
    tenant: str  # tenant slug; "national" for national staff and applicants

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.tenant}:{self.user_id}"


class SessionData(msgspec.Struct):
    principal: Principal
    created_at: float
    last_seen: float
    idle_seconds: int
    absolute_seconds: int
    # Password accepted, second factor still to come: nothing but the TOTP page is allowed.
    mfa_pending: bool = False
    # Short-lived values tied to this sign-in (e.g. a TOTP secret awaiting confirmation).
    scratch: dict[str, str] = msgspec.field(default_factory=dict)


class SessionStore:
    def __init__(self, redis: Redis, prefix: str = "pharmreg") -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, token: str) -> str:
        # Only a hash of the token is stored: a Redis dump does not hand out live sessions.
        return f"{self._prefix}:session:{hashlib.sha256(token.encode()).hexdigest()}"

    def _index(self, principal: Principal) -> str:
        return f"{self._prefix}:sessions:{principal.key}"

    async def create(
        self, principal: Principal, *, idle_seconds: int, absolute_seconds: int, mfa_pending: bool = False
    ) -> str:
        token = secrets.token_urlsafe(32)
        now = time.time()
        data = SessionData(principal, now, now, idle_seconds, absolute_seconds, mfa_pending)
        key = self._key(token)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, msgspec.json.encode(data), ex=idle_seconds)
            pipe.sadd(self._index(principal), key)
            # The index lives as long as its longest session: set when new, only ever extended.
            pipe.expire(self._index(principal), absolute_seconds, nx=True)
            pipe.expire(self._index(principal), absolute_seconds, gt=True)
            await pipe.execute()
        return token

    async def load(self, token: str | None) -> SessionData | None:
        """The live session for a cookie value, refreshing its idle timer; None if expired."""
        if not token or len(token) > 100:
            return None
        key = self._key(token)
        raw = await self._redis.get(key)
        if raw is None:
            return None
        data = msgspec.json.decode(raw, type=SessionData)
        now = time.time()
        if now - data.created_at > data.absolute_seconds or now - data.last_seen > data.idle_seconds:
            await self._redis.delete(key)
            return None
        if now - data.last_seen > _TOUCH_SECONDS:
            data.last_seen = now
            remaining = int(data.absolute_seconds - (now - data.created_at))
            await self._redis.set(
                key, msgspec.json.encode(data), ex=max(1, min(data.idle_seconds, remaining))
            )
        return data

    async def destroy(self, token: str | None) -> None:
        if token:
            await self._redis.delete(self._key(token))

    async def destroy_all(self, principal: Principal) -> int:
        """End every session of this person (sign-out everywhere, deactivation, password reset)."""
        index = self._index(principal)
        keys = await cast("Awaitable[set[bytes]]", self._redis.smembers(index))
        ended = int(await self._redis.delete(*keys)) if keys else 0  # expired ones are gone already
        await self._redis.delete(index)
        return ended

    async def stash(self, token: str, key: str, value: str) -> None:
        """Keep a value with the session until it is taken out or the session ends."""
        data = await self._raw(token)
        if data is not None:
            data.scratch[key] = value
            await self._save(token, data)

    async def unstash(self, token: str, key: str, *, remove: bool = False) -> str | None:
        data = await self._raw(token)
        if data is None:
            return None
        value = data.scratch.get(key)
        if remove and key in data.scratch:
            del data.scratch[key]
            await self._save(token, data)
        return value

    async def _raw(self, token: str) -> SessionData | None:
        raw = await self._redis.get(self._key(token))
        return msgspec.json.decode(raw, type=SessionData) if raw is not None else None

    async def _save(self, token: str, data: SessionData) -> None:
        await self._redis.set(self._key(token), msgspec.json.encode(data), keepttl=True)

    async def complete_mfa(self, token: str, data: SessionData) -> str:
        """Replace a half-signed-in session by a full one under a new token."""
        await self.destroy(token)
        return await self.create(
            data.principal, idle_seconds=data.idle_seconds, absolute_seconds=data.absolute_seconds
        )


def session_cookie_name(*, secure: bool) -> str:
    """In production `__Host-pharmreg_session`: the browser keeps it to this host, Secure, Path=/."""
    return f"__Host-{SESSION_COOKIE}" if secure else SESSION_COOKIE


def session_cookie(token: str, *, secure: bool, max_age: int | None) -> Cookie:
    """The session cookie: not readable by scripts, sent only to this site."""
    return Cookie(
        key=session_cookie_name(secure=secure),
        value=token,
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
        max_age=max_age,
    )


def expired_session_cookie(*, secure: bool) -> Cookie:
    return Cookie(
        key=session_cookie_name(secure=secure),
        value="",
        path="/",
        httponly=True,
        secure=secure,
        samesite="lax",
        max_age=0,
    )
