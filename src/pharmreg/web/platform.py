"""The long-lived parts of a web process, built in `create_app` and shared by requests,
and the dependency providers that hand them to route handlers."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import GuideBook, load_guides
from pharmreg.audit import Actor
from pharmreg.authority import AuthorityPolicy, PolicyCache
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    ApplicantAccount,
    DeviceCookies,
    IdentityProofs,
    OfficerAccount,
    PostPermissions,
    ProvinceDesk,
    RealNameVerifier,
    ResetCodes,
    SecretBox,
    SessionStore,
    SignInGuard,
    StaffAccount,
    Tools,
    account_of,
)
from pharmreg.kit.db import Database
from pharmreg.kit.ipranges import IpRanges
from pharmreg.messaging import SmsProvider
from pharmreg.requests import ApplicantRequest, CertificateLinks, OfficerRequest, StaffRequest, VisitorRequest
from pharmreg.settings import Settings
from pharmreg.tenancy import TenantDirectory, TenantInfo
from pharmreg.wiring import Resources, province_desk, real_name_verifier


@dataclass
class Platform:
    settings: Settings
    db: Database
    redis: Redis
    divisions: DivisionIndex
    directory: TenantDirectory
    sessions: SessionStore
    guard: SignInGuard
    reset_codes: ResetCodes
    sms: SmsProvider
    secret_box: SecretBox
    permissions: PostPermissions
    policies: PolicyCache
    guides: GuideBook
    # Signs the verification links in certificates' QR codes (derived from the platform secret).
    verification_key: str
    # Where certificates' QR codes point ("" = the request's own address).
    public_url: str
    # Offline IPv4 -> province table, for the portal's first guess of a visitor's province.
    ip_provinces: IpRanges
    # Registration and account disputes: proofs in progress, real-name verification, provinces.
    proofs: IdentityProofs
    real_name: RealNameVerifier
    provinces: ProvinceDesk = field(init=False)

    @classmethod
    def build(cls, resources: Resources, divisions: DivisionIndex, directory: TenantDirectory) -> Platform:
        settings, db, redis = resources.settings, resources.db, resources.redis
        platform = cls(
            settings=settings,
            db=db,
            redis=redis,
            divisions=divisions,
            directory=directory,
            sessions=SessionStore(redis),
            guard=SignInGuard(redis, DeviceCookies(settings.secret_key)),
            reset_codes=ResetCodes(redis),
            sms=resources.sms,
            secret_box=SecretBox(settings.secret_key),
            permissions=PostPermissions.from_file(settings.policies_dir / "permissions.csv"),
            policies=resources.policies,
            guides=load_guides(settings.tenants_dir),
            public_url=settings.public_url,
            ip_provinces=IpRanges.load(settings.tenants_dir / "reference" / "ip_provinces.tsv"),
            verification_key=hashlib.sha256(
                f"pharmreg verification:{settings.secret_key}".encode()
            ).hexdigest(),
            proofs=IdentityProofs(redis),
            real_name=real_name_verifier(settings, db),
        )
        # Read through the platform, whose registry is refreshed every few seconds.
        platform.provinces = province_desk(lambda: platform.directory, db)
        return platform


def provide_platform(state: State) -> Platform:
    platform: Platform = state.platform
    return platform


def provide_tenant(slug: FromPath[str], platform: NamedDependency[Platform]) -> TenantInfo:
    """The province named in the path; unknown, disabled and national slugs are all 404."""
    tenant = platform.directory.get(slug)
    if tenant is None or tenant.is_national:
        raise NotFoundException()
    return tenant


async def provide_tenant_session(
    tenant: NamedDependency[TenantInfo], platform: NamedDependency[Platform]
) -> AsyncGenerator[AsyncSession, None]:
    async with platform.db.tenant(tenant.schema, tenant.placement) as session:
        yield session


async def provide_national_session(platform: NamedDependency[Platform]) -> AsyncGenerator[AsyncSession, None]:
    async with platform.db.national() as session:
        yield session


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """Who is acting, for the audit log: the signed-in account (or anonymous), address, request id."""
    account = account_of(request)
    state = request.scope.get("state", {})
    ip = request.client.host if request.client else None
    if isinstance(account, OfficerAccount):
        return Actor("officer", str(account.id), account.name, ip, state.get("request_id"))
    if isinstance(account, StaffAccount):
        return Actor("staff", str(account.id), account.name, ip, state.get("request_id"))
    if isinstance(account, ApplicantAccount):
        return Actor("applicant", str(account.id), account.name, ip, state.get("request_id"))
    return Actor("anonymous", None, None, ip, state.get("request_id"))


def _officer(request: Request[Any, Any, Any]) -> OfficerAccount:
    """The signed-in officer (routes of the office bundle are guarded by require_officer)."""
    account = account_of(request)
    assert isinstance(account, OfficerAccount)
    return account


def _staff(request: Request[Any, Any, Any]) -> StaffAccount:
    account = account_of(request)
    assert isinstance(account, StaffAccount)
    return account


def provide_applicant(request: Request[Any, Any, Any]) -> ApplicantAccount:
    account = account_of(request)
    assert isinstance(account, ApplicantAccount)
    return account


async def provide_policy(
    tenant: NamedDependency[TenantInfo], platform: NamedDependency[Platform]
) -> AuthorityPolicy:
    """The tenant's authority policy, at most a second behind its database."""
    return await platform.policies.policy(
        tenant.slug, lambda: platform.db.tenant(tenant.schema, tenant.placement)
    )


def provide_auth_tools(platform: NamedDependency[Platform]) -> Tools:
    return Tools(
        sessions=platform.sessions,
        guard=platform.guard,
        reset_codes=platform.reset_codes,
        sms=platform.sms,
        secret_box=platform.secret_box,
        secure_cookies=platform.settings.is_production,
        proofs=platform.proofs,
        real_name=platform.real_name,
        provinces=platform.provinces,
    )


def provide_officer_request(
    request: Request[Any, Any, Any],
    tenant: NamedDependency[TenantInfo],
    tenant_session: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    platform: NamedDependency[Platform],
) -> OfficerRequest:
    return OfficerRequest(
        tenant, _officer(request), tenant_session, platform.db, actor, platform.directory, platform.divisions
    )


def provide_staff_request(
    request: Request[Any, Any, Any],
    national_session: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    platform: NamedDependency[Platform],
) -> StaffRequest:
    return StaffRequest(_staff(request), national_session, platform.db, actor, platform.directory)


def provide_applicant_request(
    applicant: NamedDependency[ApplicantAccount],
    actor: NamedDependency[Actor],
    platform: NamedDependency[Platform],
) -> ApplicantRequest:
    return ApplicantRequest(applicant, platform.db, actor, platform.directory, platform.divisions)


def provide_visitor_request(
    actor: NamedDependency[Actor], platform: NamedDependency[Platform]
) -> VisitorRequest:
    return VisitorRequest(platform.db, actor, platform.directory, platform.divisions, platform.ip_provinces)


def provide_certificate_links(platform: NamedDependency[Platform]) -> CertificateLinks:
    return CertificateLinks(platform.verification_key, platform.public_url)


def _attribute(name: str) -> Provide:
    def provide(platform: NamedDependency[Platform]) -> Any:
        return getattr(platform, name)

    return Provide(provide, sync_to_thread=False)


# The platform's parts that handlers name on their own: those the realms' bundles cannot carry
# (the layers below `pharmreg.requests` — identity, tenancy, divisions — and resources of
# higher layers: the guides, the authority policies), and Redis for rate limits and captchas.
SHARED = ("db", "divisions", "directory", "sessions", "permissions", "policies", "redis", "guides")


def dependencies() -> dict[str, Provide]:
    """Every dependency route handlers may name."""
    return {
        "platform": Provide(provide_platform, sync_to_thread=False),
        **{name: _attribute(name) for name in SHARED},
        "tenant": Provide(provide_tenant, sync_to_thread=False),
        "tenant_session": Provide(provide_tenant_session),
        "national_session": Provide(provide_national_session),
        "actor": Provide(provide_actor, sync_to_thread=False),
        "applicant": Provide(provide_applicant, sync_to_thread=False),
        "policy": Provide(provide_policy),
        "tools": Provide(provide_auth_tools, sync_to_thread=False),
        # One bundle per realm (an officer's office, national staff, an applicant, a visitor).
        "office": Provide(provide_officer_request, sync_to_thread=False),
        "national": Provide(provide_staff_request, sync_to_thread=False),
        "account": Provide(provide_applicant_request, sync_to_thread=False),
        "visitor": Provide(provide_visitor_request, sync_to_thread=False),
        "certificate_links": Provide(provide_certificate_links, sync_to_thread=False),
    }
