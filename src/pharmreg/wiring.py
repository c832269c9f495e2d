"""How the parts are put together outside the contexts (web app, worker, command line, tests):
the resources every process builds from the settings, what jobs receive, the outbox relay
with every consumer, what a new tenant schema is prepared with, and the collaborators
identity receives: real-name verification and the provinces that hear disputes."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import redis.exceptions
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import CASE_FACT, case_facts
from pharmreg.audit import NationalAuditCopy
from pharmreg.authority import PolicyCache, ensure_projected
from pharmreg.consultations import ENQUIRY_FACT, enquiry_facts
from pharmreg.divisions import DivisionIndex
from pharmreg.events import Consumer, DeliveryOptions, Relay, Source, index_consumers
from pharmreg.identity import (
    DocumentType,
    ProvinceDesk,
    RealNameCheck,
    RealNameClaim,
    RealNameVerifier,
    create_units,
    plan_units,
)
from pharmreg.jobs import JobContext
from pharmreg.kit.backing import redis_client
from pharmreg.kit.db import Database
from pharmreg.messaging import RecordingSmsProvider, SmsProvider
from pharmreg.portal import SiteLinksProjection
from pharmreg.practice import UNIT_CHANGED, UNIT_REGISTERED, unit_facts
from pharmreg.qualifications import find_qualification
from pharmreg.register import (
    REGISTRATION_FACT,
    PublishedResultsProjection,
    national_active,
    person_key,
    registration_facts,
)
from pharmreg.settings import Settings, SettingsError
from pharmreg.supervision import (
    AnalyticFacts,
    AnalyticFactsProjection,
    FactFeed,
    PersonHasher,
    ProvinceFiguresProjection,
)
from pharmreg.tenancy import Prepare, TenantDirectory, TenantInfo, load_directory, tenant_divisions
from pharmreg.workflow import load_calendar


def authority_model(settings: Settings) -> str:
    """The Casbin model of delegated authority, read from the policies folder."""
    return (settings.policies_dir / "authority.conf").read_text(encoding="utf-8")


def database(
    settings: Settings, *, pool_size: int | None = None, application_name: str = "pharmreg"
) -> Database:
    """The platform's databases (primary and placements), with the configured pool."""
    return Database(
        settings.database_url,
        placements=settings.placements,
        pool_size=settings.db_pool_size if pool_size is None else pool_size,
        statement_cache_size=settings.db_statement_cache_size,
        application_name=application_name,
    )


@dataclass(frozen=True, slots=True)
class Resources:
    """What a process of the platform (web, worker, tests) holds for its lifetime."""

    settings: Settings
    db: Database
    redis: Redis
    authority_model: str
    policies: PolicyCache
    sms: SmsProvider

    async def close(self) -> None:
        await self.db.dispose()
        # Redis may be away while the process stops; there is nothing left to tell it then.
        with contextlib.suppress(redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            await self.redis.aclose()


def build_resources(
    settings: Settings, *, pool_size: int | None = None, application_name: str = "pharmreg"
) -> Resources:
    """Connect lazily to PostgreSQL and Redis and build what sits on them; nothing is read yet
    but the authority model."""
    db = database(settings, pool_size=pool_size, application_name=application_name)
    redis = redis_client(settings.redis_url)
    model = authority_model(settings)
    return Resources(
        settings=settings,
        db=db,
        redis=redis,
        authority_model=model,
        policies=PolicyCache(redis, model),
        sms=RecordingSmsProvider(db, reveal_codes=not settings.is_production),
    )


async def provisioned_tenants(db: Database) -> list[TenantInfo]:
    """The provinces with a schema, enabled or not, read afresh from the registry."""
    async with db.national() as session:
        directory = await load_directory(session)
    return [t for t in directory.provinces(include_disabled=True) if t.provisioned]


def job_context(resources: Resources) -> JobContext:
    """What the worker's jobs receive: the resources, and the provinces read at each run."""
    db = resources.db

    async def tenants() -> list[TenantInfo]:
        return await provisioned_tenants(db)

    async def tenant_sources() -> list[Source]:
        return [s for s in await event_sources(db) if not s.is_national]

    return JobContext(
        db=db,
        policies=resources.policies,
        authority_model=resources.authority_model,
        sms=resources.sms,
        tenants=tenants,
        tenant_sources=tenant_sources,
    )


def consumers(settings: Settings) -> list[Consumer]:
    """Every national consumer of outbox events."""
    return [
        ProvinceFiguresProjection(),
        NationalAuditCopy(),
        SiteLinksProjection(),
        PublishedResultsProjection(),
        AnalyticFactsProjection(analytic_facts(settings)),
    ]


def analytic_facts(settings: Settings) -> AnalyticFacts:
    """The national statistics' feeds: each province's registration events, cases, complaints and
    consultations, and practice units; a person is hashed with a key derived from the platform secret
    (changing the secret needs `pharmreg supervision rebuild`)."""
    return AnalyticFacts(
        [
            FactFeed("registration", (REGISTRATION_FACT,), registration_facts),
            FactFeed("case", (CASE_FACT,), case_facts),
            FactFeed("enquiry", (ENQUIRY_FACT,), enquiry_facts),
            FactFeed("practice_unit", (UNIT_REGISTERED, UNIT_CHANGED), unit_facts),
        ],
        PersonHasher(settings.secret_key),
        load_calendar,
    )


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
        consumers=index_consumers(consumers(settings)),
        listen_urls=listen_urls,
        poll_seconds=settings.outbox_poll_seconds,
        options=DeliveryOptions(
            batch_size=settings.outbox_batch_size,
            max_attempts=settings.outbox_max_attempts,
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


class QualificationRecords:
    """Real-name verification against the national qualification data: name, ID number and
    certificate number must all match one record (what the real person holds on paper)."""

    name = "qualification"

    def __init__(self, db: Database) -> None:
        self._db = db

    async def verify(self, claim: RealNameClaim) -> RealNameCheck:
        async with self._db.national() as session:
            found = await find_qualification(
                session, name=claim.name, id_number=claim.id_number, certificate_no=claim.certificate_no
            )
        if found is not None:
            return RealNameCheck(verified=True, method=self.name)
        return RealNameCheck(
            verified=False,
            method=self.name,
            problem=(
                "证书编号与姓名、证件号码在全国执业药师资格数据中不相符：请对照执业药师职业资格证书核对"
                "姓名、证件号码和证书编号；确认无误仍不相符的，请联系资格考试所在省份的人事考试机构"
            ),
        )


# The real-name verifiers a deployment can choose with PHARMREG_REAL_NAME_VERIFIER; a service
# for unified identity authentication (统一身份认证) is added here (see RealNameVerifier).
REAL_NAME_VERIFIERS: dict[str, Callable[[Database], RealNameVerifier]] = {
    QualificationRecords.name: QualificationRecords,
}


def real_name_verifier(settings: Settings, db: Database) -> RealNameVerifier:
    make = REAL_NAME_VERIFIERS.get(settings.real_name_verifier)
    if make is None:
        known = "、".join(REAL_NAME_VERIFIERS)
        raise SettingsError(
            f"PHARMREG_REAL_NAME_VERIFIER: unknown verifier {settings.real_name_verifier!r} ({known})"
        )
    return make(db)


class RegistryProvinces:
    """The provinces that hear account disputes, read from the tenant registry as it is now."""

    def __init__(self, directory: Callable[[], TenantDirectory], db: Database) -> None:
        self._directory = directory
        self._db = db

    def choices(self) -> list[tuple[str, str]]:
        return [(t.slug, t.name) for t in self._directory().provinces()]

    def authority_name(self, slug: str) -> str:
        tenant = self._directory().get(slug)
        return tenant.authority_name if tenant is not None else "省级药品监督管理部门"

    def session(self, slug: str) -> AsyncSession:
        tenant = self._directory().get(slug)
        if tenant is None:
            raise LookupError(slug)
        return self._db.tenant(tenant.schema, tenant.placement)

    async def default_for(self, id_type: str, id_number: str) -> str | None:
        async with self._db.national() as session:
            entry = await national_active(session, person_key(id_type, id_number))
        if entry is not None and self._directory().get(entry.tenant) is not None:
            return entry.tenant
        encoded = id_type in (DocumentType.RESIDENT_ID, DocumentType.HMT_RESIDENCE)
        if encoded and re.fullmatch(r"\d{6}", id_number[:6]):
            tenant = self._directory().route(id_number[:2] + "0000")
            if tenant is not None and self._directory().get(tenant.slug) is not None:
                return tenant.slug
        return None


def province_desk(directory: Callable[[], TenantDirectory], db: Database) -> ProvinceDesk:
    return RegistryProvinces(directory, db)
