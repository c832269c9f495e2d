"""Use cases of the tenancy context: catalogue sync, provisioning, migrations, routing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.divisions import DivisionIndex, DivisionRead
from pharmreg.kit.codes import CodeError, check_division_code
from pharmreg.kit.db import NATIONAL_SCHEMA, tenant_schema
from pharmreg.tenancy import repository
from pharmreg.tenancy.catalogue import CatalogueEntry, CatalogueError
from pharmreg.tenancy.directory import TenantDirectory, TenantInfo


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # In the registry but no longer in the catalogue: left alone, never deleted.
    not_in_catalogue: list[str] = field(default_factory=list)


class RoutingError(LookupError):
    """No tenant can take matters for this location; the message tells the user why."""


async def sync_catalogue(
    session: AsyncSession, entries: Sequence[CatalogueEntry], index: DivisionIndex
) -> SyncReport:
    """Write the catalogue into the registry; checks territories against the divisions."""
    problems = []
    for entry in entries:
        for code in entry.config.territory:
            division = index.get(code)
            if division is None:
                problems.append(f"{entry.config.slug}：辖区代码 {code} 不是已知的行政区划")
            elif not division.current:
                problems.append(f"{entry.config.slug}：辖区代码 {code}（{division.name}）已停用")
    if problems:
        raise CatalogueError(problems)
    existing = {t.slug: t for t in await repository.all_tenants(session)}
    report = SyncReport()
    for entry in entries:
        config = entry.config
        current = existing.get(config.slug)
        if current is not None and current.config_sha256 == entry.sha256:
            report.unchanged.append(config.slug)
            continue
        await repository.upsert_tenant(
            session,
            keep_on_update=("enabled",),
            values={
                "slug": config.slug,
                "kind": config.kind,
                "name": config.name,
                "authority_name": config.authority_name,
                "division_code": config.division_code,
                "schema_name": NATIONAL_SCHEMA if config.kind == "national" else tenant_schema(config.slug),
                "placement": config.placement,
                "hosts": list(config.hosts),
                "territory": list(config.territory),
                "enabled": config.enabled,
                "sort_order": config.sort_order,
                "links": msgspec.to_builtins(config.links),
                "contact": msgspec.to_builtins(config.contact),
                "config_sha256": entry.sha256,
            },
        )
        (report.updated if current is not None else report.added).append(config.slug)
    catalogue = {e.config.slug for e in entries}
    report.not_in_catalogue = sorted(set(existing) - catalogue)
    return report


async def load_directory(session: AsyncSession) -> TenantDirectory:
    return TenantDirectory(TenantInfo.from_row(row) for row in await repository.all_tenants(session))


async def set_enabled(session: AsyncSession, slug: str, enabled: bool) -> None:
    """Enable or disable a tenant; disabling keeps its schema and data untouched."""
    if await repository.get_tenant(session, slug) is None:
        raise LookupError(f"未知租户 {slug}")
    await repository.set_enabled(session, slug, enabled)


def tenant_divisions(
    tenant: TenantInfo, directory: TenantDirectory, index: DivisionIndex
) -> list[DivisionRead]:
    """Current city and county divisions a tenant is in charge of (carve-outs excluded)."""
    found: dict[str, DivisionRead] = {}
    pending = list(tenant.territory)
    while pending:
        code = pending.pop()
        division = index.get(code)
        if division is None or not division.current:
            continue
        owner = directory.route(code)
        if owner is None or owner.slug != tenant.slug:
            continue
        if division.level > 1:
            found[code] = division
        pending.extend(child.code for child in index.children(code))
    return sorted(found.values(), key=lambda d: d.code)


def route_division(
    directory: TenantDirectory, index: DivisionIndex, code: str
) -> tuple[DivisionRead, TenantInfo]:
    """The division and the enabled tenant that handles matters located there."""
    try:
        check_division_code(code)
    except CodeError as exc:
        raise RoutingError(str(exc)) from None
    division = index.get(code)
    if division is None:
        raise RoutingError(f"未找到行政区划代码 {code}")
    tenant = directory.route(code)
    if tenant is None or directory.get(tenant.slug) is None:
        raise RoutingError(f"{division.full_name}所在省份暂未开通网上办理")
    return division, tenant


async def set_site_links(session: AsyncSession, slug: str, links: dict[str, Any]) -> None:
    """Record a province administrator's own links (over the catalogue's) in the registry."""
    await repository.set_site_links(session, slug, links)
