"""Every process's policy cache follows authority changes: pub/sub first, version check as backstop."""

import asyncio
import contextlib

import pytest
from redis.asyncio import Redis

from pharmreg.authority import PolicyCache, reproject
from pharmreg.authority import cache as cache_module
from tests.people import authority_model


async def bump(platform, slug: str) -> int:
    """Reproject the tenant (what every grant and revocation does); returns the new version."""
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        return await reproject(session, tenant)


async def eventually(check, seconds: float = 5.0) -> bool:
    """Poll `check` until it holds or the deadline passes (a deadline, not a speed claim)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.fixture
async def processes(platform):
    """Two caches as two processes would hold them, each listening on its own connection."""
    stop = asyncio.Event()
    redis = [Redis.from_url(platform.settings.redis_url) for _ in range(2)]
    caches = [PolicyCache(r, authority_model(platform)) for r in redis]
    listeners = [asyncio.create_task(c.listen(stop)) for c in caches]
    await asyncio.sleep(0.2)  # subscribed
    yield caches
    stop.set()
    for task in listeners:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 3)
    for r in redis:
        await r.aclose()


def factory(platform, slug: str):
    tenant = platform.directory.get(slug)
    return lambda: platform.db.tenant(tenant.schema)


async def test_an_announced_change_reaches_every_process(platform, processes, monkeypatch) -> None:
    monkeypatch.setattr(cache_module, "CHECK_SECONDS", 3600.0)  # only the announcement can help
    first, second = processes
    sessions = factory(platform, "hb")
    before = (await second.policy("hb", sessions)).version
    version = await bump(platform, "hb")
    assert version > before
    assert (await second.policy("hb", sessions)).version == before  # cached, not yet told
    await first.announce("hb")

    async def seen() -> bool:
        return (await second.policy("hb", sessions)).version == version

    assert await eventually(seen)


async def test_a_lost_announcement_is_caught_by_the_version_check(platform, processes, monkeypatch) -> None:
    _first, second = processes
    sessions = factory(platform, "hn")
    monkeypatch.setattr(cache_module, "CHECK_SECONDS", 3600.0)
    before = (await second.policy("hn", sessions)).version
    version = await bump(platform, "hn")  # and no announcement
    assert (await second.policy("hn", sessions)).version == before
    monkeypatch.setattr(cache_module, "CHECK_SECONDS", 0.05)

    async def seen() -> bool:
        return (await second.policy("hn", sessions)).version == version

    assert await eventually(seen)


async def test_tenants_are_cached_apart(platform, processes) -> None:
    first, _second = processes
    hb = await first.policy("hb", factory(platform, "hb"))
    hn = await first.policy("hn", factory(platform, "hn"))
    assert hb is not hn
    assert hb.responsible_unit("first_registration", "420106") == "420000"
    assert hn.responsible_unit("first_registration", "420106") is None  # Hubei is not Hunan's
