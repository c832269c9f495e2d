"""Session set-up: a fresh test database, migrated and loaded once, on real PostgreSQL and Redis.

`ops/test` provides PHARMREG_TEST_DATABASE_URL and PHARMREG_TEST_REDIS_URL (a database and a
Redis db index of their own, so the suite never touches development data).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.testing.transport import TestClientTransport
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from pharmreg.demo import load_demo
from pharmreg.divisions import DivisionIndex, load_divisions
from pharmreg.events import Relay, Source
from pharmreg.kit.db import Database, async_url
from pharmreg.settings import PROJECT_ROOT, Settings
from pharmreg.tenancy import (
    TenantDirectory,
    TenantInfo,
    load_catalogue,
    load_directory,
    migrate_national,
    migrate_tenants,
    sync_catalogue,
)
from pharmreg.web import create_app
from pharmreg.wiring import Resources, build_relay, build_resources, job_context, tenant_preparation
from tests.browser import Browser

# Fixtures that make pharmacists (account, qualification) for any test that needs one, and
# private servers for outage tests.
pytest_plugins = ["tests.pharmacists", "tests.services"]


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the suite with ops/test", returncode=2)
    return value


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env(
        {},
        database_url=_required("PHARMREG_TEST_DATABASE_URL"),
        redis_url=_required("PHARMREG_TEST_REDIS_URL"),
        environment="test",
        log_level="WARNING",
        outbox_poll_seconds=0.5,
    )


async def _on_server(url: str, *statements: str) -> None:
    """Run statements on the server of `url`, connected to its maintenance database."""
    admin = create_async_engine(
        make_url(async_url(url)).set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await admin.dispose()


async def _recreate_database(url: str) -> None:
    name = make_url(url).database
    await _on_server(
        url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'",
    )


async def _copy_database(url: str, suffix: str) -> str:
    """A copy of the database (nothing may be connected to it); returns the copy's URL."""
    source = make_url(url).database
    copy = f"{source}_{suffix}"
    await _on_server(
        url, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)', f'CREATE DATABASE "{copy}" TEMPLATE "{source}"'
    )
    return make_url(url).set(database=copy).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "own_database(name): the test changes demo data freely, in a copy of the loaded test database "
        "named after it",
    )


@dataclass
class SessionResources:
    """What tests share: the resources as every process builds them, the loaded reference data
    and the registry."""

    resources: Resources
    index: DivisionIndex
    directory: TenantDirectory
    # Copies of the database as loaded, by name, for the tests marked `own_database(name)`.
    copies: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.resources.settings

    @property
    def db(self) -> Database:
        return self.resources.db

    @property
    def authority_model(self) -> str:
        return self.resources.authority_model

    def job_ctx(self, tenants: Sequence[TenantInfo] = (), sources: Sequence[Source] = ()) -> dict[str, Any]:
        """arq's ctx as the worker's start-up fills it, with jobs seeing only the given provinces."""

        async def listed() -> list[TenantInfo]:
            return list(tenants)

        async def listed_sources() -> list[Source]:
            return list(sources)

        context = replace(job_context(self.resources), tenants=listed, tenant_sources=listed_sources)
        return context.into({})

    def prepare(self):
        """What provisioning prepares a new tenant schema with (units, base authority)."""
        return tenant_preparation(self.directory, self.index)

    def relay(self) -> Relay:
        """The relay exactly as the worker builds it, without LISTEN (tests call pass_once)."""
        return build_relay(self.db, self.settings, listen=False)

    async def reload_directory(self) -> TenantDirectory:
        async with self.db.national() as session:
            self.directory = await load_directory(session)
        return self.directory


@pytest.fixture(scope="session")
async def platform(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[SessionResources]:
    await _recreate_database(settings.database_url)
    redis = Redis.from_url(settings.redis_url)
    await redis.flushdb()
    await redis.aclose()
    resources = build_resources(settings, pool_size=10)
    db = resources.db
    await migrate_national(db, settings.migrations_dir)
    async with db.national() as session, session.begin():
        await load_divisions(session, settings.tenants_dir / "reference" / "divisions.tsv")
    async with db.national() as session, session.begin():
        index = await DivisionIndex.load(session)
        await sync_catalogue(session, load_catalogue(settings.tenants_dir), index)
    async with db.national() as session:
        directory = await load_directory(session)
    results = await migrate_tenants(
        db,
        migrations_dir=settings.migrations_dir,
        directory=directory,
        prepare=tenant_preparation(directory, index),
    )
    failed = [r for r in results if r.outcome is None]
    assert not failed, failed
    shared = SessionResources(resources=resources, index=index, directory=directory)
    directory = await shared.reload_directory()
    # Without the years of registration history (`pharmreg setup --demo` loads it): tests make
    # their own registrations and count them.
    await load_demo(
        db, directory, index, today=date.today(), authority_model=resources.authority_model, history=0
    )
    await shared.relay().pass_once()
    copies = sorted(
        {
            str(marker.args[0])
            for item in request.session.items
            for marker in item.iter_markers("own_database")
        }
    )
    if copies:
        # Copied now, while this is the only client: a template database must have no other.
        await db.dispose()
        for name in copies:
            shared.copies[name] = await _copy_database(settings.database_url, name)
    yield shared
    await resources.close()
    for url in shared.copies.values():
        await _on_server(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def app(settings: Settings, platform: SessionResources) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def fresh_app_directory(app: Litestar, platform: SessionResources) -> TenantDirectory:
    """Make the app see the registry as it is now (it otherwise re-reads it every 5 s)."""
    directory = await platform.reload_directory()
    app.state.platform.directory = directory
    return directory


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT


class _FromAddress(TestClientTransport):  # type: ignore[type-arg]
    """The test client's transport, with requests coming from a given client address."""

    def __init__(self, client: AsyncTestClient[Litestar], address: str) -> None:
        super().__init__(client=client, raise_server_exceptions=True)  # type: ignore[arg-type]
        self._address = address

    def parse_request(self, request: httpx.Request) -> dict:
        scope = super().parse_request(request)
        scope["client"] = (self._address, 50000)
        return scope


class _PortalTransport(httpx.AsyncBaseTransport):
    """Send requests into the app running in the started test client's portal."""

    def __init__(self, client: AsyncTestClient[Litestar], address: str | None = None) -> None:
        self._inner = (
            _FromAddress(client, address)
            if address
            else TestClientTransport(client=client, raise_server_exceptions=True)  # type: ignore[arg-type]
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)


def _browser_http(client: AsyncTestClient[Litestar], address: str | None = None) -> httpx.AsyncClient:
    """An HTTP client with its own cookies that reaches the app through the started test client.

    The app runs in the test client's portal (its own thread and event loop, where the lifespan
    opened the pools), so every browser must send its requests through that same portal.
    `address`: the client address the app sees (the default is the test client's own).
    """
    return httpx.AsyncClient(
        transport=_PortalTransport(client, address),
        base_url="http://testserver.local",
    )


@pytest.fixture
async def browser(client: AsyncTestClient[Litestar]) -> AsyncIterator[Browser]:
    """A fresh browser (own cookies) on the running app."""
    async with _browser_http(client) as http:
        yield Browser(http)


@pytest.fixture
async def new_browser(client: AsyncTestClient[Litestar]) -> AsyncIterator[Callable[[], Browser]]:
    """Make more browsers in one test (two officers at once, two devices of one person), each
    from the test client's address or from `address`."""
    opened: list[httpx.AsyncClient] = []

    def make(address: str | None = None) -> Browser:
        http = _browser_http(client, address)
        opened.append(http)
        return Browser(http)

    yield make
    for http in opened:
        await http.aclose()


@pytest.fixture(autouse=True)
async def fresh_rate_limits() -> None:
    """Every test starts in a fresh rate-limit window, as if a minute had passed since the last."""
    url = os.environ.get("PHARMREG_TEST_REDIS_URL")
    if not url:  # pure tests run on their own, without the services
        return
    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter("pharmreg:rate:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
