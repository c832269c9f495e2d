"""arq jobs of the supervision context."""

from __future__ import annotations

from typing import Any

from pharmreg.events import Source, SourceBusyError, quiesced
from pharmreg.jobs import JobContext
from pharmreg.kit.db import Database
from pharmreg.kit.logging import get_logger
from pharmreg.supervision import repository
from pharmreg.supervision.schemas import Drift
from pharmreg.supervision.service import COUNTERS

log = get_logger(__name__)


async def reconcile_province_figures(ctx: dict[str, Any]) -> dict[str, int]:
    """Nightly: recount every province's figures and correct any drift (idempotent)."""
    job = JobContext.of(ctx)
    corrected = busy = 0
    for source in await job.tenant_sources():
        try:
            drift = await reconcile_province(job.db, source)
        except SourceBusyError:
            busy += 1
            log.info("supervision.reconcile_deferred", source=source.schema)
            continue
        for item in drift:
            log.warning(
                "supervision.drift_corrected",
                tenant=item.slug,
                metric=item.metric,
                recorded=item.recorded,
                actual=item.actual,
            )
        corrected += len(drift)
    return {"corrected": corrected, "deferred": busy}


async def reconcile_province(db: Database, source: Source) -> list[Drift]:
    """Recount a province's figures from its own tables and correct the national copy.

    Runs on a snapshot in which every event of the province has been delivered, while
    delivery from it is held, so no event can be counted twice or missed.
    """
    drift: list[Drift] = []
    async with quiesced(db, source) as tenant_session:
        actual = {metric: await count(tenant_session) for metric, count in COUNTERS.items()}
        async with db.national() as national, national.begin():
            recorded = (await repository.stats(national, source.slug)).get(source.slug, {})
            for metric, value in actual.items():
                before = recorded.get(metric, (0, None))[0]
                if before != value:
                    drift.append(Drift(slug=source.slug, metric=metric, recorded=before, actual=value))
                    await repository.set_stat(national, source.slug, metric, value)
    return drift
