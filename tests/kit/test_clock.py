"""Dates as officers read them: China time, and "至" meaning the last day in force."""

from datetime import UTC, datetime

from pharmreg.kit.clock import CHINA_TIME, china_time, until_label


def test_a_period_ending_at_midnight_shows_its_last_day() -> None:
    # Chosen end date 2026-06-30 is stored as 2026-07-01 00:00 China time (= 06-30 16:00 UTC).
    assert until_label(datetime(2026, 6, 30, 16, 0, tzinfo=UTC)) == "2026-06-30"
    assert until_label(datetime(2026, 7, 1, 0, 0, tzinfo=CHINA_TIME)) == "2026-06-30"


def test_a_period_cut_short_shows_the_moment() -> None:
    assert until_label(datetime(2026, 11, 25, 6, 23, 40, tzinfo=UTC)) == "2026-11-25 14:23"
    assert until_label(None) == ""


def test_china_time_formats_in_utc_plus_eight() -> None:
    assert china_time(datetime(2026, 11, 25, 17, 30, tzinfo=UTC)) == "2026-11-26 01:30"
