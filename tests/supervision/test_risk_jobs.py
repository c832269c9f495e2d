"""The risk scan runs nightly in the worker and on demand from the command line, and a second run
adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from pharmreg.supervision import scan_risk_flags
from pharmreg.supervision.risk.models import RiskFlag, RiskFlagEvent
from tests.test_cli import run
from workers.main import worker_options


async def _counts(platform) -> tuple[int, int]:
    async with platform.db.national() as session:
        flags = await session.scalar(select(func.count()).select_from(RiskFlag))
        events = await session.scalar(select(func.count()).select_from(RiskFlagEvent))
    return int(flags or 0), int(events or 0)


async def test_the_nightly_job_and_the_command_scan_idempotently(platform, settings) -> None:
    first = await scan_risk_flags(platform.job_ctx())
    assert first["found"] > 0
    before = await _counts(platform)
    result = run(
        "supervision", "risk", "scan", DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url
    )
    assert result.returncode == 0, result.stderr
    assert "风险扫描完成" in result.stdout and "频繁变更执业单位：命中" in result.stdout
    assert "新增 0" in result.stdout
    second = await scan_risk_flags(platform.job_ctx())
    assert second["opened"] == 0 and second["reopened"] == 0
    assert await _counts(platform) == before


def test_the_worker_schedules_the_scan_nightly(settings) -> None:
    options = worker_options(settings)
    scans = [job for job in options["cron_jobs"] if job.name.endswith("scan_risk_flags")]
    assert len(scans) == 1 and scans[0].hour == {4}
