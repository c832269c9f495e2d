"""arq jobs of the workflow context."""

from __future__ import annotations

from typing import Any

from pharmreg.authority import Units, apply_scheduled_changes, load_policy
from pharmreg.jobs import JobContext, for_each_tenant
from pharmreg.kit.logging import get_logger
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow.service import reroute_open_tasks

log = get_logger(__name__)


async def apply_due_authority_changes(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: dated grants and scheduled take-backs take effect; tasks follow the authority."""
    job = JobContext.of(ctx)

    async def apply(tenant: TenantInfo) -> int | None:
        """The tasks moved, or None when nothing was due in the province."""
        async with job.db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            if not await apply_scheduled_changes(session, tenant):
                return None
            return await reroute_open_tasks(
                session,
                policy=await load_policy(session, job.authority_model),
                units=await Units.load(session),
                note="审批权限按期变更，任务随之转办",
            )

    tenants = await job.tenants()
    applied = [
        (tenant, moved)
        for tenant, moved in await for_each_tenant(tenants, apply, failed="authority.scheduled_change_failed")
        if moved is not None
    ]
    for tenant, _moved in applied:
        await job.policies.announce(tenant.slug)
        log.info("authority.scheduled_change_applied", tenant=tenant.slug)
    return {"tenants": len(applied), "tasks_moved": sum(moved for _tenant, moved in applied)}
