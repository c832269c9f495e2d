"""Server-side sessions: idle and absolute timeouts, sign-out everywhere."""

import pytest
from redis.asyncio import Redis

from pharmreg.identity import Principal, SessionStore


@pytest.fixture
async def store(settings):
    redis = Redis.from_url(settings.redis_url)
    stale = [key async for key in redis.scan_iter("pharmreg-test:*")]
    if stale:
        await redis.delete(*stale)
    yield SessionStore(redis, prefix="pharmreg-test")
    await redis.aclose()


PERSON = Principal(kind="officer", user_id="00000000-0000-0000-0000-000000000001", name="测试", tenant="gd")


async def test_session_round_trip(store) -> None:
    token = await store.create(PERSON, idle_seconds=60, absolute_seconds=3600)
    data = await store.load(token)
    assert data is not None and data.principal == PERSON
    assert await store.load("not-a-token") is None
    assert await store.load(None) is None


async def test_idle_timeout(store, monkeypatch) -> None:
    import pharmreg.identity.sessions as sessions

    token = await store.create(PERSON, idle_seconds=60, absolute_seconds=3600)
    real = sessions.time.time
    monkeypatch.setattr(sessions.time, "time", lambda: real() + 61)
    assert await store.load(token) is None


async def test_absolute_timeout_despite_activity(store, monkeypatch) -> None:
    import pharmreg.identity.sessions as sessions

    token = await store.create(PERSON, idle_seconds=600, absolute_seconds=900)
    real = sessions.time.time
    for minutes in (5, 10, 14):  # active every few minutes: the idle timer keeps being refreshed
        monkeypatch.setattr(sessions.time, "time", lambda m=minutes: real() + m * 60)
        assert await store.load(token) is not None
    monkeypatch.setattr(sessions.time, "time", lambda: real() + 16 * 60)
    assert await store.load(token) is None


async def test_sign_out_everywhere(store) -> None:
    first = await store.create(PERSON, idle_seconds=60, absolute_seconds=3600)
    second = await store.create(PERSON, idle_seconds=60, absolute_seconds=3600)
    other = await store.create(
        Principal(kind="officer", user_id="00000000-0000-0000-0000-000000000002", name="别人", tenant="gd"),
        idle_seconds=60,
        absolute_seconds=3600,
    )
    assert await store.destroy_all(PERSON) == 2
    assert await store.load(first) is None and await store.load(second) is None
    assert await store.load(other) is not None
