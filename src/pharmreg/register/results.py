"""结果公示 across provinces: the national read model of published decisions, fed from each
province's outbox, and its search (for the national and provincial pages and the JSON API)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.events import Event
from pharmreg.qualifications import categories_label
from pharmreg.register import repository
from pharmreg.register.schemas import PUBLISHED_KINDS, PracticeScope, ResultPage, ResultQuery, ResultRead
from pharmreg.register.service import RESULT_PUBLISHED


class PublishedResultsProjection:
    """Consumer writing each province's published decisions into `national.published_result`."""

    name = "register.published_results"
    topics = frozenset({RESULT_PUBLISHED})

    async def apply(self, session: AsyncSession, event: Event) -> None:
        p = event.payload
        await repository.add_national_result(
            session,
            {
                "event_uuid": event.uuid,
                "tenant": event.source.slug,
                "registration_id": int(p["registration_id"]),
                "effective_on": date.fromisoformat(p["effective_on"]),
                "kind": p["kind"],
                "name": p["name"],
                "certificate_no": p["certificate_no"],
                "unit_name": p["unit_name"],
                "division_code": p["division_code"],
                "categories": p["categories"],
                "scope": p["scope"],
                "summary": p["summary"],
            },
        )


def _label(value: str, labels: type[PracticeScope]) -> str:
    try:
        return labels(value).label
    except ValueError:
        return value


async def search_results(
    national: AsyncSession, query: ResultQuery, province_names: dict[str, str]
) -> ResultPage:
    """Published decisions matching every given filter, newest first; `province_names` also
    bounds the provinces shown (only serving tenants)."""
    per_page = max(1, min(query.per_page, 100))
    rows = await repository.search_national_results(
        national,
        name=query.name.strip() or None,
        certificate_no=query.certificate_no.strip() or None,
        unit=query.unit.strip() or None,
        kind=query.kind or None,
        tenant=query.province or None,
        since=query.since,
        until=query.until,
        limit=per_page + 1,
        offset=(query.page - 1) * per_page,
    )
    shown = [
        ResultRead(
            effective_on=row.effective_on,
            matter=row.kind,
            matter_label=PUBLISHED_KINDS.get(row.kind, row.kind),
            name=row.name,
            certificate_no=row.certificate_no,
            category=categories_label(row.categories),
            scope=_label(row.scope, PracticeScope),
            practice_unit=row.unit_name,
            province=row.tenant,
            province_name=province_names[row.tenant],
            summary=row.summary,
        )
        for row in rows[:per_page]
        if row.tenant in province_names
    ]
    return ResultPage(results=shown, page=query.page, per_page=per_page, more=len(rows) > per_page)
