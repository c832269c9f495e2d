"""Use cases of the authority context."""

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
    "ActingAuthority",
    "Units",
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
    "reproject",
    "revoke_delegation",
    "work_delegations_of",
]
