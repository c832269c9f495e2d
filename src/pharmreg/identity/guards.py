"""Route guards: who must be signed in, to which tenant, holding which permission.

The web edge loads the session and the current account (re-read on every request) into the
request scope; guards only look at it. Someone not signed in for the route's tenant is sent
to that tenant's sign-in page, which reveals nothing about any other tenant.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from pharmreg.identity.schemas import ApplicantAccount, OfficerAccount, StaffAccount
from pharmreg.identity.sessions import SessionData

Account = OfficerAccount | StaffAccount | ApplicantAccount


class SignInRequired(NotAuthorizedException):
    """Not signed in (for this tenant): the edge redirects to the right sign-in page."""

    def __init__(self, realm: str, tenant: str | None) -> None:
        super().__init__(detail="请先登录")
        self.realm = realm
        self.tenant = tenant


class PasswordChangeRequired(NotAuthorizedException):
    """Signed in with a password that must be replaced first (set by an admin, or expired).

    `page` is where the edge sends the person, under the realm's base path.
    """

    page = "/password"

    def __init__(self, realm: str, tenant: str | None, detail: str = "请先修改密码") -> None:
        super().__init__(detail=detail)
        self.realm = realm
        self.tenant = tenant


class SecondFactorEnrolmentRequired(PasswordChangeRequired):
    """The security rules require a second factor this account has not enrolled yet."""

    page = "/totp"

    def __init__(self, realm: str, tenant: str | None) -> None:
        super().__init__(realm, tenant, detail="请先启用动态口令")


def _first_things_first(
    account: OfficerAccount | StaffAccount, realm: str, tenant: str | None, *, password: bool, enrolment: bool
) -> None:
    """A password to replace comes first, then a second factor to enrol; only the routes that
    do these (and signing out) are open meanwhile."""
    if account.must_change_password or account.password_expired:
        if not password:
            raise PasswordChangeRequired(realm, tenant)
    elif account.must_enrol_totp and not enrolment:
        raise SecondFactorEnrolmentRequired(realm, tenant)


def _state(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.get("state", {})
    return state


def account_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Account | None:
    """The signed-in account of this request, if the sign-in is complete."""
    state = _state(connection)
    session: SessionData | None = state.get("session")
    if session is None or session.mfa_pending:
        return None
    account: Account | None = state.get("account")
    return account


def require_officer(
    *permissions: str,
    allow_password_change: bool = False,
    allow_enrolment: bool = False,
    province_only: bool = False,
) -> Guard:
    """An officer of the route's tenant, holding one of `permissions` (any, if none given).

    `province_only`: tenant-wide matters (security settings, the audit log, messages) belong
    to the province bureau's administrators, not to a city's or county's.
    """

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        slug = connection.path_params.get("slug")
        account = account_of(connection)
        if not isinstance(account, OfficerAccount) or account.tenant != slug:
            raise SignInRequired("officer", slug)
        _first_things_first(
            account, "officer", slug, password=allow_password_change, enrolment=allow_enrolment
        )
        if permissions and not any(account.may(p) for p in permissions):
            raise PermissionDeniedException(detail="您没有执行此操作的权限")
        if province_only and not account.at_province:
            raise PermissionDeniedException(detail="此项设置由省级药品监管部门的系统管理员负责")

    return guard


def require_staff(
    *, superadmin: bool = False, allow_password_change: bool = False, allow_enrolment: bool = False
) -> Guard:
    """National staff (the super-tenant), or only its super-administrators."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        account = account_of(connection)
        if not isinstance(account, StaffAccount):
            raise SignInRequired("staff", None)
        _first_things_first(account, "staff", None, password=allow_password_change, enrolment=allow_enrolment)
        if superadmin and not account.is_superadmin:
            raise PermissionDeniedException(detail="只有超级管理员可以执行此操作")

    return guard


def require_applicant(*, allow_password_change: bool = False) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        account = account_of(connection)
        if not isinstance(account, ApplicantAccount):
            raise SignInRequired("applicant", None)
        if account.password_expired and not allow_password_change:
            raise PasswordChangeRequired("applicant", None)

    return guard


def require_signed_in(*, allow_password_change: bool = False, allow_enrolment: bool = False) -> Guard:
    """The account of the realm whose routes these are (`realm_kind` in the controller's opt)."""
    checks = {
        "officer": require_officer(
            allow_password_change=allow_password_change, allow_enrolment=allow_enrolment
        ),
        "staff": require_staff(allow_password_change=allow_password_change, allow_enrolment=allow_enrolment),
        "applicant": require_applicant(allow_password_change=allow_password_change),
    }

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        checks[handler.opt["realm_kind"]](connection, handler)

    return guard
