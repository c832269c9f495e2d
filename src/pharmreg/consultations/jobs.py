"""arq job of consultations: hourly reminders of complaints due soon or overdue (idempotent)."""

from __future__ import annotations

from typing import Any

from pharmreg.consultations.service import remind_complaints_in
from pharmreg.jobs import JobContext, for_each_tenant, summed
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import transaction
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow import load_calendar


async def remind_complaints(ctx: dict[str, Any]) -> dict[str, int]:
    """Every hour: each province's open complaints against their 15-working-day limit."""
    job = JobContext.of(ctx)
    today = china_today()
    async with job.db.national() as national:
        calendar = await load_calendar(national)

    async def remind(tenant: TenantInfo) -> dict[str, int]:
        async with job.db.tenant(tenant.schema, tenant.placement) as session, transaction(session):
            return await remind_complaints_in(session, calendar=calendar, today=today)

    reminded = await for_each_tenant(await job.tenants(), remind, failed="consultations.remind_failed")
    return summed((done for _tenant, done in reminded), start={"soon": 0, "overdue": 0})
