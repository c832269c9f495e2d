"""Delegation records -> rules -> decisions, without a database."""

from datetime import UTC, datetime, timedelta

from pharmreg.authority import AuthorityPolicy, Grant, next_change, project
from pharmreg.settings import PROJECT_ROOT

MODEL = (PROJECT_ROOT / "policies" / "authority.conf").read_text(encoding="utf-8")
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def grant(id_, grantor, delegate, matter, territory, start=NOW - timedelta(days=1), end=None) -> Grant:
    return Grant(id_, grantor, delegate, matter, tuple(territory), start, end)


def policy(*grants: Grant, moment: datetime = NOW) -> AuthorityPolicy:
    rules = project(province_unit="440000", territory=["440000"], grants=grants, moment=moment)
    return AuthorityPolicy(rules, 1, MODEL)


def test_province_holds_everything_by_default() -> None:
    p = policy()
    assert p.decide("440000", "first_registration", "440106").allowed
    assert not p.decide("440100", "first_registration", "440106").allowed
    assert p.responsible_unit("renewal", "440106") == "440000"


def test_delegation_hands_the_matter_over() -> None:
    p = policy(grant(1, "440000", "440100", "first_registration", ["440100"]))
    assert p.decide("440100", "first_registration", "440106").allowed
    assert not p.decide("440000", "first_registration", "440106").allowed  # exactly one holder
    assert p.decide("440000", "first_registration", "440304").allowed  # other cities unaffected
    assert p.decide("440000", "renewal", "440106").allowed  # other matters unaffected
    assert p.responsible_unit("first_registration", "440106") == "440100"
    decision = p.decide("440100", "first_registration", "440106")
    assert decision.rule == ("440100", "440100", "first_registration", "allow", "delegation:1")


def test_redelegation_to_a_county() -> None:
    p = policy(
        grant(1, "440000", "440100", "first_registration", ["440100"]),
        grant(2, "440100", "440106", "first_registration", ["440106"]),
    )
    assert p.responsible_unit("first_registration", "440106") == "440106"
    assert not p.decide("440100", "first_registration", "440106").allowed
    assert p.decide("440100", "first_registration", "440104").allowed
    assert not p.decide("440000", "first_registration", "440106").allowed


def test_only_active_delegations_count_and_the_next_change_is_known() -> None:
    later = grant(3, "440000", "440300", "change", ["440300"], start=NOW + timedelta(days=2))
    ending = grant(4, "440000", "440400", "change", ["440400"], end=NOW + timedelta(hours=5))
    p = policy(later, ending)
    assert p.responsible_unit("change", "440304") == "440000"
    assert p.responsible_unit("change", "440402") == "440400"
    assert next_change([later, ending], NOW) == NOW + timedelta(hours=5)
    assert (
        policy(later, ending, moment=NOW + timedelta(days=3)).responsible_unit("change", "440402") == "440000"
    )


def test_unknown_unit_is_refused() -> None:
    assert not policy().decide("320000", "first_registration", "440106").allowed
