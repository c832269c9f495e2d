"""The nightly scan of the risk rules, as an arq job."""

from __future__ import annotations

from typing import Any

from pharmreg.jobs import JobContext
from pharmreg.kit.clock import china_today
from pharmreg.kit.logging import get_logger
from pharmreg.supervision.risk.service import scan_risks

log = get_logger(__name__)


async def scan_risk_flags(ctx: dict[str, Any]) -> dict[str, int]:
    """Nightly: run every enabled risk rule over the national facts; idempotent."""
    job = JobContext.of(ctx)
    async with job.db.national() as session, session.begin():
        report = await scan_risks(session, today=china_today())
    log.info(
        "supervision.risk_scanned",
        found=sum(report.found.values()),
        opened=sum(report.opened.values()),
        updated=sum(report.updated.values()),
        reopened=sum(report.reopened.values()),
    )
    return {
        "found": sum(report.found.values()),
        "opened": sum(report.opened.values()),
        "reopened": sum(report.reopened.values()),
    }
