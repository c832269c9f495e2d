"""The back offices' page chrome, shared by every context's pages: where officers and national
staff sign in (their realms) and what the layout shows around an office page."""

from __future__ import annotations

from typing import Any

from pharmreg.identity import OfficerAccount, Realm, StaffAccount
from pharmreg.kit.db import Database
from pharmreg.tenancy import TenantInfo

STAFF_BRAND = {"brand": "全国执业药师注册监管平台", "brand_sub": "国家药品监督管理局", "home": "/national/"}


def office_base(tenant: TenantInfo) -> str:
    """Where a province's office pages live."""
    return f"/p/{tenant.slug}/office"


def office_brand(tenant: TenantInfo) -> dict[str, str]:
    """The header texts of a province's office layout."""
    return {
        "brand": f"{tenant.name}执业药师注册 · 网上审批",
        "brand_sub": tenant.authority_name,
        "home": f"{office_base(tenant)}/",
    }


def office_chrome(tenant: TenantInfo) -> dict[str, Any]:
    """What the office layout shows around a page, for pages that need no sign-in session."""
    return {"base": office_base(tenant), "brand": office_brand(tenant)}


def officer_realm(tenant: TenantInfo, db: Database) -> Realm:
    """Where a province's officers sign in, and the chrome of their pages."""
    base = office_base(tenant)
    return Realm(
        kind="officer",
        tenant=tenant.slug,
        base=base,
        home=f"{base}/",
        title=f"{tenant.authority_name} 工作人员登录",
        login_label="用户名",
        open_session=lambda: db.tenant(tenant.schema, tenant.placement),
        brand=office_brand(tenant),
    )


def staff_realm(db: Database) -> Realm:
    """Where national staff sign in, and the chrome of the national back office."""
    return Realm(
        kind="staff",
        tenant="national",
        base="/national",
        home="/national/",
        title="国家药品监督管理局工作人员登录",
        login_label="用户名",
        open_session=db.national,
        brand=dict(STAFF_BRAND),
    )


def office_page(tenant: TenantInfo, officer: OfficerAccount, db: Database, **values: Any) -> dict[str, Any]:
    """What a signed-in officer's page shows around its own values: the realm, province, officer."""
    return {"realm": officer_realm(tenant, db), "tenant": tenant, "officer": officer, **values}


def staff_page(staff: StaffAccount, db: Database, **values: Any) -> dict[str, Any]:
    """What a national staff member's page shows around its own values: the realm and who they are."""
    return {"realm": staff_realm(db), "staff": staff, **values}
