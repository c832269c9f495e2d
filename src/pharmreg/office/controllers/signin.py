"""Where officers and national staff sign in: password, reset, second factor, sign-out."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide

from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.identity import (
    Realm,
    SecondFactorRoutes,
)
from pharmreg.kit.db import Database
from pharmreg.tenancy import TenantInfo


def _officer_realm(tenant: NamedDependency[TenantInfo], db: NamedDependency[Database]) -> Realm:
    return officer_realm(tenant, db)


class OfficeSignInController(SecondFactorRoutes):
    """Officers sign in to their own province's office (sign-in, password, reset, TOTP)."""

    path = "/p/{slug:str}/office"
    opt = {"realm_kind": "officer"}
    dependencies = {"realm": Provide(_officer_realm, sync_to_thread=False)}


def _staff_realm(db: NamedDependency[Database]) -> Realm:
    return staff_realm(db)


class NationalSignInController(SecondFactorRoutes):
    """National staff: sign in (with optional TOTP), password, reset, second factor."""

    path = "/national"
    opt = {"realm_kind": "staff"}
    dependencies = {"realm": Provide(_staff_realm, sync_to_thread=False)}
