"""Tenant descriptions: the catalogue file format and what the rest of the platform reads."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

Slug = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
DivisionCode = Annotated[str, Meta(pattern=r"^\d{6}$")]
HostName = Annotated[
    str, Meta(pattern=r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")
]
Url = Annotated[str, Meta(pattern=r"^https?://\S+$")]


class TenantLinks(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Where the portal sends people of this province. A province's missing link falls back to
    the national tenant's (its sites are the national defaults); the bureau's website does not."""

    website: Url | None = None
    # The national exam's sign-up (中国人事考试网 by default).
    exam_signup: Url | None = None
    # The province's personnel-exam site (人事考试网): local notices, score review, certificates.
    personnel_exam: Url | None = None
    # Where the province's pharmacists take continuing education.
    continuing_education: Url | None = None


# Links the national tenant's values stand in for when a province has none of its own.
DEFAULTED_LINKS = ("exam_signup", "personnel_exam", "continuing_education")
SITE_LABELS = {
    "exam_signup": "执业药师职业资格考试报名",
    "personnel_exam": "人事考试网",
    "continuing_education": "继续教育",
    "website": "药品监督管理局官网",
}


class TenantContact(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """How the public reaches the registration office of this tenant."""

    department: str | None = None
    address: str | None = None
    postcode: Annotated[str, Meta(pattern=r"^\d{6}$")] | None = None
    phone: str | None = None
    complaint_phone: str | None = None
    email: str | None = None
    office_hours: str | None = None
    # False until the province confirms the details; the portal then says so.
    verified: bool = False


class TenantConfig(msgspec.Struct, forbid_unknown_fields=True):
    """One ``tenants/<slug>/tenant.toml`` file."""

    slug: Slug
    kind: Annotated[str, Meta(pattern=r"^(province|national)$")]
    name: Annotated[str, Meta(min_length=2, max_length=50)]
    authority_name: Annotated[str, Meta(min_length=2, max_length=100)]
    division_code: DivisionCode
    territory: list[DivisionCode]
    hosts: list[HostName] = []
    placement: Slug = "primary"
    enabled: bool = True
    sort_order: int = 0
    links: TenantLinks = msgspec.field(default_factory=TenantLinks)
    contact: TenantContact = msgspec.field(default_factory=TenantContact)


class TenantRead(msgspec.Struct):
    """A tenant as the JSON API shows it."""

    slug: str
    kind: str
    name: str
    authority_name: str
    division_code: str
    enabled: bool
    hosts: list[str]
    links: TenantLinks
    contact: TenantContact
    home_url: str


class RouteRead(msgspec.Struct):
    """Which tenant handles matters located in a division."""

    division_code: str
    division_name: str
    tenant: TenantRead
