"""Scheduled publishing (定时发布): every minute, due articles of every space go on line."""

from __future__ import annotations

from typing import Any

from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import transaction
from pharmreg.kit.logging import get_logger
from pharmreg.publishing.service import publish_due
from pharmreg.publishing.spaces import national_space, province_space

log = get_logger(__name__)


async def publish_scheduled(ctx: dict[str, Any]) -> int:
    """Publish the scheduled articles whose time has come, national and provincial (idempotent)."""
    db = ctx["db"]
    count = 0
    async with db.national() as session, transaction(session):
        count += len(await publish_due(session, space=national_space(), now=utcnow()))
    for tenant in await ctx["tenants"]():
        try:
            async with db.tenant(tenant.schema, tenant.placement) as session, transaction(session):
                count += len(await publish_due(session, space=province_space(tenant.slug), now=utcnow()))
        except Exception as exc:  # one province's failure must not hold back the others
            log.error("publishing.schedule_failed", tenant=tenant.slug, error=str(exc))
    if count:
        log.info("publishing.scheduled_published", count=count)
    return count
