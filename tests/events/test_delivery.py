"""The outbox: written with the change, delivered in order, applied once."""

import asyncio

import pytest
from sqlalchemy import func, select, update

from pharmreg.events import DeliveryOptions, Event, deliver_pending, index_consumers, record_event
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
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        await session.execute(
            update(TenantOutbox).where(TenantOutbox.id == ids[1]).values(parked_at=None, attempts=0)
        )
    assert await drain(platform, "bj") == 1


async def test_concurrent_drains_apply_each_event_once(platform) -> None:
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
