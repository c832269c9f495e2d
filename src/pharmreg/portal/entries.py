"""Who the visitor is signed in as, for the public menu's own entries (登录 / 注册, or 我的申请 / 退出)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from pharmreg.identity import ApplicantAccount, OfficerAccount, StaffAccount, account_of


@dataclass(frozen=True, slots=True)
class SignedIn:
    kind: str  # "applicant", "officer" or "staff"
    name: str
    home: str  # the person's own area
    logout: str  # where the sign-out form posts


def signed_in(request: Request[Any, Any, Any] | None) -> SignedIn | None:
    """The person signed in on this request (sign-in complete), as the public pages show them."""
    account = account_of(request) if request is not None else None
    if isinstance(account, ApplicantAccount):
        return SignedIn("applicant", account.name, "/account/", "/account/logout")
    if isinstance(account, OfficerAccount):
        base = f"/p/{account.tenant}/office"
        return SignedIn("officer", account.name, f"{base}/", f"{base}/logout")
    if isinstance(account, StaffAccount):
        return SignedIn("staff", account.name, "/national/", "/national/logout")
    return None
