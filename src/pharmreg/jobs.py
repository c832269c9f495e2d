"""What every arq job receives from the worker, typed, and the loop that runs a job's work
for each province in turn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pharmreg.authority import PolicyCache
from pharmreg.events import Source
from pharmreg.kit.backing import unavailable_service
from pharmreg.kit.db import Database
from pharmreg.kit.logging import get_logger
from pharmreg.messaging import SmsProvider
from pharmreg.tenancy import TenantInfo

log = get_logger(__name__)
T = TypeVar("T")

# The key of arq's ctx under which the worker's start-up puts the JobContext.
CONTEXT_KEY = "pharmreg"


@dataclass(frozen=True, slots=True)
class JobContext:
    """The worker's resources, as jobs use them."""

    db: Database
    policies: PolicyCache
    # The Casbin model of delegated authority (policies/authority.conf).
    authority_model: str
    sms: SmsProvider
    # The provisioned provinces, enabled or not, read afresh from the registry at each call.
    tenants: Callable[[], Awaitable[list[TenantInfo]]]
    # The provinces' outbox sources, read afresh from the registry at each call.
    tenant_sources: Callable[[], Awaitable[list[Source]]]

    @classmethod
    def of(cls, ctx: Mapping[str, Any]) -> JobContext:
        """The context the worker's start-up put in arq's `ctx`."""
        context = ctx[CONTEXT_KEY]
        if not isinstance(context, cls):
            raise TypeError(f"ctx[{CONTEXT_KEY!r}] is not a JobContext")
        return context

    def into(self, ctx: dict[str, Any]) -> dict[str, Any]:
        """`ctx` with this context in it (arq hands the same dict to every job)."""
        ctx[CONTEXT_KEY] = self
        return ctx


async def for_each_tenant(
    tenants: Iterable[TenantInfo], work: Callable[[TenantInfo], Awaitable[T]], *, failed: str
) -> list[tuple[TenantInfo, T]]:
    """Run `work` for each tenant in turn; what each returned, for the tenants that succeeded.

    One province's failure must not hold back the others: it is logged as the event `failed`
    (with the traceback, unless a backing service was simply unreachable) and the loop goes on.
    """
    done: list[tuple[TenantInfo, T]] = []
    for tenant in tenants:
        try:
            result = await work(tenant)
        except Exception as exc:
            if unavailable_service(exc) is None:
                log.error(failed, tenant=tenant.slug, error=str(exc), exc_info=exc)
            else:
                log.error(failed, tenant=tenant.slug, error=str(exc))
            continue
        done.append((tenant, result))
    return done


def summed(counts: Iterable[Mapping[str, int]], *, start: Mapping[str, int] | None = None) -> dict[str, int]:
    """Counts added up key by key, from `start` (zero for keys not in it)."""
    totals = dict(start or {})
    for done in counts:
        for key, value in done.items():
            totals[key] = totals.get(key, 0) + value
    return totals
