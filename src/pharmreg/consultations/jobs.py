"""arq job of consultations: hourly reminders of complaints due soon or overdue (idempotent)."""

from __future__ import annotations

from typing import Any

from pharmreg.consultations.service import remind_complaints_in
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import transaction
from pharmreg.kit.logging import get_logger
from pharmreg.workflow import load_calendar

log = get_logger(__name__)


async def remind_complaints(ctx: dict[str, Any]) -> dict[str, int]:
    """Every hour: each province's open complaints against their 15-working-day limit."""
    db = ctx["db"]
    today = china_today()
    async with db.national() as national:
        calendar = await load_calendar(national)
    totals = {"soon": 0, "overdue": 0}
    for tenant in await ctx["tenants"]():
        try:
            async with db.tenant(tenant.schema, tenant.placement) as session, transaction(session):
                done = await remind_complaints_in(session, calendar=calendar, today=today)
        except Exception as exc:  # one province's failure must not hold back the others
            log.error("consultations.remind_failed", tenant=tenant.slug, error=str(exc))
            continue
        for key, value in done.items():
            totals[key] += value
    return totals
