"""From delegation records to authority rules: pure, so it is tested without a database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pharmreg.authority.matters import Matter

ALL_MATTERS = tuple(matter.value for matter in Matter)


@dataclass(frozen=True, slots=True)
class Grant:
    """A delegation as the projection needs it."""

    id: int
    grantor_code: str
    delegate_code: str
    matter: str
    territory: tuple[str, ...]
    valid_from: datetime
    valid_to: datetime | None

    def active_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_to is None or moment < self.valid_to)


@dataclass(frozen=True, slots=True)
class Rule:
    unit: str
    domain: str
    matter: str
    effect: str  # "allow" or "deny"
    source: str

    def as_policy(self) -> list[str]:
        return [self.unit, self.domain, self.matter, self.effect, self.source]


def project(
    *,
    province_unit: str,
    territory: Sequence[str],
    grants: Iterable[Grant],
    moment: datetime,
    matters: Iterable[str] = ALL_MATTERS,
) -> list[Rule]:
    """The rules in force at `moment`: the province's base grant, then each active delegation."""
    rules = [Rule(province_unit, code, matter, "allow", "base") for matter in matters for code in territory]
    for grant in grants:
        if not grant.active_at(moment):
            continue
        source = f"delegation:{grant.id}"
        for code in grant.territory:
            rules.append(Rule(grant.delegate_code, code, grant.matter, "allow", source))
            rules.append(Rule(grant.grantor_code, code, grant.matter, "deny", source))
    return rules


def next_change(grants: Iterable[Grant], moment: datetime) -> datetime | None:
    """The next time a delegation starts or ends after `moment`: the rules change then."""
    upcoming = [
        when
        for grant in grants
        for when in (grant.valid_from, grant.valid_to)
        if when is not None and when > moment
    ]
    return min(upcoming, default=None)
