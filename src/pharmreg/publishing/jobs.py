"""Scheduled publishing (定时发布): every minute, due articles of every space go on line."""

from __future__ import annotations

from typing import Any

from pharmreg.jobs import JobContext, for_each_tenant
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import transaction
from pharmreg.kit.logging import get_logger
from pharmreg.publishing.service import publish_due
from pharmreg.publishing.spaces import national_space, province_space
from pharmreg.tenancy import TenantInfo

log = get_logger(__name__)


async def publish_scheduled(ctx: dict[str, Any]) -> int:
    """Publish the scheduled articles whose time has come, national and provincial (idempotent)."""
    job = JobContext.of(ctx)
    db = job.db
    async with db.national() as session, transaction(session):
        count = len(await publish_due(session, space=national_space(), now=utcnow()))

    async def publish(tenant: TenantInfo) -> int:
        async with db.tenant(tenant.schema, tenant.placement) as session, transaction(session):
            return len(await publish_due(session, space=province_space(tenant.slug), now=utcnow()))

    tenants = await job.tenants()
    count += sum(
        n for _tenant, n in await for_each_tenant(tenants, publish, failed="publishing.schedule_failed")
    )
    if count:
        log.info("publishing.scheduled_published", count=count)
    return count
