"""The relay: wakes on NOTIFY from any outbox, scans all sources regularly, delivers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence

import asyncpg
from sqlalchemy.engine import make_url

from pharmreg.events.delivery import DeliveryOptions, deliver_pending
from pharmreg.events.schemas import Consumer, Source
from pharmreg.kit.backing import OutageLog, unavailable_service
from pharmreg.kit.db import PRIMARY_PLACEMENT, Database, redact_url
from pharmreg.kit.logging import get_logger

log = get_logger(__name__)

CHANNEL = "pharmreg_outbox"
# A lost LISTEN connection is tried again after poll_seconds, doubling up to this.
LISTEN_MAX_PAUSE_SECONDS = 30.0
SourcesProvider = Callable[[], Awaitable[Sequence[Source]]]


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy URL as a DSN that asyncpg itself accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Relay:
    """Delivers every source's outbox to the consumers until stopped."""

    def __init__(
        self,
        db: Database,
        *,
        sources: SourcesProvider,
        consumers: Mapping[str, Sequence[Consumer]],
        listen_urls: Sequence[str],
        poll_seconds: float,
        options: DeliveryOptions,
    ) -> None:
        self._db = db
        self._sources = sources
        self._consumers = consumers
        self._listen_urls = listen_urls
        self._poll_seconds = poll_seconds
        self._options = options
        self._woken: set[str] = set()
        self._wake = asyncio.Event()
        # An unreachable database is logged once when it goes and once when it is back.
        self._outages = OutageLog(log, "outbox")

    async def run(self, stop: asyncio.Event) -> None:
        listeners = [asyncio.create_task(self._listen(url, stop)) for url in self._listen_urls]
        loop = asyncio.get_running_loop()
        last_full_scan = float("-inf")
        try:
            while not stop.is_set():
                woken: set[str] | None = self._take_woken()
                if loop.time() - last_full_scan >= self._poll_seconds:
                    woken, last_full_scan = None, loop.time()
                try:
                    await self.pass_once(only=woken)
                except Exception as exc:  # e.g. the national database is briefly unreachable
                    if unavailable_service(exc) is None:
                        log.error("outbox.pass_failed", exc_info=exc)
                    else:  # the registry of sources lives on the primary server
                        self._outages.down("postgres", exc, placement=PRIMARY_PLACEMENT)
                    last_full_scan = float("-inf")  # rescan everything once it answers again
                # A pass that returns has not shown the server is back: its sources may each have
                # failed. Recovery is recorded by the first source of that server delivering.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
        finally:
            for task in listeners:
                task.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)

    def _take_woken(self) -> set[str]:
        """Schemas named by NOTIFY since the last pass."""
        self._wake.clear()
        woken, self._woken = self._woken, set()
        return woken

    async def pass_once(self, only: set[str] | None = None) -> int:
        """Drain each source (or only those named); returns how many events were delivered."""
        delivered = 0
        for source in await self._sources():
            if only is not None and source.schema not in only:
                continue
            try:
                delivered += await deliver_pending(self._db, source, self._consumers, self._options)
            except Exception as exc:  # a source that is unreachable must not stop the others
                if unavailable_service(exc) is None:
                    log.error("outbox.source_failed", source=source.schema, exc_info=exc)
                else:  # one line per server that is away, however many schemas it holds
                    self._outages.down("postgres", exc, placement=source.placement)
            else:
                self._outages.up("postgres", placement=source.placement)
        return delivered

    async def _listen(self, url: str, stop: asyncio.Event) -> None:
        def notified(_conn: object, _pid: int, _channel: str, payload: str) -> None:
            self._woken.add(payload)
            self._wake.set()

        server = redact_url(url)
        failures = 0
        while not stop.is_set():
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(asyncpg_dsn(url))
                closed = asyncio.Event()
                connection.add_termination_listener(lambda _conn, done=closed: done.set())
                await connection.add_listener(CHANNEL, notified)
                failures = 0
                self._outages.up("listen", server=server)
                log.info("outbox.listening", channel=CHANNEL)
                # Whatever was committed while no one listened is found by the next full scan.
                self._wake.set()
                waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(closed.wait())]
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiter in waiters:
                        waiter.cancel()
                if closed.is_set() and not stop.is_set():
                    raise ConnectionResetError("the LISTEN connection was closed by the server")
            except Exception as exc:  # the server is away or restarting: keep trying, quietly
                failures += 1
                self._outages.down("listen", exc, server=server)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()
            # A lost listener only delays delivery to the next scan; try again, less often
            # while the server stays away.
            pause = min(LISTEN_MAX_PAUSE_SECONDS, self._poll_seconds * 2 ** max(0, failures - 1))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
