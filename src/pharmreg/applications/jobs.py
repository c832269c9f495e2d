"""arq jobs of applications: the deadline sweep (deemed acceptance, reminders, escalation)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.service.actions import deem_accepted, flag_deadline
from pharmreg.applications.service.common import ApplicationError, Routing
from pharmreg.applications.service.reading import application_by_id, open_cases, refs_in_progress
from pharmreg.authority import Units, load_policy
from pharmreg.jobs import JobContext, for_each_tenant, summed
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import transaction
from pharmreg.kit.logging import get_logger
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.register import open_cases_in, release_open_case
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow import Action, load_calendar

log = get_logger(__name__)


async def sweep_deadlines(ctx: dict[str, Any]) -> dict[str, int]:
    """Every hour: each province's open cases against their time limits (idempotent)."""
    job = JobContext.of(ctx)
    db = job.db
    async with db.national() as national:
        calendar = await load_calendar(national)

    async def sweep(tenant: TenantInfo) -> dict[str, int]:
        async with db.tenant(tenant.schema, tenant.placement) as session, db.national() as national:
            routing = Routing(await load_policy(session, job.authority_model), await Units.load(session))
            await session.rollback()
            done = await sweep_province(session, routing=routing, calendar=calendar, today=china_today())
            done["slots_freed"] = await free_stale_slots(session, national, tenant=tenant.slug)
        return done

    swept = await for_each_tenant(await job.tenants(), sweep, failed="applications.sweep_failed")
    return summed(done for _tenant, done in swept)


async def sweep_province(
    session: AsyncSession, *, routing: Routing, calendar: WorkCalendar, today: date
) -> dict[str, int]:
    """Deemed acceptance after the acceptance period, a reminder the day before, escalation when overdue."""
    done = {"deemed_accepted": 0, "reminded": 0, "escalated": 0}
    soon = calendar.next_working_day(today).due
    after = 0
    while ids := [a.id for a in await open_cases(session, ("submitted", "processing"), after_id=after)]:
        await session.rollback()
        for app_id in ids:
            after = app_id
            try:
                async with transaction(session):
                    app = await application_by_id(session, app_id)
                    if app is None or app.suspended or app.status not in ("submitted", "processing"):
                        continue
                    if app.status == "submitted" and app.acceptance_due:
                        if app.acceptance_due < today:
                            await deem_accepted(
                                session, app=app, routing=routing, calendar=calendar, today=today
                            )
                            done["deemed_accepted"] += 1
                        elif app.acceptance_due <= soon and app.reminded != f"remind:{app.step}":
                            note = f"受理期限 {app.acceptance_due} 将至：逾期未一次性告知补正的，视为受理"
                            await flag_deadline(session, app=app, action=Action.REMIND, note=note)
                            done["reminded"] += 1
                    elif app.status == "processing" and app.statutory_due:
                        if app.statutory_due < today and app.reminded != "escalated":
                            note = f"已超过法定办结期限 {app.statutory_due}，请尽快办结"
                            await flag_deadline(session, app=app, action=Action.ESCALATE, note=note)
                            done["escalated"] += 1
                        elif today <= app.statutory_due <= soon and app.reminded not in (
                            "escalated",
                            f"remind:{app.step}",
                        ):
                            note = f"法定办结期限 {app.statutory_due} 将至"
                            await flag_deadline(session, app=app, action=Action.REMIND, note=note)
                            done["reminded"] += 1
            except ApplicationError as exc:
                log.warning("applications.sweep_skipped", application_id=app_id, error=str(exc))
    return done


async def free_stale_slots(session: AsyncSession, national: AsyncSession, *, tenant: str) -> int:
    """Release national open-case slots whose application here is no longer in progress.

    A slot is claimed (national commit) before the province's commit; if that second commit
    failed, the slot would otherwise block the person from applying anywhere.
    """
    slots = await open_cases_in(national, tenant, older_than=timedelta(minutes=15))
    await national.rollback()
    if not slots:
        return 0
    in_progress = await refs_in_progress(session, [ref for _key, ref in slots])
    await session.rollback()
    freed = 0
    for key, ref in slots:
        if ref not in in_progress:
            async with transaction(national):
                await release_open_case(national, key=key, tenant=tenant, ref=ref)
            log.warning("applications.slot_freed", tenant=tenant, ref=ref)
            freed += 1
    return freed
