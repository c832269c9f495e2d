"""Security settings: one row per tenant, and one for the national accounts."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_national_audit, record_tenant_audit
from pharmreg.identity import repository
from pharmreg.identity.models import NationalSecuritySetting, TenantSecuritySetting
from pharmreg.identity.schemas import SECURITY_LIMITS, TOTP_REQUIRED, SecurityRules
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import is_tenant_session
from pharmreg.kit.forms import Problems


def _model(session: AsyncSession) -> type[TenantSecuritySetting] | type[NationalSecuritySetting]:
    return TenantSecuritySetting if is_tenant_session(session) else NationalSecuritySetting


async def security_rules(session: AsyncSession) -> SecurityRules:
    """The settings of the session's tenant (or the national ones for a national session)."""
    row = await repository.security_row(session, _model(session))
    return SecurityRules(**{name: getattr(row, name) for name in SecurityRules.__struct_fields__})


async def update_security_rules(
    session: AsyncSession, values: dict[str, Any], *, actor: Actor
) -> SecurityRules:
    """Change settings within their allowed ranges; every out-of-range value is reported."""
    problems = Problems()
    parsed: dict[str, int | str] = {}
    for name, (low, high, label) in SECURITY_LIMITS.items():
        raw = str(values.get(name, "")).strip()
        try:
            number = int(raw)
        except ValueError:
            problems.add(name, f"{label}应为整数")
            continue
        if not low <= number <= high:
            problems.add(name, f"{label}应在 {low} 至 {high} 之间")
        parsed[name] = number
    if "totp_required" in values:  # a form without the field leaves the rule as it is
        required = str(values["totp_required"]).strip()
        if required in TOTP_REQUIRED:
            parsed["totp_required"] = required
        else:
            problems.add("totp_required", "请选择要求启用动态口令的范围")
    idle, absolute = parsed.get("session_idle_minutes"), parsed.get("session_absolute_hours")
    if isinstance(idle, int) and isinstance(absolute, int) and idle > absolute * 60:
        problems.add("session_idle_minutes", "空闲超时不能长于会话最长时间")
    problems.raise_if_any()
    row = await repository.security_row(session, _model(session))
    before = msgspec.structs.asdict(await security_rules(session))
    changes = {k: [before[k], v] for k, v in parsed.items() if before[k] != v}
    for name, value in parsed.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    row.updated_by = actor.name
    if changes:
        summary = "修改安全设置：" + "，".join(
            _change_label(session, k, a, b) for k, (a, b) in changes.items()
        )
        if is_tenant_session(session):
            await record_tenant_audit(
                session, action="settings_changed", actor=actor, summary=summary, details={"changes": changes}
            )
        else:
            record_national_audit(
                session, action="settings_changed", actor=actor, summary=summary, details={"changes": changes}
            )
    return await security_rules(session)


def _change_label(session: AsyncSession, name: str, before: Any, after: Any) -> str:
    if name == "totp_required":
        column = 0 if is_tenant_session(session) else 1
        return f"动态口令要求 {TOTP_REQUIRED[before][column]}→{TOTP_REQUIRED[after][column]}"
    return f"{SECURITY_LIMITS[name][2]} {before}→{after}"


def second_factor_required(rules: SecurityRules, *, administrator: bool) -> bool:
    """Whether the rules make this account sign in with a second factor."""
    return rules.totp_required == "all" or (rules.totp_required == "admins" and administrator)
