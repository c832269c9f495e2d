"""The tenant registry: provinces and the national super-tenant, their schemas and routing."""

from pharmreg.tenancy.catalogue import CatalogueEntry, CatalogueError, load_catalogue
from pharmreg.tenancy.controllers import TenantApiController, tenant_read
from pharmreg.tenancy.directory import TenantDirectory, TenantInfo
from pharmreg.tenancy.provisioning import (
    Prepare,
    TenantMigration,
    migrate_national,
    migrate_tenants,
    provision_tenant,
)
from pharmreg.tenancy.schema_migrations import (
    NATIONAL_TREE,
    TENANT_TREE,
    MigrationOutcome,
    alembic_config,
    head_revision,
    migrate_schema,
    run_with_cli_connection,
)
from pharmreg.tenancy.schemas import (
    DEFAULTED_LINKS,
    SITE_LABELS,
    RouteRead,
    TenantConfig,
    TenantContact,
    TenantLinks,
    TenantRead,
)
from pharmreg.tenancy.service import (
    RoutingError,
    SyncReport,
    load_directory,
    route_division,
    set_enabled,
    set_site_links,
    sync_catalogue,
    tenant_divisions,
)

__all__ = [
    "DEFAULTED_LINKS",
    "NATIONAL_TREE",
    "SITE_LABELS",
    "TENANT_TREE",
    "CatalogueEntry",
    "CatalogueError",
    "MigrationOutcome",
    "Prepare",
    "RouteRead",
    "RoutingError",
    "SyncReport",
    "TenantApiController",
    "TenantConfig",
    "TenantContact",
    "TenantDirectory",
    "TenantInfo",
    "TenantLinks",
    "TenantMigration",
    "TenantRead",
    "alembic_config",
    "head_revision",
    "load_catalogue",
    "load_directory",
    "migrate_national",
    "migrate_schema",
    "migrate_tenants",
    "provision_tenant",
    "route_division",
    "run_with_cli_connection",
    "set_enabled",
    "set_site_links",
    "sync_catalogue",
    "tenant_divisions",
    "tenant_read",
]
