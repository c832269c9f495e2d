"""Sign-in throttling: per-account temporary lockout and a per-address brake, in Redis."""

from __future__ import annotations

import math

from redis.asyncio import Redis

# Per client address, across all accounts: stops one machine from trying many accounts.
ADDRESS_LIMIT = 30
ADDRESS_WINDOW_SECONDS = 600


class LockedOutError(Exception):
    """Too many failures for this account; `minutes` until it may try again."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


class TooManyAttemptsError(Exception):
    """Too many failures from this address."""


class SignInThrottle:
    def __init__(self, redis: Redis, prefix: str = "pharmreg") -> None:
        self._redis = redis
        self._prefix = prefix

    def _keys(self, realm: str, account: str) -> tuple[str, str]:
        account = account.strip().lower()
        return (
            f"{self._prefix}:signin:fail:{realm}:{account}",
            f"{self._prefix}:signin:lock:{realm}:{account}",
        )

    async def check(self, realm: str, account: str, address: str | None) -> None:
        """Refuse before checking the password if the account or the address is blocked."""
        _fails, lock = self._keys(realm, account)
        ttl = await self._redis.ttl(lock)
        if ttl and ttl > 0:
            raise LockedOutError(math.ceil(ttl / 60))
        if address:
            count = await self._redis.get(f"{self._prefix}:signin:addr:{address}")
            if count is not None and int(count) >= ADDRESS_LIMIT:
                raise TooManyAttemptsError

    async def failed(
        self,
        realm: str,
        account: str,
        address: str | None,
        *,
        threshold: int,
        window_minutes: int,
        lockout_minutes: int,
    ) -> bool:
        """Count a failure; True when this failure locked the account."""
        fails, lock = self._keys(realm, account)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(fails)
            pipe.expire(fails, window_minutes * 60, nx=True)
            if address:
                pipe.incr(f"{self._prefix}:signin:addr:{address}")
                pipe.expire(f"{self._prefix}:signin:addr:{address}", ADDRESS_WINDOW_SECONDS, nx=True)
            count = (await pipe.execute())[0]
        if count >= threshold:
            await self._redis.set(lock, "1", ex=lockout_minutes * 60)
            await self._redis.delete(fails)
            return True
        return False

    async def succeeded(self, realm: str, account: str) -> None:
        fails, _lock = self._keys(realm, account)
        await self._redis.delete(fails)

    async def unlock(self, realm: str, account: str) -> None:
        """An administrator lifts a lockout (e.g. after resetting the password)."""
        await self._redis.delete(*self._keys(realm, account))
