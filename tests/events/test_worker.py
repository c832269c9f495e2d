"""The real worker process woken by NOTIFY; a relay process killed in the middle of a delivery,
and the worker that delivers what it left, each event applied once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator

from sqlalchemy import func, select

from pharmreg.events.models import ConsumedEvent, TenantOutbox
from tests.factories import add_units, national_figure


class Worker:
    """`python -m workers` as ops/run starts it, with its log captured."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace"))

    async def wait_for_log(self, text: str) -> None:
        deadline = time.monotonic() + 30
        while not any(text in line for line in self.lines):
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker never logged {text!r}:\n" + "".join(self.lines[-30:]))
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=15)
            except TimeoutError:
                self.process.kill()
        await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def worker(
    platform, project_root, *args: str, module: str = "workers", **env: str
) -> AsyncIterator[Worker]:
    """`python -m workers`, or another module run the same way with `args`."""
    environment = {
        **os.environ,
        "DATABASE_URL": platform.settings.database_url,
        "REDIS_URL": platform.settings.redis_url,
        "PHARMREG_ENV": "test",
        "PHARMREG_LOG_FORMAT": "json",
        "PHARMREG_LOG_LEVEL": "INFO",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args,
        cwd=project_root, env=environment,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    running = Worker(process)
    try:
        await running.wait_for_log("outbox.listening")
        yield running
    finally:
        running.kill()
        await running.stop()


async def delivery_state(platform, slug: str, ids: list[int]) -> tuple[int, int]:
    """(events applied nationally, events marked delivered at the source) among `ids`."""
    tenant = platform.directory.get(slug)
    async with platform.db.national() as session:
        consumed = await session.scalar(
            select(func.count()).where(
                ConsumedEvent.consumer == "supervision.province_figures",
                ConsumedEvent.source_schema == tenant.schema,
                ConsumedEvent.event_id.in_(ids),
            )
        )
    async with platform.db.tenant(tenant.schema) as session:
        delivered = await session.scalar(
            select(func.count()).where(TenantOutbox.id.in_(ids), TenantOutbox.delivered_at.is_not(None))
        )
    return int(consumed or 0), int(delivered or 0)


async def test_notify_wakes_the_relay(platform, project_root) -> None:
    # With a 60 s scan interval only the NOTIFY sent at commit can explain a prompt delivery.
    async with worker(platform, project_root, PHARMREG_OUTBOX_POLL_SECONDS="60") as running:
        await asyncio.sleep(0.5)  # let the start-up scan finish
        before = await national_figure(platform, "sc")
        ids = await add_units(platform, "sc", 2, "510104")
        deadline = time.monotonic() + 20
        while (await delivery_state(platform, "sc", ids))[1] < 2:
            assert time.monotonic() < deadline, "".join(running.lines[-20:])
            await asyncio.sleep(0.1)
    assert await national_figure(platform, "sc") == before + 2


async def test_killed_worker_applies_every_event_exactly_once(platform, project_root) -> None:
    before = await national_figure(platform, "gd")
    ids = await add_units(platform, "gd", 120, "440104")
    # A relay process pauses 2 s between committing a batch of 40 nationally and marking it
    # delivered; it is killed inside that window, the most dangerous moment for duplicates.
    async with worker(platform, project_root, "2000", "40", module="tests.events.paused_relay") as first:
        deadline = time.monotonic() + 60
        while True:
            consumed, delivered = await delivery_state(platform, "gd", ids)
            if consumed > delivered:
                first.kill()
                break
            assert time.monotonic() < deadline, "".join(first.lines[-20:])
            await asyncio.sleep(0.02)
        await first.process.wait()
    consumed, delivered = await delivery_state(platform, "gd", ids)
    assert consumed > delivered, "the kill landed outside the window it is meant to test"

    async with worker(platform, project_root) as second:
        deadline = time.monotonic() + 60
        while (await delivery_state(platform, "gd", ids))[1] < len(ids):
            assert time.monotonic() < deadline, "".join(second.lines[-20:])
            await asyncio.sleep(0.1)
        log = "".join(second.lines)

    assert await delivery_state(platform, "gd", ids) == (len(ids), len(ids))
    assert await national_figure(platform, "gd") == before + len(ids)
    assert "outbox.duplicate_skipped" in log  # the redelivered batch was recognised
