"""When a segment-based journey lets its audience in, in the journey's time zone."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.model import Schedule

REFRESH_EVERY = timedelta(hours=1)  # once_refresh: how often new members are let in


def occurrence(schedule: Schedule, tz: ZoneInfo, n: int) -> datetime:
    """The n-th start (0 = the first), keeping the local wall-clock time across DST.

    Monthly keeps the first start's day, clamped to each month's end:
    Jan 31 → Feb 28/29 → Mar 31 → Apr 30.
    """
    first = schedule.at.astimezone(tz)
    if schedule.mode == "daily":
        local = first.replace(tzinfo=None) + timedelta(days=n)
    elif schedule.mode == "weekly":
        local = first.replace(tzinfo=None) + timedelta(weeks=n)
    elif schedule.mode == "monthly":
        month_index = first.month - 1 + n
        year, month = first.year + month_index // 12, month_index % 12 + 1
        day = min(first.day, calendar.monthrange(year, month)[1])
        local = first.replace(tzinfo=None, year=year, month=month, day=day)
    else:
        return schedule.at
    return local.replace(tzinfo=tz).astimezone(schedule.at.tzinfo)


def next_start(schedule: Schedule, tz: ZoneInfo, after: datetime | None) -> datetime | None:
    """The first start strictly after `after` (or the very first when None)."""
    if schedule.mode in ("once", "once_refresh"):
        if after is None:
            return schedule.at
        if schedule.mode == "once_refresh":
            return max(after + REFRESH_EVERY, schedule.at)
        return None
    n = 0
    while True:
        when = occurrence(schedule, tz, n)
        if schedule.until is not None and when > schedule.until:
            return None
        if after is None or when > after:
            return when
        n += 1
