"""Working days by China's official holiday calendar, administrators' overrides and unknown years."""

import random
from datetime import date, timedelta

import chinese_calendar
import pytest

from pharmreg.kit.workdays import CalendarNotCovered, Deadline, WorkCalendar

CALENDAR = WorkCalendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def test_national_day_and_mid_autumn_2026() -> None:
    # State Council arrangement for 2026: Mid-Autumn 25-27 Sep, National Day 1-7 Oct;
    # Sunday 20 Sep and Saturday 10 Oct are worked in exchange.
    assert all(not CALENDAR.is_working_day(day) for day in days(date(2026, 9, 25), date(2026, 9, 27)))
    assert all(not CALENDAR.is_working_day(day) for day in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert CALENDAR.is_working_day(date(2026, 9, 20))
    assert CALENDAR.is_working_day(date(2026, 10, 10))
    assert CALENDAR.is_working_day(date(2026, 10, 8))
    assert not CALENDAR.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_spring_festival_2026() -> None:
    # 15-23 Feb off; Saturdays 14 and 28 Feb worked.
    assert all(not CALENDAR.is_working_day(day) for day in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert CALENDAR.is_working_day(date(2026, 2, 14))
    assert CALENDAR.is_working_day(date(2026, 2, 28))
    assert CALENDAR.add_working_days(date(2026, 2, 13), 5) == Deadline(date(2026, 2, 27), provisional=False)


def test_twenty_working_days_across_the_october_holidays() -> None:
    # From Friday 18 Sep 2026: Sun 20 Sep (swapped) is day 1, 21-24 Sep days 2-5, 28-30 Sep days 6-8,
    # 8-10 Oct days 9-11 (Sat 10 Oct swapped), 12-16 Oct days 12-16, 19-22 Oct days 17-20.
    deadline = CALENDAR.add_working_days(date(2026, 9, 18), 20)
    assert deadline == Deadline(date(2026, 10, 22), provisional=False, uncovered_years=())
    assert CALENDAR.working_days_between(date(2026, 9, 18), date(2026, 10, 22)) == (20, False)


def test_the_period_starts_the_next_day() -> None:
    assert CALENDAR.add_working_days(date(2026, 3, 2), 0).due == date(2026, 3, 2)
    assert CALENDAR.add_working_days(date(2026, 3, 2), 1).due == date(2026, 3, 3)  # Monday -> Tuesday
    assert CALENDAR.next_working_day(date(2026, 9, 30)).due == date(2026, 10, 8)
    assert CALENDAR.next_working_day(date(2026, 10, 9)).due == date(2026, 10, 10)  # the swapped Saturday
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == (0, False)
    assert CALENDAR.working_days_between(date(2026, 3, 5), date(2026, 3, 2)) == (0, False)
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(date(2026, 3, 2), -1)


def test_overrides_take_precedence() -> None:
    calendar = WorkCalendar({date(2026, 10, 5): True, date(2026, 10, 9): False, date(2026, 10, 11): True})
    assert calendar.is_working_day(date(2026, 10, 5))  # a holiday worked after all
    assert not calendar.is_working_day(date(2026, 10, 9))  # a working Friday given off
    assert calendar.is_working_day(date(2026, 10, 11))
    # Sep 30 -> Oct 5 (1), Oct 8 (2), Oct 10 (3), Oct 11 (4).
    assert calendar.add_working_days(date(2026, 9, 30), 4).due == date(2026, 10, 11)
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 11)) == (4, False)
    assert CALENDAR.add_working_days(date(2026, 9, 30), 4).due == date(2026, 10, 12)


def test_an_unknown_year_is_never_a_silent_guess() -> None:
    assert CALENDAR.covers(2026)
    assert not CALENDAR.covers(2027)
    assert not CALENDAR.covers(2003)
    assert CALENDAR.uncovered_years(date(2026, 6, 1), date(2028, 1, 1)) == (2027, 2028)
    with pytest.raises(CalendarNotCovered) as raised:
        CALENDAR.is_working_day(date(2027, 1, 4))
    assert raised.value.year == 2027
    assert isinstance(raised.value, LookupError)
    assert str(raised.value) == "2027年的法定节假日安排尚未录入，请系统管理员在节假日维护中录入"


def test_a_count_into_an_unknown_year_is_provisional() -> None:
    # From Tue 15 Dec 2026: 16 Dec-31 Dec give 12 days, then Monday to Friday in 2027.
    deadline = CALENDAR.add_working_days(date(2026, 12, 15), 20)
    assert deadline == Deadline(date(2027, 1, 12), provisional=True, uncovered_years=(2027,))
    assert CALENDAR.working_days_between(date(2026, 12, 15), date(2027, 1, 12)) == (20, True)
    assert CALENDAR.next_working_day(date(2026, 12, 31)).provisional
    # Ending on 31 December, nothing of 2027 was counted.
    assert not CALENDAR.add_working_days(date(2026, 12, 15), 12).provisional
    assert CALENDAR.add_working_days(date(2026, 12, 15), 12).due == date(2026, 12, 31)


def test_a_declared_year_is_certain() -> None:
    new_year = {date(2027, 1, 1): False}
    declared = WorkCalendar(new_year, declared_years=[2027])
    assert declared.covers(2027)
    assert not declared.is_working_day(date(2027, 1, 1))
    assert declared.is_working_day(date(2027, 1, 4))
    assert not declared.is_working_day(date(2027, 1, 9))  # a Saturday: Monday to Friday rule
    assert declared.add_working_days(date(2026, 12, 15), 20) == Deadline(date(2027, 1, 13), provisional=False)
    # Entered but not declared complete: the entry counts, the result stays provisional.
    entered = WorkCalendar(new_year)
    assert not entered.is_working_day(date(2027, 1, 1))
    with pytest.raises(CalendarNotCovered):
        entered.is_working_day(date(2027, 1, 4))
    assert entered.add_working_days(date(2026, 12, 15), 20) == Deadline(
        date(2027, 1, 13), provisional=True, uncovered_years=(2027,)
    )


def test_counting_agrees_with_the_official_calendar_day_by_day() -> None:
    rng = random.Random(20260101)
    first = date(2025, 1, 1)
    for _ in range(300):
        start = first + timedelta(rng.randrange(600))  # up to late Aug 2026: stays in 2026
        count = rng.choice((1, 5, 20, rng.randrange(1, 60)))
        deadline = CALENDAR.add_working_days(start, count)
        # Reference: step one day at a time with chinese_calendar itself.
        day, seen = start, 0
        while seen < count:
            day += timedelta(1)
            seen += chinese_calendar.is_workday(day)
        assert deadline.due == day, (start, count)
        assert not deadline.provisional
        assert CALENDAR.is_working_day(deadline.due)
        assert CALENDAR.working_days_between(start, deadline.due) == (count, False)
        assert CALENDAR.working_days_between(start, deadline.due - timedelta(1)) == (count - 1, False)
