"""arq jobs of the register: expiry reminders, cancellation on expiry, transfers closed at the origin."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import applicant_mobile
from pharmreg.jobs import JobContext, for_each_tenant, summed
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.db import transaction
from pharmreg.kit.logging import get_logger
from pharmreg.messaging import SmsProvider
from pharmreg.register import repository
from pharmreg.register.schemas import Decided, Province
from pharmreg.register.service import cancel_registration, close_transferred, renewal_pending
from pharmreg.tenancy import TenantInfo

log = get_logger(__name__)

REMINDER_DAYS = (90, 60, 30)


async def maintain_register(ctx: dict[str, Any]) -> dict[str, int]:
    """Daily (and at start): remind, cancel what expired, close transfers; every province, idempotent."""
    job = JobContext.of(ctx)

    async def maintain(tenant: TenantInfo) -> dict[str, int]:
        province = Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
        async with job.db.tenant(tenant.schema, tenant.placement) as session, job.db.national() as national:
            return await maintain_province(
                session, national, province=province, sms=job.sms, today=china_today()
            )

    maintained = await for_each_tenant(await job.tenants(), maintain, failed="register.maintenance_failed")
    return summed(done for _tenant, done in maintained)


async def maintain_province(
    session: AsyncSession, national: AsyncSession, *, province: Province, sms: SmsProvider, today: date
) -> dict[str, int]:
    """One province's register upkeep; each registration is handled in its own transaction pair."""
    done = {"reminded": 0, "expired": 0, "transferred": 0, "orphans": 0}
    async with transaction(session), transaction(national):  # national commits first
        done["transferred"] = await close_transferred(session, national, province=province, today=today)
    done["orphans"] = await _drop_orphan_entries(session, national, province)
    after = 0
    while expired := [
        (row.id, row.person_key)
        for row in await repository.expiring(session, today - timedelta(days=1), after_id=after)
    ]:
        await session.rollback()
        after = expired[-1][0]  # keyset: registrations kept by a pending renewal never block the rest
        done["expired"] += await _cancel_expired(session, national, province, expired, today)
    for days in sorted(REMINDER_DAYS):
        while batch := [
            (r.id, r.applicant_id) for r in await repository.needing_reminder(session, today, days)
        ]:
            await session.rollback()
            for row_id, applicant_id in batch:
                done["reminded"] += await _remind(
                    session, national, province, sms, row_id, applicant_id, days
                )
    return done


async def _remind(
    session: AsyncSession,
    national: AsyncSession,
    province: Province,
    sms: SmsProvider,
    row_id: int,
    applicant_id: Any,
    days: int,
) -> int:
    """Text one expiry reminder and mark it sent; a failed send is marked too, and logged, so one
    unreachable number never stops the province's upkeep (the applicant's page shows the date)."""
    mobile = await applicant_mobile(national, applicant_id) if applicant_id else None
    await national.rollback()
    async with transaction(session):
        row = await repository.registration(session, row_id, for_update=True)
        if row is None or row.status != "active":
            return 0
        row.reminded_days = days
        if mobile:
            try:
                await sms.send(
                    tenant_slug=province.slug,
                    mobile=mobile,
                    purpose="expiry_reminder",
                    text=f"【{province.authority_name}】您的执业药师注册（证号{row.certificate_no}）将于"
                    f"{row.valid_until:%Y年%m月%d日}到期，如需继续执业，请在到期30日前申请延续注册。",
                )
            except Exception as exc:
                log.warning("register.reminder_failed", registration=row_id, error=str(exc))
                return 0
    return 1


async def _drop_orphan_entries(session: AsyncSession, national: AsyncSession, province: Province) -> int:
    """Index entries whose registration the province never committed (its commit failed after the
    national one): without this, the person would look registered nationwide forever.

    Only entries settled for an hour are considered, and they are read before the province's
    registrations, so an approval committing meanwhile is never mistaken for an orphan.
    """
    settled = await repository.entry_registration_ids(
        national, province.slug, settled_before=utcnow() - timedelta(hours=1)
    )
    await national.rollback()
    local = await repository.registration_ids(session)
    await session.rollback()
    orphans = settled - local
    if orphans:
        async with transaction(national):
            for registration_id in orphans:
                await repository.delete_entry(national, province.slug, registration_id)
                log.warning(
                    "register.orphan_entry_dropped", tenant=province.slug, registration=registration_id
                )
    return len(orphans)


async def _cancel_expired(
    session: AsyncSession,
    national: AsyncSession,
    province: Province,
    batch: list[tuple[int, str]],
    today: date,
) -> int:
    cancelled = 0
    for row_id, key in batch:
        if await renewal_pending(national, key, province.slug):
            # 行政许可法 art. 50: a renewal filed in time and not yet decided keeps the registration.
            await national.rollback()
            continue
        async with transaction(session), transaction(national):  # national commits first
            row = await repository.registration(session, row_id, for_update=True)
            if row is None or row.status != "active" or row.valid_until >= today:
                continue  # renewed or closed meanwhile
            await cancel_registration(
                session,
                national,
                province=province,
                registration_id=row.id,
                reason=f"注册有效期于 {row.valid_until:%Y-%m-%d} 届满未延续",
                decided=Decided(None, "系统", today),
                expired=True,
            )
        cancelled += 1
    return cancelled
