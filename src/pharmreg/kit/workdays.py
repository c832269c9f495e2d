"""Working days for administrative time limits: the official holiday calendar of China, including
swapped working weekends (调休), under an override table that administrators keep.

The official calendar comes from `chinese_calendar`, which knows only the years the State Council
has announced. A year it does not know is never guessed silently: a single day in it cannot be
judged (`CalendarNotCovered`), and a count running through it uses Monday to Friday and comes
back marked provisional, naming the year, until an administrator declares the year complete.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar  # ships no type hints

_ONE_DAY = timedelta(days=1)


class CalendarNotCovered(LookupError):
    """A day falls in a year whose holiday arrangements nobody has entered; `str()` is for people."""

    def __init__(self, year: int) -> None:
        super().__init__(f"{year}年的法定节假日安排尚未录入，请系统管理员在节假日维护中录入")
        self.year = year


@dataclass(frozen=True, slots=True)
class Deadline:
    due: date
    provisional: bool  # some day counted fell in a year whose holidays are not known yet
    uncovered_years: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Year:
    covered: bool
    working: tuple[int, ...]  # ordinals of the working days, ascending


@functools.cache
def _official_working_days(year: int) -> frozenset[int] | None:
    """Ordinals of the year's working days by the State Council's arrangements; None if unknown."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    try:
        days = chinese_calendar.get_workdays(first, last)
    except NotImplementedError:
        return None
    return frozenset(day.toordinal() for day in days)


class WorkCalendar:
    """Working days by the official calendar, with administrators' overrides taking precedence.

    `overrides` maps a date to True (a working day) or False (a day off). `declared_years` are
    years an administrator has entered completely: there, a day without an override follows the
    Monday-to-Friday rule and counts as certain.
    """

    def __init__(self, overrides: Mapping[date, bool] = {}, declared_years: Iterable[int] = ()) -> None:
        self._overrides: dict[int, dict[int, bool]] = {}
        for day, working in overrides.items():
            self._overrides.setdefault(day.year, {})[day.toordinal()] = bool(working)
        self._declared = frozenset(declared_years)
        self._years: dict[int, _Year] = {}

    def covers(self, year: int) -> bool:
        """Whether every day of the year can be judged without guessing."""
        return year in self._declared or _official_working_days(year) is not None

    def uncovered_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years from `start` to `end` (both included) that are not covered, ascending."""
        return tuple(year for year in range(start.year, end.year + 1) if not self.covers(year))

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day; raises `CalendarNotCovered` rather than guess."""
        override = self._overrides.get(day.year, {}).get(day.toordinal())
        if override is not None:
            return override
        table = self._year(day.year)
        if not table.covered:
            raise CalendarNotCovered(day.year)
        # The table is ascending, so membership is one bisection.
        ordinal = day.toordinal()
        index = bisect_right(table.working, ordinal)
        return index > 0 and table.working[index - 1] == ordinal

    def add_working_days(self, start: date, days: int) -> Deadline:
        """The day `days` working days after `start`; the period starts the day after `start`."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return Deadline(start, provisional=False)
        after = start.toordinal()
        year = start.year
        remaining = days
        while True:
            table = self._year(year)
            position = bisect_right(table.working, after)
            available = len(table.working) - position
            if remaining <= available:
                due = date.fromordinal(table.working[position + remaining - 1])
                break
            remaining -= available
            year += 1
        return self._deadline(start, due)

    def next_working_day(self, day: date) -> Deadline:
        """The first working day strictly after `day`."""
        return self.add_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> tuple[int, bool]:
        """Working days after `start` up to and including `end`, and whether the count is provisional."""
        if end <= start:
            return 0, False
        after, until = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            working = self._year(year).working
            count += bisect_right(working, until) - bisect_right(working, after)
        return count, bool(self.uncovered_years(start + _ONE_DAY, end))

    def _deadline(self, start: date, due: date) -> Deadline:
        uncovered = self.uncovered_years(start + _ONE_DAY, due)
        return Deadline(due, provisional=bool(uncovered), uncovered_years=uncovered)

    def _year(self, year: int) -> _Year:
        """The year's working days, worked out once per calendar."""
        table = self._years.get(year)
        if table is not None:
            return table
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        official = _official_working_days(year)
        if official is not None:
            working = set(official)
        else:
            # Declared or not, the fallback is Monday to Friday (ordinal 1 was a Monday).
            working = {ordinal for ordinal in range(first, last + 1) if (ordinal - 1) % 7 < 5}
        for ordinal, is_working in self._overrides.get(year, {}).items():
            if is_working:
                working.add(ordinal)
            else:
                working.discard(ordinal)
        table = _Year(covered=self.covers(year), working=tuple(sorted(working)))
        self._years[year] = table
        return table
