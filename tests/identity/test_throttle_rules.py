"""The sign-in throttle's rules, as plain values (no database)."""

from datetime import UTC, datetime, timedelta

from pharmreg.identity import DeviceCookies
from pharmreg.identity.schemas import SecurityRules
from pharmreg.identity.throttle import ACCOUNT_LOCK_FACTOR, ADDRESS_LIMIT, Counts, after_failure, verdict

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
RULES = SecurityRules(lockout_threshold=5, lockout_minutes=15)


def judge(counts: Counts, *, known: bool = False) -> str:
    return verdict(counts, known_device=known, rules=RULES, now=NOW).kind


def test_a_new_device_types_a_picture_before_its_third_try() -> None:
    assert judge(Counts(source=0)) == "check"
    assert judge(Counts(source=1)) == "check"
    assert judge(Counts(source=2)) == "captcha"


def test_failures_elsewhere_ask_for_a_picture_but_never_lock_a_source_out() -> None:
    elsewhere = Counts(source=0, account=RULES.lockout_threshold * ACCOUNT_LOCK_FACTOR - 1)
    assert judge(elsewhere) == "captcha"
    assert judge(elsewhere, known=True) == "check"


def test_a_locked_source_is_refused_until_its_lock_ends() -> None:
    locked = Counts(source=5, source_locked_until=NOW + timedelta(minutes=14, seconds=1))
    found = verdict(locked, known_device=False, rules=RULES, now=NOW)
    assert (found.kind, found.minutes, found.account_wide) == ("locked", 15, False)
    assert judge(Counts(source=5, source_locked_until=NOW - timedelta(seconds=1))) == "captcha"


def test_an_account_lock_spares_known_devices() -> None:
    attacked = Counts(account=20, account_locked_until=NOW + timedelta(minutes=3))
    found = verdict(attacked, known_device=False, rules=RULES, now=NOW)
    assert (found.kind, found.account_wide) == ("locked", True)
    assert judge(attacked, known=True) == "check"


def test_a_busy_address_is_refused_on_new_devices_only() -> None:
    assert judge(Counts(address=ADDRESS_LIMIT)) == "busy"
    assert judge(Counts(address=ADDRESS_LIMIT), known=True) == "check"


def test_which_failure_locks_and_alerts() -> None:
    def failure(source: int, account: int, *, known: bool = False, notified: datetime | None = None):
        return after_failure(
            Counts(source=source, account=account),
            known_device=known,
            rules=RULES,
            notified_at=notified,
            now=NOW,
        )

    assert not failure(4, 4).source_locked and not failure(4, 4).alert
    fifth = failure(5, 5)
    assert fifth.source_locked and fifth.alert and not fifth.account_locked
    # The holder hears once per lockout period, unless the whole account is locked.
    assert not failure(5, 9, notified=NOW - timedelta(minutes=2)).alert
    assert failure(5, 9, notified=NOW - timedelta(minutes=16)).alert
    whole = failure(1, 20, notified=NOW - timedelta(minutes=1))
    assert whole.account_locked and whole.alert
    assert not failure(1, 20, known=True).account_locked  # a known device's failures lock only itself


def test_device_cookies_are_signed_per_account() -> None:
    devices = DeviceCookies("secret")
    cookie = devices.cookie("officer:gd:1", path="/p/gd/office", secure=True)
    assert cookie.httponly and cookie.secure and cookie.path == "/p/gd/office"
    assert devices.source("officer:gd:1", {cookie.key: cookie.value or ""}) is not None
    # Another account's cookie, a forged one, or one signed with another secret counts for nothing.
    assert devices.source("officer:gd:2", {cookie.key: cookie.value or ""}) is None
    issued = (cookie.value or "").split(".")[0]
    assert devices.source("officer:gd:1", {cookie.key: f"{issued}.forged"}) is None
    assert DeviceCookies("other").source("officer:gd:1", {cookie.key: cookie.value or ""}) is None
