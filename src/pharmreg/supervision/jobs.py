"""arq jobs of the supervision context."""

from __future__ import annotations

from typing import Any

from pharmreg.events import SourceBusyError
from pharmreg.kit.logging import get_logger
from pharmreg.supervision.service import reconcile_province

log = get_logger(__name__)


async def reconcile_province_figures(ctx: dict[str, Any]) -> dict[str, int]:
    """Nightly: recount every province's figures and correct any drift (idempotent)."""
    corrected = busy = 0
    for source in await ctx["tenant_sources"]():
        try:
            drift = await reconcile_province(ctx["db"], source)
        except SourceBusyError:
            busy += 1
            log.info("supervision.reconcile_deferred", source=source.schema)
            continue
        for item in drift:
            log.warning(
                "supervision.drift_corrected",
                tenant=item.slug,
                metric=item.metric,
                recorded=item.recorded,
                actual=item.actual,
            )
        corrected += len(drift)
    return {"corrected": corrected, "deferred": busy}
