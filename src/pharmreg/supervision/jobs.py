"""arq jobs of the supervision context."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import Source, SourceBusyError, quiesced
from pharmreg.jobs import JobContext
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import Database
from pharmreg.kit.logging import get_logger
from pharmreg.supervision import repository
from pharmreg.supervision.schemas import Drift, FactDrift
from pharmreg.supervision.service import COUNTERS, FACT_KINDS, AnalyticFacts, purge_exports, run_export

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


# --- analytic facts ----------------------------------------------------------------------------


def analytic_facts_recount(facts: AnalyticFacts) -> Callable[[dict[str, Any]], Awaitable[dict[str, int]]]:
    """The nightly job that recounts every province's analytic facts (made with `facts`) from its
    own tables and corrects any drift; idempotent."""

    async def recount_analytic_facts(ctx: dict[str, Any]) -> dict[str, int]:
        job = JobContext.of(ctx)
        corrected = busy = 0
        for source in await job.tenant_sources():
            try:
                drift = await recount_facts(job.db, source, facts)
            except SourceBusyError:
                busy += 1
                log.info("supervision.facts_recount_deferred", source=source.schema)
                continue
            corrected += sum(item.total for item in drift)
        return {"corrected": corrected, "deferred": busy}

    return recount_analytic_facts


async def _province_payloads(
    tenant_session: AsyncSession, facts: AnalyticFacts
) -> dict[str, list[dict[str, Any]]]:
    payloads: dict[str, list[dict[str, Any]]] = {}
    for feed in facts.feeds:
        payloads.setdefault(feed.kind, []).extend(await feed.read(tenant_session))
    return payloads


async def rebuild_facts(db: Database, source: Source, facts: AnalyticFacts) -> dict[str, int]:
    """Replace a province's analytic facts with rows made afresh from its own tables; returns the
    rows written per kind. Other provinces' rows are not touched.

    Like the recount, it reads a snapshot in which every event of the province has been delivered,
    holding delivery from it meanwhile (SourceBusyError while events are still on their way).
    """
    written: dict[str, int] = {}
    async with quiesced(db, source) as tenant_session:
        payloads = await _province_payloads(tenant_session, facts)
        async with db.national() as national, national.begin():
            shaping = await facts.shaping(national)
            for kind, (model, _make) in FACT_KINDS.items():
                if kind not in payloads:
                    continue
                rows = [facts.row(kind, source.slug, p, shaping) for p in payloads[kind]]
                await repository.delete_facts_of(national, model, source.slug)
                await repository.insert_facts(national, model, rows)
                if kind == "registration":
                    await repository.settle_registration_ends(national, source.slug)
                    await repository.recompute_validity_months(national, source.slug)
                if kind == "case":
                    await repository.recompute_case_months(national, source.slug)
                written[kind] = len(rows)
            await repository.note_fact_upkeep(national, source.slug, rebuilt_at=utcnow())
    log.info("supervision.facts_rebuilt", tenant=source.slug, **written)
    return written


async def recount_facts(db: Database, source: Source, facts: AnalyticFacts) -> list[FactDrift]:
    """Recount a province's analytic facts from its own tables; correct and log what differs."""
    drift: list[FactDrift] = []
    async with quiesced(db, source) as tenant_session:
        payloads = await _province_payloads(tenant_session, facts)
        async with db.national() as national, national.begin():
            shaping = await facts.shaping(national)
            for kind, (model, _make) in FACT_KINDS.items():
                if kind not in payloads:
                    continue
                keys = repository.key_columns(model)
                actual = {
                    tuple(row[k] for k in keys): row
                    for row in (facts.row(kind, source.slug, p, shaping) for p in payloads[kind])
                }
                recorded = {
                    tuple(row[k] for k in keys): row
                    for row in await repository.facts_of(national, model, source.slug)
                }
                missing = [actual[key] for key in actual.keys() - recorded.keys()]
                extra = list(recorded.keys() - actual.keys())
                changed = [
                    row
                    for key, row in actual.items()
                    if key in recorded and any(recorded[key][name] != value for name, value in row.items())
                ]
                if not (missing or extra or changed):
                    continue
                await repository.delete_facts(national, model, extra)
                await repository.insert_facts(national, model, missing)
                for row in changed:
                    await repository.upsert_fact(national, model, row)
                if kind == "registration":
                    await repository.settle_registration_ends(national, source.slug)
                    await repository.recompute_validity_months(national, source.slug)
                if kind == "case":
                    await repository.recompute_case_months(national, source.slug)
                item = FactDrift(
                    slug=source.slug, kind=kind, missing=len(missing), extra=len(extra), changed=len(changed)
                )
                log.warning(
                    "supervision.facts_drift_corrected",
                    tenant=item.slug,
                    kind=item.kind,
                    missing=item.missing,
                    extra=item.extra,
                    changed=item.changed,
                )
                drift.append(item)
            await repository.note_fact_upkeep(
                national, source.slug, recounted_at=utcnow(), corrected=sum(d.total for d in drift)
            )
    return drift


# --- exports -----------------------------------------------------------------------------------


async def export_report(ctx: dict[str, Any], export_id: str) -> str:
    """Build the report of an export and write its file (enqueued by the export form); a build
    that fails marks the export failed with a message for the person who asked."""
    job = JobContext.of(ctx)
    return await run_export(job.db, uuid.UUID(export_id))


async def purge_old_exports(ctx: dict[str, Any]) -> dict[str, int]:
    """Hourly: forget exports and their files after the days they are kept, and mark failed
    those that will not finish any more."""
    job = JobContext.of(ctx)
    async with job.db.national() as session, session.begin():
        purged, abandoned = await purge_exports(session, now=utcnow())
    if purged or abandoned:
        log.info("supervision.exports_purged", purged=purged, abandoned=abandoned)
    return {"purged": purged, "abandoned": abandoned}
