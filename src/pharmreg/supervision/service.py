"""Province figures kept nationally: fed by outbox events, checked by reconciliation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import Event, Source, delivery_cursors
from pharmreg.identity import OFFICER_CREATED, UNIT_CREATED, count_officers, count_units
from pharmreg.practice import UNIT_REGISTERED, count_practice_units
from pharmreg.supervision import repository
from pharmreg.supervision.schemas import ProvinceFigures

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
COUNTERS: dict[str, Callable[[AsyncSession], Awaitable[int]]] = {
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
