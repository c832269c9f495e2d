"""Provisioning and migrating tenant schemas: all or nothing, skipping what is current."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from pharmreg.autogenerate import differences_from_models
from pharmreg.identity import count_units
from pharmreg.tenancy import (
    head_revision,
    migrate_schema,
    migrate_tenants,
    provision_tenant,
    set_enabled,
    sync_catalogue,
)
from pharmreg.tenancy.catalogue import read_entry
from pharmreg.tenancy.models import Tenant

SCRATCH = """
slug = "{slug}"
kind = "province"
name = "台湾省"
authority_name = "台湾省药品监督管理局"
division_code = "710000"
territory = ["710000"]
hosts = ["scratch.localhost"]
"""


async def schema_exists(db, schema: str) -> bool:
    async with db.engine().connect() as connection:
        found = await connection.scalar(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
    return found is not None


@pytest.fixture
async def scratch(platform, tmp_path: Path):
    """A throw-away tenant in the registry (not yet provisioned); removed afterwards."""
    slug = "zz_scratch"
    folder = tmp_path / slug
    folder.mkdir()
    (folder / "tenant.toml").write_text(SCRATCH.format(slug=slug), encoding="utf-8")
    async with platform.db.national() as session, session.begin():
        report = await sync_catalogue(session, [read_entry(folder / "tenant.toml")], platform.index)
    assert report.added == [slug]
    yield (await platform.reload_directory()).any_state(slug)
    async with platform.db.engine().begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "tenant_{slug}" CASCADE'))
    async with platform.db.national() as session, session.begin():
        await session.execute(delete(Tenant).where(Tenant.slug == slug))
    await platform.reload_directory()


def test_each_tree_has_a_single_head(platform) -> None:
    for tree in ("national", "tenant"):
        assert head_revision(platform.settings.migrations_dir, tree)


@pytest.mark.parametrize("schema", ["national", "tenant_gd", "tenant_bt"])
async def test_migrated_schema_matches_models(platform, schema: str) -> None:
    async with platform.db.unpooled_engine().connect() as connection, connection.begin():
        differences = await differences_from_models(connection, schema)
        await connection.rollback()
    assert differences == []


async def test_schemas_at_head_are_skipped(platform) -> None:
    results = await migrate_tenants(
        platform.db,
        migrations_dir=platform.settings.migrations_dir,
        directory=platform.directory,
        prepare=platform.prepare(),
        only="gd",
    )
    assert [(r.slug, r.outcome.status) for r in results] == [("gd", "current")]


async def test_unknown_target_tenant(platform) -> None:
    with pytest.raises(LookupError, match="未知租户 nowhere"):
        await migrate_tenants(
            platform.db,
            migrations_dir=platform.settings.migrations_dir,
            directory=platform.directory,
            prepare=platform.prepare(),
            only="nowhere",
        )


async def test_provisioning_creates_schema_and_units(platform, scratch) -> None:
    assert not await schema_exists(platform.db, scratch.schema)
    outcome = await provision_tenant(
        platform.db,
        scratch,
        migrations_dir=platform.settings.migrations_dir,
        prepare=platform.prepare(),
    )
    assert outcome.status == "created"
    assert outcome.after == head_revision(platform.settings.migrations_dir, "tenant")
    async with platform.db.tenant(scratch.schema) as session:
        assert await count_units(session) == 1  # the province bureau; Taiwan has no listed cities
    directory = await platform.reload_directory()
    assert directory.get("zz_scratch").provisioned


async def test_concurrent_provisioning_of_one_tenant(platform, scratch) -> None:
    results = await asyncio.gather(
        *[
            provision_tenant(
                platform.db,
                scratch,
                migrations_dir=platform.settings.migrations_dir,
                prepare=platform.prepare(),
            )
            for _ in range(3)
        ]
    )
    assert sorted(r.status for r in results) == ["created", "current", "current"]
    async with platform.db.tenant(scratch.schema) as session:
        assert await count_units(session) == 1


async def test_failed_provisioning_leaves_nothing(platform, scratch) -> None:
    async def explode(*_args, **_kwargs) -> int:
        raise RuntimeError("units could not be built")

    # The last step of provisioning fails: schema and migrations must go with it.
    with pytest.raises(RuntimeError, match="units could not be built"):
        await provision_tenant(
            platform.db,
            scratch,
            migrations_dir=platform.settings.migrations_dir,
            prepare=explode,
        )
    assert not await schema_exists(platform.db, scratch.schema)
    assert not (await platform.reload_directory()).any_state("zz_scratch").provisioned


async def test_failed_migration_leaves_no_schema(platform) -> None:
    async def explode(_connection) -> None:
        raise RuntimeError("late failure")

    engine = platform.db.unpooled_engine()
    try:
        with pytest.raises(RuntimeError, match="late failure"):
            async with engine.connect() as connection, connection.begin():
                await migrate_schema(
                    connection,
                    platform.settings.migrations_dir,
                    "tenant_zz_failing",
                    create=True,
                    after_upgrade=explode,
                )
    finally:
        await engine.dispose()
    assert not await schema_exists(platform.db, "tenant_zz_failing")


async def test_disabling_keeps_data(platform, scratch, client, app) -> None:
    await provision_tenant(
        platform.db,
        scratch,
        migrations_dir=platform.settings.migrations_dir,
        prepare=platform.prepare(),
    )
    async with platform.db.national() as session, session.begin():
        await set_enabled(session, "zz_scratch", False)
    directory = await platform.reload_directory()
    app.state.platform.directory = directory
    assert directory.get("zz_scratch") is None
    assert directory.any_state("zz_scratch").enabled is False
    assert (await client.get("/p/zz_scratch/")).status_code == 404
    assert await schema_exists(platform.db, scratch.schema)
    async with platform.db.tenant(scratch.schema) as session:
        assert await count_units(session) == 1
    async with platform.db.national() as session, session.begin():
        await set_enabled(session, "zz_scratch", True)
    app.state.platform.directory = await platform.reload_directory()
    assert (await client.get("/p/zz_scratch/")).status_code == 200


async def test_catalogue_sync_keeps_operational_state(platform, scratch, tmp_path: Path) -> None:
    """A tenant disabled by an operator stays disabled when its tenant.toml changes."""
    first = await provision_tenant(
        platform.db,
        scratch,
        migrations_dir=platform.settings.migrations_dir,
        prepare=platform.prepare(),
    )
    async with platform.db.national() as session, session.begin():
        await set_enabled(session, "zz_scratch", False)
        provisioned_at = (await session.get(Tenant, "zz_scratch")).provisioned_at
    folder = tmp_path / "edited" / "zz_scratch"
    folder.mkdir(parents=True)
    (folder / "tenant.toml").write_text(
        SCRATCH.format(slug="zz_scratch").replace("台湾省药品监督管理局", "台湾省药监局（改名）"),
        encoding="utf-8",
    )
    async with platform.db.national() as session, session.begin():
        report = await sync_catalogue(session, [read_entry(folder / "tenant.toml")], platform.index)
    assert report.updated == ["zz_scratch"]
    await provision_tenant(
        platform.db,
        scratch,
        migrations_dir=platform.settings.migrations_dir,
        prepare=platform.prepare(),
    )
    async with platform.db.national() as session:
        row = await session.get(Tenant, "zz_scratch")
    assert first.status == "created"
    assert row.authority_name == "台湾省药监局（改名）" and row.enabled is False
    assert row.provisioned_at == provisioned_at


async def test_disabling_unknown_tenant(platform) -> None:
    async with platform.db.national() as session, session.begin():
        with pytest.raises(LookupError, match="未知租户"):
            await set_enabled(session, "nowhere", False)


async def test_recreated_schema_events_are_not_mistaken_for_old_ones(platform, scratch) -> None:
    """Outbox ids restart when a schema is dropped and provisioned again; its new events must
    still be applied (deduplication is by event UUID, not by schema and id)."""
    from pharmreg.events.models import ConsumedEvent, TenantOutbox
    from pharmreg.supervision import reconcile_province
    from pharmreg.supervision.models import ProvinceStat

    async def provision_and_deliver() -> int:
        await provision_tenant(
            platform.db,
            scratch,
            migrations_dir=platform.settings.migrations_dir,
            prepare=platform.prepare(),
        )
        await platform.reload_directory()
        await platform.relay().pass_once()
        async with platform.db.tenant(scratch.schema) as session:
            row = await session.scalar(select(TenantOutbox).order_by(TenantOutbox.id).limit(1))
        async with platform.db.national() as session:
            consumed = await session.get(ConsumedEvent, ("supervision.province_figures", row.event_uuid))
        assert consumed is not None and consumed.event_id == row.id
        return row.id

    first_id = await provision_and_deliver()
    async with platform.db.engine().begin() as connection:
        await connection.execute(text(f'DROP SCHEMA "{scratch.schema}" CASCADE'))
    assert await provision_and_deliver() == first_id  # the same id, a different event
    # The national figure counted both incarnations; reconciliation recounts the live one.
    await reconcile_province(platform.db, scratch.source)
    async with platform.db.national() as session:
        assert (await session.get(ProvinceStat, ("zz_scratch", "units"))).value == 1
