"""One tenant's authority rules, loaded into a Casbin enforcer with an exact-match index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import casbin
from casbin import persist
from casbin.model import FastModel, fast_policy_filter

from pharmreg.authority.projection import Rule
from pharmreg.kit.codes import division_ancestors


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    # The rule that decided, e.g. ["440100", "440100", "first_registration", "allow", "delegation:7"].
    rule: tuple[str, ...] | None


class _RulesAdapter(persist.Adapter):  # type: ignore[misc]  # pycasbin ships no type hints
    """Hands the projected rules to Casbin the way storage adapters do: straight into the
    model's policy, in one pass (adding them one by one re-counts the whole index each time)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = rules

    def load_policy(self, model: FastModel) -> None:
        policy = model.model["p"]["p"].policy
        for rule in self._rules:
            policy.append(rule.as_policy())


class AuthorityPolicy:
    """Answers: may a unit act on a matter at a place, and which unit is in charge there."""

    def __init__(self, rules: Sequence[Rule], version: int, model_text: str) -> None:
        self.version = version
        model = FastModel([0, 1])  # index on (unit, division): every check touches a few rules
        model.load_model_from_text(model_text)
        self._enforcer = casbin.FastEnforcer(model, _RulesAdapter(rules), cache_key_order=[0, 1])
        # Routing index: the unit holding "allow" per (division, matter).
        self._holder = {(r.domain, r.matter): r.unit for r in rules if r.effect == "allow"}
        self.rule_count = len(rules)

    def decide(self, unit: str, matter: str, division: str) -> Decision:
        """The most specific rule for `unit` at `division` (county, city, province) decides."""
        policies = self._enforcer.model.model["p"]["p"].policy
        for domain in division_ancestors(division):
            with fast_policy_filter(policies, unit, domain):
                allowed, explain = self._enforcer.enforce_ex(unit, domain, matter)
            if explain:
                return Decision(allowed, tuple(explain))
        return Decision(False, None)

    def responsible_unit(self, matter: str, division: str) -> str | None:
        """The unit in charge of `matter` at `division` (where its tasks are routed)."""
        for domain in division_ancestors(division):
            holder = self._holder.get((domain, matter))
            if holder is not None and self.decide(holder, matter, division).allowed:
                return holder
        return None
