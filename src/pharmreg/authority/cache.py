"""Each process's authority enforcers, one per tenant, kept current within a second.

A change is announced on Redis pub/sub right after its commit, and every process drops the
tenant's enforcer at once. Because pub/sub can lose messages, every process also re-reads
the tenant's version from its database at most once a second when it consults the policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.authority import repository
from pharmreg.authority.policy import AuthorityPolicy
from pharmreg.authority.service.delegation import load_policy
from pharmreg.kit.backing import OutageLog
from pharmreg.kit.logging import get_logger

log = get_logger(__name__)
CHANNEL = "pharmreg:authority"
CHECK_SECONDS = 1.0


@dataclass
class _Entry:
    policy: AuthorityPolicy
    checked_at: float


class PolicyCache:
    def __init__(self, redis: Redis, model_text: str) -> None:
        self._redis = redis
        self._model_text = model_text
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        # Bumped by every announcement: a load that was already reading when a change was
        # announced may hold the old rules, so it is not trusted for the coming second.
        self._generations: dict[str, int] = {}

    async def policy(self, tenant_slug: str, session_factory: Callable[[], AsyncSession]) -> AuthorityPolicy:
        """The tenant's current policy: at most a second behind its database, usually not at all."""
        entry = self._entries.get(tenant_slug)
        now = time.monotonic()
        if entry is not None and now - entry.checked_at < CHECK_SECONDS:
            return entry.policy
        lock = self._locks.setdefault(tenant_slug, asyncio.Lock())
        async with lock:
            entry = self._entries.get(tenant_slug)
            if entry is not None and time.monotonic() - entry.checked_at < CHECK_SECONDS:
                return entry.policy
            generation = self._generations.get(tenant_slug, 0)
            async with session_factory() as session:
                version = await repository.current_version(session)
                if entry is None or entry.policy.version != version:
                    policy = await load_policy(session, self._model_text)
                    log.info(
                        "authority.policy_loaded",
                        tenant=tenant_slug,
                        version=policy.version,
                        rules=policy.rule_count,
                    )
                else:
                    policy = entry.policy
            stale = self._generations.get(tenant_slug, 0) != generation
            self._entries[tenant_slug] = _Entry(policy, float("-inf") if stale else time.monotonic())
            return policy

    @property
    def model_text(self) -> str:
        """The Casbin model every enforcer of this process is built from."""
        return self._model_text

    def forget(self, tenant_slug: str) -> None:
        self._generations[tenant_slug] = self._generations.get(tenant_slug, 0) + 1
        self._entries.pop(tenant_slug, None)

    async def announce(self, tenant_slug: str) -> None:
        """Tell every process (this one included) that the tenant's authority changed; after commit."""
        self.forget(tenant_slug)
        try:
            await self._redis.publish(CHANNEL, tenant_slug)
        except Exception as exc:  # the once-a-second version check still catches the change
            log.warning("authority.announce_failed", tenant=tenant_slug, error=str(exc))

    async def listen(
        self, stop: asyncio.Event, on_change: Callable[[str], Awaitable[None]] | None = None
    ) -> None:
        """Drop a tenant's enforcer whenever a change is announced; reconnects on failure."""
        outages = OutageLog(log, "authority")  # one line when Redis goes, one when it is back
        while not stop.is_set():
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    outages.up("listen")
                    while not stop.is_set():
                        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                        if message is None:
                            continue
                        slug = (
                            message["data"].decode()
                            if isinstance(message["data"], bytes)
                            else str(message["data"])
                        )
                        self.forget(slug)
                        if on_change is not None:
                            await on_change(slug)
            except Exception as exc:  # Redis away: rely on the version check, retry shortly
                outages.down("listen", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=CHECK_SECONDS)
