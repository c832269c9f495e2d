"""arq jobs of the workflow context."""

from __future__ import annotations

from typing import Any

from pharmreg.authority import Units, apply_scheduled_changes, load_policy
from pharmreg.kit.logging import get_logger
from pharmreg.workflow.service import reroute_open_tasks

log = get_logger(__name__)


async def apply_due_authority_changes(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: dated grants and scheduled take-backs take effect; tasks follow the authority."""
    db, policies = ctx["db"], ctx["policies"]
    changed = moved = 0
    for tenant in await ctx["tenants"]():
        try:
            async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
                if not await apply_scheduled_changes(session, tenant):
                    continue
                policy = await load_policy(session, ctx["authority_model"])
                moved += await reroute_open_tasks(
                    session,
                    policy=policy,
                    units=await Units.load(session),
                    note="审批权限按期变更，任务随之转办",
                )
        except Exception as exc:  # one province's failure must not hold back the others
            log.error("authority.scheduled_change_failed", tenant=tenant.slug, exc_info=exc)
            continue
        changed += 1
        await policies.announce(tenant.slug)
        log.info("authority.scheduled_change_applied", tenant=tenant.slug)
    return {"tenants": changed, "tasks_moved": moved}
