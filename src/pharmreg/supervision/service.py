"""Province figures kept nationally: fed by outbox events, checked by reconciliation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import Event, Source, delivery_cursors, quiesced
from pharmreg.identity import OFFICER_CREATED, UNIT_CREATED, count_officers, count_units
from pharmreg.kit.db import Database
from pharmreg.practice import UNIT_REGISTERED, count_practice_units
from pharmreg.supervision import repository
from pharmreg.supervision.schemas import Drift, ProvinceFigures

METRICS: dict[str, str] = {
    "units": "监管单位",
    "officers": "工作人员",
    "practice_units": "执业单位",
}

# topic -> (metric, change)
_DELTAS: dict[str, tuple[str, int]] = {
    UNIT_CREATED: ("units", 1),
    OFFICER_CREATED: ("officers", 1),
    UNIT_REGISTERED: ("practice_units", 1),
}

# metric -> how to count it from the province's own tables
_COUNTERS: dict[str, Callable[[AsyncSession], Awaitable[int]]] = {
    "units": count_units,
    "officers": count_officers,
    "practice_units": count_practice_units,
}


class ProvinceFiguresProjection:
    """Consumer keeping `province_stat` in step with each province's changes."""

    name = "supervision.province_figures"
    topics = frozenset(_DELTAS)

    async def apply(self, session: AsyncSession, event: Event) -> None:
        metric, change = _DELTAS[event.topic]
        await repository.add_to_stat(session, event.source.slug, metric, change)


async def province_figures(session: AsyncSession, sources: Sequence[Source]) -> dict[str, ProvinceFigures]:
    """Figures of each tenant source with the time they are complete up to."""
    table = await repository.stats(session)
    cursors = await delivery_cursors(session)
    figures = {}
    for source in sources:
        values = table.get(source.slug, {})
        cursor = cursors.get(source.schema)
        figures[source.slug] = ProvinceFigures(
            slug=source.slug,
            units=values.get("units", (0, None))[0],
            officers=values.get("officers", (0, None))[0],
            practice_units=values.get("practice_units", (0, None))[0],
            as_of=cursor.caught_up_at if cursor else None,
        )
    return figures


async def reconcile_province(db: Database, source: Source) -> list[Drift]:
    """Recount a province's figures from its own tables and correct the national copy.

    Runs on a snapshot in which every event of the province has been delivered, while
    delivery from it is held, so no event can be counted twice or missed.
    """
    drift: list[Drift] = []
    async with quiesced(db, source) as tenant_session:
        actual = {metric: await count(tenant_session) for metric, count in _COUNTERS.items()}
        async with db.national() as national, national.begin():
            recorded = (await repository.stats(national, source.slug)).get(source.slug, {})
            for metric, value in actual.items():
                before = recorded.get(metric, (0, None))[0]
                if before != value:
                    drift.append(Drift(slug=source.slug, metric=metric, recorded=before, actual=value))
                    await repository.set_stat(national, source.slug, metric, value)
    return drift
