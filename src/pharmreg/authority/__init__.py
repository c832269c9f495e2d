"""Approval authority (审批权限): delegation records, the Casbin projection, work delegation."""

from pharmreg.authority.cache import PolicyCache
from pharmreg.authority.controllers import ROUTE_HANDLERS
from pharmreg.authority.matters import Matter
from pharmreg.authority.policy import AuthorityPolicy, Decision
from pharmreg.authority.projection import Grant, Rule, next_change, project
from pharmreg.authority.schemas import (
    DelegationForm,
    DelegationRead,
    Explanation,
    MatrixCell,
    MatrixRow,
    RevocationForm,
    WorkDelegationForm,
    WorkDelegationRead,
)
from pharmreg.authority.service.delegation import (
    HANDLING_POSITIONS,
    ActingAuthority,
    Units,
    acting_authority,
    apply_scheduled_changes,
    authority_matrix,
    day_start,
    delegation_family,
    delegation_read,
    ensure_projected,
    explain,
    grant_delegation,
    list_delegations,
    load_policy,
    reproject,
    revoke_delegation,
)
from pharmreg.authority.service.work import (
    create_work_delegation,
    delegators_for,
    end_work_delegation,
    work_delegations_of,
)

__all__ = [
    "HANDLING_POSITIONS",
    "ROUTE_HANDLERS",
    "ActingAuthority",
    "AuthorityPolicy",
    "Decision",
    "DelegationForm",
    "DelegationRead",
    "Explanation",
    "Grant",
    "MatrixCell",
    "MatrixRow",
    "Matter",
    "PolicyCache",
    "RevocationForm",
    "Rule",
    "Units",
    "WorkDelegationForm",
    "WorkDelegationRead",
    "acting_authority",
    "apply_scheduled_changes",
    "authority_matrix",
    "create_work_delegation",
    "day_start",
    "delegation_family",
    "delegation_read",
    "delegators_for",
    "end_work_delegation",
    "ensure_projected",
    "explain",
    "grant_delegation",
    "list_delegations",
    "load_policy",
    "next_change",
    "project",
    "reproject",
    "revoke_delegation",
    "work_delegations_of",
]
