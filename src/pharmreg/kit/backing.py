"""The backing services (PostgreSQL, Redis): connecting to Redis so that a restart is survived,
recognising that one of them is unreachable, and logging an outage once when it starts and
once when it ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Literal

import asyncpg
import redis.exceptions
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from sqlalchemy import exc as sa_exc

Service = Literal["postgres", "redis"]

# Redis requests give up after this long rather than hang a page on a server that stopped answering.
REDIS_CONNECT_TIMEOUT_SECONDS = 3.0
REDIS_SOCKET_TIMEOUT_SECONDS = 5.0

_POSTGRES_DOWN = (
    asyncpg.exceptions.PostgresConnectionError,  # class 08: connection failure, rejection, lost
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)
_REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# A bare socket error (asyncpg raises ConnectionRefusedError as it is) is PostgreSQL's when the
# failing call came from the database driver.
_POSTGRES_MODULES = ("asyncpg", "sqlalchemy")


def redis_client(url: str) -> Redis:
    """A Redis client that retries once on a dropped connection (a restarted server leaves stale
    pooled connections) and never waits forever for an unresponsive one."""
    client: Redis = Redis.from_url(
        url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=1),
        retry_on_error=[redis.exceptions.ConnectionError, redis.exceptions.TimeoutError],
        health_check_interval=30,
    )
    return client


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen and len(seen) < 10:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _raised_in(traceback: TracebackType | None, modules: tuple[str, ...]) -> bool:
    while traceback is not None:
        name = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if name.startswith(modules):
            return True
        traceback = traceback.tb_next
    return False


def unavailable_service(exc: BaseException) -> Service | None:
    """Which backing service `exc` says is unreachable, or None if it is another kind of error."""
    for link in _chain(exc):
        if isinstance(link, _REDIS_DOWN):
            return "redis"
        if isinstance(link, sa_exc.DBAPIError) and link.connection_invalidated:
            return "postgres"
        if isinstance(link, _POSTGRES_DOWN):
            return "postgres"
        if isinstance(link, OSError | TimeoutError) and _raised_in(link.__traceback__, _POSTGRES_MODULES):
            return "postgres"
    return None


class OutageLog:
    """Logs `<prefix>.<what>_unavailable` when a service first fails and `<prefix>.<what>_recovered`
    when it answers again, instead of an error per failed attempt. Keyword fields name the
    subject (e.g. `source="tenant_gd"`), so outages of several subjects are told apart."""

    def __init__(self, log: Any, prefix: str) -> None:
        self._log = log
        self._prefix = prefix
        self._since: dict[tuple[str, tuple[tuple[str, Any], ...]], float] = {}

    def down(self, what: str, exc: BaseException, **subject: Any) -> bool:
        """Record a failure; True (and one warning) only when the outage begins."""
        key = (what, tuple(sorted(subject.items())))
        if key in self._since:
            return False
        self._since[key] = time.monotonic()
        self._log.warning(
            f"{self._prefix}.{what}_unavailable", error=f"{type(exc).__name__}: {exc}", **subject
        )
        return True

    def up(self, what: str, **subject: Any) -> bool:
        """Record a success; True (and one line with the outage's length) when it ends one."""
        since = self._since.pop((what, tuple(sorted(subject.items()))), None)
        if since is None:
            return False
        self._log.info(
            f"{self._prefix}.{what}_recovered", down_seconds=round(time.monotonic() - since, 1), **subject
        )
        return True
