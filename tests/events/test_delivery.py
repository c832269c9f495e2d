"""The outbox: written with the change, delivered in order, applied once."""

import asyncio

import pytest
from sqlalchemy import func, select, update

from pharmreg.events import (
    DeliveryOptions,
    Event,
    Relay,
    deliver_pending,
    index_consumers,
    record_event,
    release_parked,
)
from pharmreg.events.models import ConsumedEvent, NationalOutbox, OutboxCursor, TenantOutbox
from pharmreg.practice import UNIT_REGISTERED, count_practice_units, register_practice_unit
from pharmreg.supervision import ProvinceFiguresProjection
from tests.factories import add_units, national_figure, unit_form

CONSUMERS = index_consumers([ProvinceFiguresProjection()])


async def drain(platform, slug: str, consumers=CONSUMERS, **options) -> int:
    return await deliver_pending(
        platform.db, platform.directory.get(slug).source, consumers, DeliveryOptions(**options)
    )


async def test_event_goes_to_the_outbox_of_the_sessions_schema(platform) -> None:
    tenant = platform.directory.get("js")
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        record_event(session, "test.tenant_event", {"n": 1})
    async with platform.db.national() as session, session.begin():
        record_event(session, "test.national_event", {"n": 2})
    async with platform.db.tenant(tenant.schema) as session:
        topics = set(
            await session.scalars(select(TenantOutbox.topic).where(TenantOutbox.topic.like("test.%")))
        )
    async with platform.db.national() as session:
        national = set(
            await session.scalars(select(NationalOutbox.topic).where(NationalOutbox.topic.like("test.%")))
        )
    assert topics == {"test.tenant_event"}
    assert national == {"test.national_event"}
    await drain(platform, "js")  # leave nothing pending for other tests


async def test_delivery_updates_national_figures(platform) -> None:
    await drain(platform, "gd")  # what earlier tests left (accounts, audit entries)
    before = await national_figure(platform, "gd")
    ids = await add_units(platform, "gd", 3, "440106")
    assert await drain(platform, "gd") == 3
    assert await national_figure(platform, "gd") == before + 3
    async with platform.db.national() as session:
        cursor = await session.get(OutboxCursor, "tenant_gd")
    assert cursor.last_event_id == max(ids)


async def test_rolled_back_change_sends_nothing(platform) -> None:
    before = await national_figure(platform, "gd")
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        await session.begin()
        await register_practice_unit(session, unit_form(), in_territory=lambda _code: True)
        await session.rollback()
    assert await drain(platform, "gd") == 0
    assert await national_figure(platform, "gd") == before


async def test_redelivery_after_crash_is_applied_once(platform) -> None:
    """The crash window: national effects committed, source rows not yet marked delivered."""
    await drain(platform, "sc")
    before = await national_figure(platform, "sc")
    ids = await add_units(platform, "sc", 4, "510104")
    assert await drain(platform, "sc") == 4
    tenant = platform.directory.get("sc")
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        await session.execute(update(TenantOutbox).where(TenantOutbox.id.in_(ids)).values(delivered_at=None))
    assert await drain(platform, "sc") == 4  # delivered again ...
    assert await national_figure(platform, "sc") == before + 4  # ... but applied once
    async with platform.db.national() as session:
        consumed = await session.scalar(
            select(func.count()).where(
                ConsumedEvent.source_schema == "tenant_sc", ConsumedEvent.event_id.in_(ids)
            )
        )
    assert consumed == 4


class FailingOn:
    """A consumer that refuses one event, to show ordering, retries and parking."""

    name = "test.failing"
    topics = frozenset({UNIT_REGISTERED})

    def __init__(self, event_id: int) -> None:
        self.event_id = event_id
        self.seen: list[int] = []

    async def apply(self, session, event: Event) -> None:
        if event.id == self.event_id:
            raise ValueError("refused on purpose")
        self.seen.append(event.id)


async def test_failure_stops_the_source_then_parks(platform) -> None:
    await drain(platform, "bj")
    ids = await add_units(platform, "bj", 3, "110101")
    failing = FailingOn(ids[1])
    consumers = index_consumers([ProvinceFiguresProjection(), failing])
    assert await drain(platform, "bj", consumers, max_attempts=2) == 1
    assert failing.seen == [ids[0]]  # the third event did not overtake the failed second
    tenant = platform.directory.get("bj")
    async with platform.db.tenant(tenant.schema) as session:
        row = await session.get(TenantOutbox, ids[1])
        assert row.attempts == 1 and "refused on purpose" in row.last_error and row.parked_at is None
    assert await drain(platform, "bj", consumers, max_attempts=2) == 0  # second failure: parked
    async with platform.db.tenant(tenant.schema) as session:
        row = await session.get(TenantOutbox, ids[1])
        assert row.attempts == 2 and row.parked_at is not None and row.delivered_at is None
    assert await drain(platform, "bj", consumers, max_attempts=2) == 1  # the rest flows again
    assert failing.seen == [ids[0], ids[2]]
    # An operator releases the parked event once the cause is fixed; it is then delivered.
    assert await release_parked(platform.db, tenant.source, ids[1]) == 1
    assert await release_parked(platform.db, tenant.source, ids[1]) == 0  # nothing parked now
    assert await drain(platform, "bj") == 1


async def test_concurrent_drains_are_serialised(platform) -> None:
    """Only one drain holds a source at a time; the others step aside, nothing is applied twice."""
    before = await national_figure(platform, "js")
    await add_units(platform, "js", 30, "320102")
    counts = await asyncio.gather(*[drain(platform, "js", batch_size=5) for _ in range(4)])
    assert sum(counts) == 30
    assert await national_figure(platform, "js") == before + 30


@pytest.mark.parametrize("slug", ["gd", "bj", "bt"])
async def test_figures_match_the_provinces_own_tables(platform, slug: str) -> None:
    await drain(platform, slug)
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session:
        actual = await count_practice_units(session)
    assert await national_figure(platform, slug) == actual


async def test_relay_survives_an_unreachable_database(platform) -> None:
    """A failing pass is logged and retried; the relay keeps delivering afterwards."""
    calls = 0
    gd = platform.directory.get("gd").source

    async def flaky_sources():
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionRefusedError("database restarting")
        return [gd]

    relay = Relay(
        platform.db, sources=flaky_sources, consumers=CONSUMERS, listen_urls=[], poll_seconds=0.05,
        options=DeliveryOptions(),
    )  # fmt: skip
    before = await national_figure(platform, "gd")
    await add_units(platform, "gd", 1, "440106")
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    for _ in range(100):
        if await national_figure(platform, "gd") == before + 1:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert calls >= 2
    assert await national_figure(platform, "gd") == before + 1


async def test_events_wait_for_older_open_transactions(platform) -> None:
    """An event is not released while a transaction that started earlier is still open."""
    tenant = platform.directory.get("sc")
    await drain(platform, "sc")
    async with platform.db.tenant(tenant.schema) as slow:
        await slow.begin()
        await register_practice_unit(slow, unit_form("510104"), in_territory=lambda _code: True)
        await slow.flush()  # the slow transaction has written its event, not committed it
        ids = await add_units(platform, "sc", 1, "510104")  # a later transaction commits first
        assert await drain(platform, "sc") == 0  # held back: the slow one could still commit
        await slow.commit()
    assert await drain(platform, "sc") == 2
    async with platform.db.tenant(tenant.schema) as session:
        order = list(
            await session.scalars(
                select(TenantOutbox.id).where(TenantOutbox.id >= ids[0] - 1).order_by(TenantOutbox.tx_id)
            )
        )
    assert order[-1] == ids[0]  # released in transaction order: the slow one went first
