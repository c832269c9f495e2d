"""Test helpers that set people up directly in a tenant, and read what the audit log kept."""

from __future__ import annotations

import os
import re

from redis.asyncio import Redis
from sqlalchemy import select

from pharmreg.audit import SYSTEM
from pharmreg.audit.models import TenantAuditEntry
from pharmreg.identity import (
    OfficerAccount,
    OfficerForm,
    PostPermissions,
    create_officer_account,
    list_units,
    load_officer_account,
    security_rules,
)
from pharmreg.identity.models import Officer
from pharmreg.messaging.models import SentMessage

STRONG = "Green#Hills2026"


async def make_officer(
    platform,
    slug: str,
    username: str,
    positions: tuple[str, ...] = ("acceptance",),
    unit_code: str | None = None,
    *,
    name: str = "测试员",
    mobile: str = "13700001111",
) -> Officer:
    """An active officer with a known password who need not change it at first sign-in."""
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        units = {u.division_code: u.id for u in await list_units(session)}
        officer = await create_officer_account(
            session,
            OfficerForm(
                username=username,
                name=name,
                unit_id=units[unit_code or tenant.division_code],
                password=STRONG,
                mobile=mobile,
                positions=tuple(positions),
            ),
            rules=await security_rules(session),
            actor=SYSTEM,
        )
        officer.must_change_password = False
    return officer


async def last_code(platform, mobile: str) -> str | None:
    """The code in the newest text message to `mobile` (the recording provider keeps them)."""
    async with platform.db.national() as session:
        text = await session.scalar(
            select(SentMessage.text)
            .where(SentMessage.mobile == mobile)
            .order_by(SentMessage.id.desc())
            .limit(1)
        )
    found = re.search(r"验证码 (\d{6})", text or "")
    return found.group(1) if found else None


async def minute_passes(mobile: str) -> None:
    """As if a minute had passed since the last code sent to `mobile` (it may get another)."""
    redis = Redis.from_url(os.environ["PHARMREG_TEST_REDIS_URL"])
    try:
        await redis.delete(f"pharmreg:proof-send:pause:{mobile}")
    finally:
        await redis.aclose()


async def audit_actions(platform, slug: str, target: str) -> list[str]:
    """The actions the tenant's audit log recorded about a target, oldest first."""
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session:
        rows = await session.scalars(
            select(TenantAuditEntry.action)
            .where(TenantAuditEntry.target == target)
            .order_by(TenantAuditEntry.id)
        )
        return list(rows)


async def unit_ids(platform, slug: str) -> dict[str, int]:
    """The tenant's bureau units by division code."""
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session:
        return {u.division_code: u.id for u in await list_units(session)}


async def account_of(platform, slug: str, officer: Officer) -> OfficerAccount:
    """The officer as the services see a signed-in one (unit, posts, permissions)."""
    tenant = platform.directory.get(slug)
    permissions = PostPermissions.from_file(platform.settings.policies_dir / "permissions.csv")
    async with platform.db.tenant(tenant.schema) as session:
        account = await load_officer_account(
            session, slug, officer.id, await security_rules(session), permissions
        )
    assert account is not None
    return account


def authority_model(platform) -> str:
    return platform.authority_model
