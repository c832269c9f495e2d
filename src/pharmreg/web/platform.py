"""The long-lived parts of a web process, built in `create_app` and shared by requests."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.divisions import DivisionIndex
from pharmreg.kit.db import Database
from pharmreg.settings import Settings
from pharmreg.tenancy import TenantDirectory, TenantInfo


@dataclass
class Platform:
    settings: Settings
    db: Database
    redis: Redis
    divisions: DivisionIndex
    directory: TenantDirectory


def provide_platform(state: State) -> Platform:
    platform: Platform = state.platform
    return platform


def provide_db(platform: NamedDependency[Platform]) -> Database:
    return platform.db


def provide_directory(platform: NamedDependency[Platform]) -> TenantDirectory:
    return platform.directory


def provide_divisions(platform: NamedDependency[Platform]) -> DivisionIndex:
    return platform.divisions


def provide_settings(platform: NamedDependency[Platform]) -> Settings:
    return platform.settings


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
