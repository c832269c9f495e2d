"""What a request of each realm works with, gathered once per request and injected as one
parameter: an officer in their province's office, national staff, an applicant, a visitor.

Resources of a higher layer (a province's authority policy, the publishing desk) stay out of
these bundles; the few handlers that use them name them beside the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import ApplicantAccount, OfficerAccount, StaffAccount
from pharmreg.kit.db import Database
from pharmreg.kit.ipranges import IpRanges
from pharmreg.tenancy import TenantDirectory, TenantInfo


@dataclass(frozen=True, slots=True)
class OfficerRequest:
    """An officer at work in their province's office (`/p/{slug}/office`)."""

    tenant: TenantInfo
    officer: OfficerAccount
    # The province's schema, opened for this request; the handler commits it.
    session: AsyncSession
    db: Database
    actor: Actor
    directory: TenantDirectory
    divisions: DivisionIndex


@dataclass(frozen=True, slots=True)
class StaffRequest:
    """National staff at work in the national back office (`/national`)."""

    staff: StaffAccount
    # The national schema, opened for this request; the handler commits it.
    session: AsyncSession
    db: Database
    actor: Actor
    directory: TenantDirectory


@dataclass(frozen=True, slots=True)
class ApplicantRequest:
    """A signed-in applicant in their account (`/account`), across the provinces."""

    applicant: ApplicantAccount
    db: Database
    actor: Actor
    directory: TenantDirectory
    divisions: DivisionIndex


@dataclass(frozen=True, slots=True)
class VisitorRequest:
    """Anyone on the public portal, signed in or not."""

    db: Database
    actor: Actor
    directory: TenantDirectory
    divisions: DivisionIndex
    # Offline IPv4 -> province table, for the portal's first guess of a visitor's province.
    ip_provinces: IpRanges


@dataclass(frozen=True, slots=True)
class CertificateLinks:
    """How a certificate's QR code links back to its verification page."""

    # Signs the verification links (derived from the platform secret).
    verification_key: str
    # Where the links point ("" = the request's own address).
    public_url: str

    def base_url(self, request_base_url: str) -> str:
        return self.public_url or request_base_url
