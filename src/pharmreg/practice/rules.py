"""Pure rules: what state a practice unit is in on a given day, and why no one can register there."""

from __future__ import annotations

from datetime import date

# What officers record of a unit; a suspended or revoked licence, or a closed unit, blocks new
# registrations there.
UNIT_STATUSES = {"active": "正常", "suspended": "停业整顿", "revoked": "许可证吊销", "closed": "已注销"}
# The state a unit is in on a day: its recorded status, except that an active unit whose licence
# has lapsed is "expired" until its licence is renewed. Never stored: it changes by itself at midnight.
UNIT_STATES = {**UNIT_STATUSES, "expired": "许可证已过期"}


def licence_expired(licence_valid_until: date, today: date) -> bool:
    """A licence is valid through the last day it names (Beijing date)."""
    return licence_valid_until < today


def unit_state(status: str, licence_valid_until: date, today: date) -> str:
    """The unit's state on `today`: "expired" for an active unit whose licence lapsed, else its status."""
    if status == "active" and licence_expired(licence_valid_until, today):
        return "expired"
    return status


def state_label(state: str) -> str:
    return UNIT_STATES.get(state, state)


def registration_barrier(status: str, licence_valid_until: date, today: date) -> str | None:
    """Why no pharmacist can register at the unit on `today`, in words; None when they can."""
    reasons = []
    if status != "active":
        reasons.append(state_label(status))
    if licence_expired(licence_valid_until, today):
        reasons.append(f"许可证已于 {licence_valid_until:%Y-%m-%d} 过期")
    return "；".join(reasons) or None
