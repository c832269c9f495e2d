"""How the parts are put together outside the web app (worker, command line, tests):
the outbox relay with every consumer, and what a new tenant schema is prepared with."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import NationalAuditCopy
from pharmreg.authority import ensure_projected
from pharmreg.divisions import DivisionIndex
from pharmreg.events import Consumer, DeliveryOptions, Relay, Source, index_consumers
from pharmreg.identity import create_units, plan_units
from pharmreg.kit.db import Database
from pharmreg.portal import SiteLinksProjection
from pharmreg.register import PublishedResultsProjection
from pharmreg.settings import Settings
from pharmreg.supervision import ProvinceFiguresProjection
from pharmreg.tenancy import Prepare, TenantDirectory, TenantInfo, load_directory, tenant_divisions


def consumers() -> list[Consumer]:
    """Every national consumer of outbox events."""
    return [
        ProvinceFiguresProjection(),
        NationalAuditCopy(),
        SiteLinksProjection(),
        PublishedResultsProjection(),
    ]


async def event_sources(db: Database) -> list[Source]:
    """The schemas to deliver from, read afresh from the registry."""
    async with db.national() as session:
        directory = await load_directory(session)
    return directory.event_sources()


def build_relay(db: Database, settings: Settings, *, listen: bool = True) -> Relay:
    """The relay with the platform's consumers; `listen=False` for one-off passes."""

    async def sources() -> list[Source]:
        return await event_sources(db)

    listen_urls = [db.url(), *(db.url(name) for name in settings.placements)] if listen else []
    return Relay(
        db,
        sources=sources,
        consumers=index_consumers(consumers()),
        listen_urls=listen_urls,
        poll_seconds=settings.outbox_poll_seconds,
        options=DeliveryOptions(
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
            commit_pause_ms=settings.outbox_commit_pause_ms,
        ),
    )


def tenant_preparation(directory: TenantDirectory, divisions: DivisionIndex) -> Prepare:
    """A new (or newly migrated) tenant gets its bureau units and the province's base authority."""

    async def prepare(session: AsyncSession, tenant: TenantInfo) -> None:
        seeds = plan_units(
            province_code=tenant.division_code,
            authority_name=tenant.authority_name,
            divisions=tenant_divisions(tenant, directory, divisions),
        )
        await create_units(session, seeds)
        await session.flush()
        await ensure_projected(session, tenant)

    return prepare
