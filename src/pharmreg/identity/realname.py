"""Real-name verification (实名核验): the interface registration and account disputes rely on."""

from __future__ import annotations

from typing import Protocol

import msgspec


class RealNameClaim(msgspec.Struct, frozen=True):
    """Who a person says they are, with the evidence they typed in."""

    name: str
    id_type: str  # a DocumentType value
    id_number: str
    certificate_no: str  # 执业药师职业资格证书编号


class RealNameCheck(msgspec.Struct, frozen=True):
    """The answer of a verifier."""

    verified: bool
    # Where the answer came from, kept with the account (Applicant.verified_by), e.g. "qualification".
    method: str
    # When not verified: what to tell the person, in Chinese, and which form field it concerns.
    problem: str = ""
    field: str = "certificate_no"


# How a verification method is named to people (officers comparing accounts, the audit log).
METHOD_LABELS = {"qualification": "全国执业药师资格数据（姓名、证件号码、资格证书编号）"}


def method_label(method: str | None) -> str:
    if not method:
        return "未核验"
    return METHOD_LABELS.get(method, f"统一身份认证（{method}）")


class RealNameVerifier(Protocol):
    """Verifies that a person is who they claim to be, before an account is bound to an ID.

    The platform ships one implementation, `pharmreg.wiring.QualificationRecords`: the name,
    the ID number and the qualification certificate number must match one record of the
    national qualification data, which an impostor who only knows a name and an ID number
    cannot do.

    A deployment connected to a unified identity authentication service (统一身份认证) plugs
    it in without touching identity:

    1. write a class with a `name` and this `verify` method that calls the service (with a
       timeout; an unreachable service answers `verified=False` with a problem asking the
       person to try again later, never True);
    2. add it to `pharmreg.wiring.REAL_NAME_VERIFIERS` under a short name, e.g. "uia";
    3. set `PHARMREG_REAL_NAME_VERIFIER=uia` (see `pharmreg settings`).

    Registration and disputes call `verify` once per submitted identity form, before any
    text message is sent; the checks are rate-limited per address and per ID number.
    """

    name: str

    async def verify(self, claim: RealNameClaim) -> RealNameCheck:
        """Whether the claim holds; `problem` says why not."""
        ...
