"""The audit log of security-relevant actions: append-only per tenant, copied nationally."""

from pharmreg.audit.actions import ACTIONS, action_label
from pharmreg.audit.schemas import SYSTEM, Actor, AuditQuery, AuditRead
from pharmreg.audit.service import (
    AUDIT_RECORDED,
    NationalAuditCopy,
    record_national_audit,
    record_tenant_audit,
    search_national_audit,
    search_tenant_audit,
)

__all__ = [
    "ACTIONS",
    "AUDIT_RECORDED",
    "SYSTEM",
    "Actor",
    "AuditQuery",
    "AuditRead",
    "NationalAuditCopy",
    "action_label",
    "record_national_audit",
    "record_tenant_audit",
    "search_national_audit",
    "search_tenant_audit",
]
