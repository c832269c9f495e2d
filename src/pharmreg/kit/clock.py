"""Time: storage in UTC, display in China Standard Time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# China has kept UTC+8 without daylight saving since 1991.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    return datetime.now(UTC)


def china_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp as people in China read it; a dash when there is none."""
    if value is None:
        return "—"
    return value.astimezone(CHINA_TIME).strftime(fmt)


def china_today() -> date:
    """Today's date in China: deadlines, validity and 'today' checks use it."""
    return utcnow().astimezone(CHINA_TIME).date()


def until_label(value: datetime | None) -> str:
    """An end moment as people read "至 …": the last day in force when it ends at midnight
    (periods are stored as [start, end) in China time), otherwise the exact time it was cut short."""
    if value is None:
        return ""
    local = value.astimezone(CHINA_TIME)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"{local - timedelta(days=1):%Y-%m-%d}"
    return f"{local:%Y-%m-%d %H:%M}"
