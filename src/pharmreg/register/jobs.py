"""arq jobs of the register: expiry reminders, cancellation on expiry, transfers closed at the origin."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import applicant_mobile
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import transaction
from pharmreg.kit.logging import get_logger
from pharmreg.messaging import SmsProvider
from pharmreg.register import repository
from pharmreg.register.schemas import Decided, Province
from pharmreg.register.service import cancel_registration, close_transferred

log = get_logger(__name__)

REMINDER_DAYS = (90, 60, 30)


async def maintain_register(ctx: dict[str, Any]) -> dict[str, int]:
    """Daily (and at start): remind, cancel what expired, close transfers; every province, idempotent."""
    totals = {"reminded": 0, "expired": 0, "transferred": 0}
    for tenant in await ctx["tenants"]():
        province = Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)
        try:
            async with (
                ctx["db"].tenant(tenant.schema, tenant.placement) as session,
                ctx["db"].national() as national,
            ):
                done = await maintain_province(
                    session, national, province=province, sms=ctx["sms"], today=china_today()
                )
        except Exception as exc:  # one province's failure must not hold back the others
            log.error("register.maintenance_failed", tenant=tenant.slug, error=str(exc))
            continue
        for key, value in done.items():
            totals[key] += value
    return totals


async def maintain_province(
    session: AsyncSession, national: AsyncSession, *, province: Province, sms: SmsProvider, today: date
) -> dict[str, int]:
    """One province's register upkeep; each registration is handled in its own transaction pair."""
    done = {"reminded": 0, "expired": 0, "transferred": 0}
    async with transaction(session), transaction(national):  # national commits first
        done["transferred"] = await close_transferred(session, national, province=province, today=today)
    for row in await repository.expiring(session, today - timedelta(days=1)):
        async with transaction(session), transaction(national):  # national commits first
            await cancel_registration(
                session,
                national,
                province=province,
                registration_id=row.id,
                reason=f"注册有效期于 {row.valid_until:%Y-%m-%d} 届满未延续",
                decided=Decided(None, "系统", today),
                expired=True,
            )
        done["expired"] += 1
    for row in await repository.expiring(session, today + timedelta(days=REMINDER_DAYS[0])):
        left = (row.valid_until - today).days
        due = min((d for d in REMINDER_DAYS if left <= d), default=None)
        if due is None or (row.reminded_days is not None and row.reminded_days <= due):
            continue
        async with transaction(session):
            row.reminded_days = due
            mobile = await applicant_mobile(national, row.applicant_id) if row.applicant_id else None
            if mobile:
                await sms.send(
                    tenant_slug=province.slug,
                    mobile=mobile,
                    purpose="expiry_reminder",
                    text=f"【{province.authority_name}】您的执业药师注册（证号{row.certificate_no}）将于"
                    f"{row.valid_until:%Y年%m月%d日}到期，如需继续执业，请在到期30日前申请延续注册。",
                )
        await national.rollback()
        done["reminded"] += 1
    return done
