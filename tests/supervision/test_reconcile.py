"""Reconciliation recounts a province and corrects the national copy, never double-counting."""

import pytest
from sqlalchemy import update

from pharmreg.events import SourceBusyError, quiesced
from pharmreg.supervision import reconcile_province, reconcile_province_figures
from pharmreg.supervision.models import ProvinceStat
from tests.factories import add_units, national_figure


async def drain_all(platform) -> None:
    await platform.relay().pass_once()


async def test_drift_is_found_and_corrected(platform) -> None:
    await drain_all(platform)
    true_value = await national_figure(platform, "sc")
    async with platform.db.national() as session, session.begin():
        await session.execute(
            update(ProvinceStat)
            .where(ProvinceStat.tenant_slug == "sc", ProvinceStat.metric == "practice_units")
            .values(value=true_value + 7)
        )
    drift = await reconcile_province(platform.db, platform.directory.get("sc").source)
    assert [(d.metric, d.recorded, d.actual) for d in drift] == [
        ("practice_units", true_value + 7, true_value)
    ]
    assert await national_figure(platform, "sc") == true_value
    assert await reconcile_province(platform.db, platform.directory.get("sc").source) == []


async def test_province_with_undelivered_events_is_deferred(platform) -> None:
    await add_units(platform, "gd", 1, "440106")
    with pytest.raises(SourceBusyError):
        await reconcile_province(platform.db, platform.directory.get("gd").source)
    result = await reconcile_province_figures(platform.job_ctx(sources=_sources(platform, ["gd"])))
    assert result == {"corrected": 0, "deferred": 1}
    await drain_all(platform)
    result = await reconcile_province_figures(platform.job_ctx(sources=_sources(platform, ["gd"])))
    assert result == {"corrected": 0, "deferred": 0}


async def test_delivery_waits_while_a_province_is_recounted(platform) -> None:
    await drain_all(platform)
    source = platform.directory.get("js").source
    async with quiesced(platform.db, source):
        await add_units(platform, "js", 1, "320102")
        # The recount holds the source's delivery lock: the relay leaves it alone meanwhile.
        assert await platform.relay().pass_once(only={source.schema}) == 0
    assert await platform.relay().pass_once(only={source.schema}) == 1


def _sources(platform, slugs):
    return [platform.directory.get(slug).source for slug in slugs]
