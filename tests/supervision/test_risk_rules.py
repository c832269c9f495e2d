"""The risk rules over the national facts: each flags a case just over its threshold and leaves
the case just under it alone; settings are checked with Chinese messages; a scan is idempotent
and opens a resolved flag again only for new evidence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pharmreg.kit.clock import china_today
from pharmreg.kit.forms import FormErrors
from pharmreg.register import DEFAULT_UNIT_SCOPES
from pharmreg.supervision import scan_risks
from pharmreg.supervision.risk.models import RiskFlag, RiskFlagEvent
from pharmreg.supervision.risk.rules import RULES, UNIT_TYPE_SCOPES, check_settings, settings_of
from pharmreg.supervision.risk.service import DETECTORS, save_rule_settings
from tests.supervision.risk_facts import Facts, new_tenant, person

TODAY = date(2026, 12, 8)


async def _found(platform, rule: str, tenant: str, today: date = TODAY, **values: int) -> dict[str, list]:
    """subject -> evidence texts of what `rule` finds in `tenant` (with defaults, or `values`)."""
    settings = settings_of(RULES[rule], True, values or None)
    async with platform.db.national() as session:
        found = await DETECTORS[rule](session, settings, today)
    return {d.subject: [e["text"] for e in d.evidence] for d in found if d.tenant == tenant}


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


async def test_three_changes_of_unit_within_twelve_months_flag_two_do_not(platform) -> None:
    facts = Facts(new_tenant(), TODAY)
    units = [facts.unit() for _ in range(5)]
    three, two, old = person(), person(), person()
    # three changes, the first 11 months ago
    r = facts.registered(three, units[0], TODAY - timedelta(days=400))
    for step, days in enumerate((330, 200, 20), start=1):
        facts.event(r, three, "changed", TODAY - timedelta(days=days), units[step])
    # two changes only, plus a renewal at the same unit (not a change)
    r = facts.registered(two, units[0], TODAY - timedelta(days=300))
    facts.event(r, two, "changed", TODAY - timedelta(days=200), units[1])
    facts.event(r, two, "renewed", TODAY - timedelta(days=150), units[1])
    facts.event(r, two, "changed", TODAY - timedelta(days=100), units[2])
    # three changes, but the first more than twelve months ago
    r = facts.registered(old, units[0], TODAY - timedelta(days=500))
    for step, days in enumerate((380, 200, 20), start=1):
        facts.event(r, old, "changed", TODAY - timedelta(days=days), units[step])
    await facts.save(platform)

    found = await _found(platform, "frequent_changes", facts.tenant)
    assert set(found) == {f"person:{three}"}
    assert len(found[f"person:{three}"]) == 3
    # The threshold is a setting: at four, three changes no longer flag.
    assert await _found(platform, "frequent_changes", facts.tenant, min_changes=4, months=12) == {}


async def test_a_cancellation_and_a_new_registration_elsewhere_count_as_a_change(platform) -> None:
    facts = Facts(new_tenant(), TODAY)
    a, b, c, d = (facts.unit() for _ in range(4))
    mover = person()
    first = facts.registered(mover, a, TODAY - timedelta(days=300))
    facts.event(first, mover, "cancelled", TODAY - timedelta(days=250), a)
    second = facts.registered(mover, b, TODAY - timedelta(days=240))
    facts.event(second, mover, "changed", TODAY - timedelta(days=100), c)
    facts.event(second, mover, "changed", TODAY - timedelta(days=10), d)
    await facts.save(platform)
    found = await _found(platform, "frequent_changes", facts.tenant)
    assert len(found[f"person:{mover}"]) == 3


async def test_a_licence_expired_yesterday_flags_one_valid_through_today_does_not(platform) -> None:
    facts = Facts(new_tenant(), TODAY)
    lapsed = facts.unit(licence_valid_until=TODAY - timedelta(days=1))
    valid = facts.unit(licence_valid_until=TODAY)
    revoked = facts.unit(status="revoked")
    at_lapsed = facts.registered(person(), lapsed, TODAY - timedelta(days=100))
    facts.registered(person(), valid, TODAY - timedelta(days=100))
    at_revoked = facts.registered(person(), revoked, TODAY - timedelta(days=100))
    gone = facts.registered(person(), lapsed, TODAY - timedelta(days=100))
    facts.event(gone, "x" * 64, "cancelled", TODAY - timedelta(days=50), lapsed)
    await facts.save(platform)
    found = await _found(platform, "unit_licence", facts.tenant)
    assert set(found) == {
        f"registration:{facts.tenant}:{at_lapsed}",
        f"registration:{facts.tenant}:{at_revoked}",
    }
    assert "许可证吊销" in found[f"registration:{facts.tenant}:{at_revoked}"][0]
    # With 1 day of grace the licence that lapsed yesterday is not yet flagged.
    graced = await _found(platform, "unit_licence", facts.tenant, grace_days=1)
    assert set(graced) == {f"registration:{facts.tenant}:{at_revoked}"}


async def test_a_scope_the_unit_type_does_not_allow_flags(platform) -> None:
    assert UNIT_TYPE_SCOPES == DEFAULT_UNIT_SCOPES  # the national table is the register's default
    facts = Facts(new_tenant(), TODAY)
    shop = facts.unit()
    wrong = facts.registered(person(), shop, TODAY - timedelta(days=10), scope="use")
    facts.registered(person(), shop, TODAY - timedelta(days=10), scope="distribution")
    await facts.save(platform)
    assert set(await _found(platform, "unit_scope", facts.tenant)) == {f"registration:{facts.tenant}:{wrong}"}


async def test_six_pharmacists_at_a_retail_unit_flag_five_do_not(platform) -> None:
    facts = Facts(new_tenant(), TODAY)
    six, five = facts.unit(), facts.unit()
    wholesale = facts.unit(unit_type="wholesale")
    for _ in range(6):
        facts.registered(person(), six, TODAY - timedelta(days=30))
        facts.registered(person(), wholesale, TODAY - timedelta(days=30), unit_type="wholesale")
    for _ in range(5):
        facts.registered(person(), five, TODAY - timedelta(days=30))
    # a sixth at the unit of five, but cancelled: not in validity
    gone = facts.registered(person(), five, TODAY - timedelta(days=30))
    facts.event(gone, person(), "cancelled", TODAY - timedelta(days=3), five)
    await facts.save(platform)
    found = await _found(platform, "crowded_retail", facts.tenant)
    assert set(found) == {f"unit:{facts.tenant}:{six}"}
    assert len(found[f"unit:{facts.tenant}:{six}"]) == 6


async def test_registered_before_and_cancelled_after_a_licence_renewal(platform) -> None:
    facts = Facts(new_tenant(), TODAY)
    renewed_on = TODAY - timedelta(days=90)
    unit = facts.unit(licence_valid_until=renewed_on.replace(year=renewed_on.year + 5))
    cases = {}
    for name, before, after in (
        ("inside", 30, 60),
        ("too_early", 31, 60),
        ("too_late", 30, 61),
        ("after", -1, 30),
    ):
        who = person()
        r = facts.registered(who, unit, renewed_on - timedelta(days=before))
        facts.event(r, who, "cancelled", renewed_on + timedelta(days=after), unit)
        cases[name] = r
    await facts.save(platform)
    found = await _found(platform, "renewal_cluster", facts.tenant)
    assert set(found) == {f"registration:{facts.tenant}:{cases['inside']}"}
    assert "换证前 30 天注册、换证后 60 天注销" in found[f"registration:{facts.tenant}:{cases['inside']}"][0]


async def test_seventy_year_olds_in_practice_flag_sixty_nine_year_olds_do_not(platform) -> None:
    facts = Facts(new_tenant(), TODAY)
    shop = facts.unit()
    seventy = facts.registered(person(), shop, TODAY - timedelta(days=10), birth_year=TODAY.year - 70)
    facts.registered(person(), shop, TODAY - timedelta(days=10), birth_year=TODAY.year - 69)
    retired = facts.registered(person(), shop, TODAY - timedelta(days=10), birth_year=TODAY.year - 80)
    facts.event(retired, person(), "cancelled", TODAY - timedelta(days=1), shop)
    await facts.save(platform)
    found = await _found(platform, "retirement_age", facts.tenant)
    assert set(found) == {f"registration:{facts.tenant}:{seventy}"}


@pytest.mark.parametrize(
    ("rule", "form", "field", "message"),
    [
        ("no_such_rule", {"enabled": "1"}, "", "未知的风险规则"),
        (
            "frequent_changes",
            {"enabled": "1", "min_changes": "-1", "months": "12"},
            "min_changes",
            "不能为负数",
        ),
        ("frequent_changes", {"enabled": "1", "min_changes": "3", "months": "x"}, "months", "请填写整数"),
        (
            "crowded_retail",
            {"enabled": "1", "max_pharmacists": "100000"},
            "max_pharmacists",
            "应在 1 至 1000",
        ),
        ("retirement_age", {"enabled": "maybe", "min_age": "70"}, "enabled", "请选择启用或停用"),
    ],
)
def test_bad_settings_are_refused_in_chinese(rule, form, field, message) -> None:
    with pytest.raises(ValueError) as refused:
        check_settings(rule, form)
    assert message in refused.value.errors[field]  # type: ignore[attr-defined]


async def test_a_scan_is_idempotent_and_reopens_a_resolved_flag_only_for_new_evidence(platform) -> None:
    today = china_today()
    facts = Facts(new_tenant(), today)
    six = facts.unit()
    for _ in range(6):
        facts.registered(person(), six, today - timedelta(days=30))
    await facts.save(platform)
    subject = f"unit:{facts.tenant}:{six}"

    async def flag_and_events() -> tuple[RiskFlag, list[str]]:
        async with platform.db.national() as session:
            flag = (await session.scalars(select(RiskFlag).where(RiskFlag.subject == subject))).one()
            kinds = list(
                await session.scalars(
                    select(RiskFlagEvent.kind)
                    .where(RiskFlagEvent.flag_id == flag.id)
                    .order_by(RiskFlagEvent.id)
                )
            )
            return flag, kinds

    for _ in range(2):
        async with platform.db.national() as session, session.begin():
            await scan_risks(session, today=today)
    flag, kinds = await flag_and_events()
    assert (flag.state, kinds) == ("open", ["detected"])  # one flag, one entry, however often scanned

    async with platform.db.national() as session, session.begin():
        stored = await session.get(RiskFlag, flag.id)
        stored.state = "dismissed"
    async with platform.db.national() as session, session.begin():
        await scan_risks(session, today=today)
    flag, kinds = await flag_and_events()
    assert flag.state == "dismissed" and kinds == ["detected"]  # the same facts do not reopen it

    more = Facts(facts.tenant, today)
    more._ids = iter(range(100, 200))  # type: ignore[assignment]
    more.registered(person(), six, today - timedelta(days=2))
    await more.save(platform)
    async with platform.db.national() as session, session.begin():
        report = await scan_risks(session, today=today)
    flag, kinds = await flag_and_events()
    assert flag.state == "open" and kinds == ["detected", "reopened"] and len(flag.evidence) == 7
    assert report.reopened["crowded_retail"] >= 1


async def test_a_disabled_rule_does_not_run(platform) -> None:
    today = china_today()
    facts = Facts(new_tenant(), today)
    facts.registered(person(), facts.unit(), today - timedelta(days=10), birth_year=today.year - 90)
    await facts.save(platform)
    async with platform.db.national() as session, session.begin():
        await save_rule_settings(session, "retirement_age", {"enabled": "0", "min_age": "70"}, by="test")
    try:
        async with platform.db.national() as session, session.begin():
            report = await scan_risks(session, today=today)
        assert "retirement_age" not in report.found
        async with platform.db.national() as session, session.begin():
            with pytest.raises(FormErrors):
                await save_rule_settings(
                    session, "retirement_age", {"enabled": "1", "min_age": "-5"}, by="test"
                )
    finally:
        async with platform.db.national() as session, session.begin():
            await save_rule_settings(session, "retirement_age", {"enabled": "1", "min_age": "70"}, by="test")
