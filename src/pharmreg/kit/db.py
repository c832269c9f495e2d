"""Tenant-bound database access: one pool per server, one schema per session.

Tenant tables are declared without a schema and bound to ``tenant_<slug>`` with SQLAlchemy's
``schema_translate_map`` on a per-tenant engine proxy that shares its server's pool. The
translated SQL text names the schema, so pooled connections and asyncpg's statement cache can
never carry one tenant's context into another's request. ``search_path`` is never set on
pooled connections.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

from pharmreg.kit.logging import get_logger

log = get_logger(__name__)

NATIONAL_SCHEMA = "national"
PRIMARY_PLACEMENT = "primary"
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,40}$")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class NationalBase(DeclarativeBase):
    """Tables of the national super-tenant, always in the ``national`` schema."""

    metadata = MetaData(schema=NATIONAL_SCHEMA, naming_convention=NAMING_CONVENTION)


class TenantBase(DeclarativeBase):
    """Tables that every province has in its own ``tenant_<slug>`` schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def tenant_schema(slug: str) -> str:
    """The schema name of a tenant; refuses anything that is not a valid slug."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise ValueError(f"invalid tenant slug {slug!r}")
    return f"tenant_{slug}"


def async_url(url: str) -> str:
    """Accept postgresql:// URLs and point SQLAlchemy at the asyncpg driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"not a PostgreSQL URL: {parsed.drivername}")
    return parsed.render_as_string(hide_password=False)


def redact_url(url: str) -> str:
    """A database URL safe to show: the password is hidden."""
    return make_url(url).render_as_string(hide_password=True)


async def ensure_database(url: str) -> bool:
    """Create the URL's database if it does not exist yet; True if it was created.

    Connects to the database itself first, so that servers where the maintenance database
    is off limits work as long as the database exists.
    """
    target = make_url(async_url(url))
    name = target.database
    if not name:
        raise ValueError("DATABASE_URL names no database")
    probe = create_async_engine(target, poolclass=NullPool)
    try:
        async with probe.connect():
            return False
    except Exception as exc:
        if "does not exist" not in str(exc):
            raise
    finally:
        await probe.dispose()
    maintenance = create_async_engine(
        target.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with maintenance.connect() as connection:
            quoted = name.replace('"', '""')
            await connection.execute(text(f"CREATE DATABASE \"{quoted}\" ENCODING 'UTF8' TEMPLATE template0"))
            return True
    finally:
        await maintenance.dispose()


def is_tenant_session(session: AsyncSession) -> bool:
    """Whether `session` is bound to a tenant schema (rather than the national one)."""
    options = session.sync_session.get_bind().get_execution_options()
    return bool(options.get("schema_translate_map"))


class Database:
    """Engines per server ("placement") and session factories per schema."""

    def __init__(
        self,
        primary_url: str,
        *,
        placements: Mapping[str, str] | None = None,
        pool_size: int = 10,
        statement_cache_size: int = 1000,
        application_name: str = "pharmreg",
    ) -> None:
        urls = {PRIMARY_PLACEMENT: primary_url, **(placements or {})}
        self._urls = {name: async_url(url) for name, url in urls.items()}
        self._engines: dict[str, AsyncEngine] = {
            name: create_async_engine(
                async_url(url),
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                pool_recycle=1800,
                connect_args={
                    "prepared_statement_cache_size": statement_cache_size,
                    "server_settings": {"application_name": application_name},
                },
            )
            for name, url in urls.items()
        }
        self._makers: dict[tuple[str, str], async_sessionmaker[AsyncSession]] = {}

    def engine(self, placement: str = PRIMARY_PLACEMENT) -> AsyncEngine:
        try:
            return self._engines[placement]
        except KeyError:
            raise LookupError(f"no database server configured for placement {placement!r}") from None

    def url(self, placement: str = PRIMARY_PLACEMENT) -> str:
        self.engine(placement)
        return self._urls[placement]

    def unpooled_engine(self, placement: str = PRIMARY_PLACEMENT) -> AsyncEngine:
        """A separate engine without a pool, for DDL that must not touch pooled connections."""
        return create_async_engine(self.url(placement), poolclass=NullPool)

    def national(self) -> AsyncSession:
        """A session for the national schema (tenant tables are unreachable through it)."""
        return self._maker(NATIONAL_SCHEMA, PRIMARY_PLACEMENT)()

    def tenant(self, schema: str, placement: str = PRIMARY_PLACEMENT) -> AsyncSession:
        """A session whose tenant tables all resolve to `schema`; one tenant per session."""
        if not schema.startswith("tenant_"):
            raise ValueError(f"{schema!r} is not a tenant schema")
        return self._maker(schema, placement)()

    def _maker(self, schema: str, placement: str) -> async_sessionmaker[AsyncSession]:
        key = (schema, placement)
        maker = self._makers.get(key)
        if maker is None:
            engine = self.engine(placement)
            if schema != NATIONAL_SCHEMA:
                # A proxy sharing the pool: every statement is compiled once and only the
                # schema name is substituted, so tenants share SQLAlchemy's compiled cache.
                engine = engine.execution_options(schema_translate_map={None: schema})
            maker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
            self._makers[key] = maker
        return maker

    async def dispose(self) -> None:
        for engine in self._engines.values():
            await engine.dispose()


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit a request's unit of work, whether or not earlier reads already began it.

    A handler may read (and so begin a transaction) before it decides to write; the write
    then joins that transaction, and everything commits together or rolls back together.
    """
    if not session.in_transaction():
        async with session.begin():
            yield session
        return
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    await session.commit()


async def commit_in_order(*sessions: AsyncSession, what: str) -> None:
    """Commit sessions of several schemas one after the other, the one whose constraints decide first.

    There is no two-phase commit: if a later commit fails after an earlier one succeeded, the
    failure is logged as critical (with how many committed) for the repair jobs and people.
    """
    for index, session in enumerate(sessions):
        try:
            await session.commit()
        except Exception:
            if index:
                log.critical("db.partial_commit", what=what, committed=index)
            raise


@asynccontextmanager
async def committed_together(session: AsyncSession, national: AsyncSession, what: str) -> AsyncIterator[None]:
    """Commit the national session first (its unique indexes decide races), then the province's.

    If the province's commit fails after the national one succeeded, an open-case slot may be
    left claimed: the hourly sweep (`free_stale_slots`) releases slots whose application is not
    in progress, and the daily register upkeep drops index entries whose registration the
    province never committed.
    """
    try:
        yield
    except BaseException:
        await national.rollback()
        await session.rollback()
        raise
    await commit_in_order(national, session, what=what)
