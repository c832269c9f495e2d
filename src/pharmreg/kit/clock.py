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
