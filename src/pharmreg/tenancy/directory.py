"""The tenant registry held in memory: look-up by slug and host, routing by division code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import msgspec

from pharmreg.events import Source
from pharmreg.kit.codes import division_ancestors
from pharmreg.tenancy.models import Tenant
from pharmreg.tenancy.schemas import DEFAULTED_LINKS, TenantContact, TenantLinks


@dataclass(frozen=True, slots=True)
class TenantInfo:
    """What a request needs to know about a tenant; detached from the database."""

    slug: str
    kind: str
    name: str
    authority_name: str
    division_code: str
    schema: str
    placement: str
    hosts: tuple[str, ...]
    territory: tuple[str, ...]
    enabled: bool
    provisioned: bool
    # What the portal shows: the administrator's links, else the catalogue's, else the national ones.
    links: TenantLinks
    contact: TenantContact
    # The catalogue's links (tenant.toml) and the administrator's, as stored.
    catalogue_links: TenantLinks = field(default_factory=TenantLinks)
    site_links: TenantLinks = field(default_factory=TenantLinks)
    # Links shown from the national defaults because the province has none of its own.
    national_links: frozenset[str] = frozenset()

    @property
    def is_national(self) -> bool:
        return self.kind == "national"

    @property
    def source(self) -> Source:
        """This tenant as a source of outbox events."""
        return Source(self.slug, self.schema, self.placement)

    @property
    def home_path(self) -> str:
        return "/" if self.is_national else f"/p/{self.slug}/"

    @classmethod
    def from_row(cls, row: Tenant) -> TenantInfo:
        return cls(
            slug=row.slug,
            kind=row.kind,
            name=row.name,
            authority_name=row.authority_name,
            division_code=row.division_code,
            schema=row.schema_name,
            placement=row.placement,
            hosts=tuple(row.hosts),
            territory=tuple(row.territory),
            enabled=row.enabled,
            provisioned=row.provisioned_at is not None,
            links=msgspec.convert(row.links, TenantLinks),
            contact=msgspec.convert(row.contact, TenantContact),
            catalogue_links=msgspec.convert(row.links, TenantLinks),
            site_links=msgspec.convert(row.site_links or {}, TenantLinks),
        )


def _with_effective_links(tenant: TenantInfo, national: TenantInfo | None) -> TenantInfo:
    values = msgspec.structs.asdict(tenant.catalogue_links)
    values.update({k: v for k, v in msgspec.structs.asdict(tenant.site_links).items() if v})
    defaulted = set()
    if national is not None and not tenant.is_national:
        for key in DEFAULTED_LINKS:
            fallback = getattr(national.catalogue_links, key)
            if not values.get(key) and fallback:
                values[key] = fallback
                defaulted.add(key)
    return replace(tenant, links=TenantLinks(**values), national_links=frozenset(defaulted))


class TenantDirectory:
    """Immutable snapshot of the registry; replaced as a whole when the registry changes."""

    def __init__(self, tenants: Iterable[TenantInfo]) -> None:
        given = list(tenants)
        national = next((t for t in given if t.is_national), None)
        effective = [_with_effective_links(t, national) for t in given]
        self._all = sorted(effective, key=lambda t: (t.kind != "national", t.division_code))
        self._by_slug = {t.slug: t for t in self._all}
        self._by_host = {host: t for t in self._all for host in t.hosts if not t.is_national}
        self._by_territory = {code: t for t in self._all for code in t.territory}

    def __len__(self) -> int:
        return len(self._all)

    @property
    def national(self) -> TenantInfo | None:
        return next((t for t in self._all if t.is_national), None)

    def provinces(self, *, include_disabled: bool = False) -> list[TenantInfo]:
        return [t for t in self._all if not t.is_national and (include_disabled or t.enabled)]

    def get(self, slug: str) -> TenantInfo | None:
        """A tenant that serves requests: known, enabled and provisioned."""
        tenant = self._by_slug.get(slug)
        if tenant is None or not tenant.enabled or not (tenant.provisioned or tenant.is_national):
            return None
        return tenant

    def any_state(self, slug: str) -> TenantInfo | None:
        """A tenant whatever its state (for administration and the relay)."""
        return self._by_slug.get(slug)

    def for_host(self, host: str) -> TenantInfo | None:
        """The province served under this host name, if any (port ignored)."""
        tenant = self._by_host.get(host.split(":", 1)[0].lower())
        return tenant if tenant is not None and self.get(tenant.slug) is not None else None

    def route(self, division_code: str) -> TenantInfo | None:
        """The tenant in charge of a division: the most specific territory that covers it."""
        for code in division_ancestors(division_code):
            tenant = self._by_territory.get(code)
            if tenant is not None:
                return tenant
        return None

    def all(self) -> Sequence[TenantInfo]:
        return list(self._all)

    def event_sources(self) -> list[Source]:
        """Every schema whose outbox is delivered: national, then each provisioned province."""
        national = [self.national.source] if self.national else []
        return national + [t.source for t in self.provinces(include_disabled=True) if t.provisioned]
