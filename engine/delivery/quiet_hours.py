"""Quiet hours in the recipient's local time: when does the quiet end?

Windows may cross midnight (21:00-07:00). Local wall-clock times are turned into
instants with the zone's rules of that very day, so a window over a daylight-saving
change ends at 07:00 local whatever the offset was when it began. An end time that
does not exist that day (inside a spring-forward gap) ends the quiet at the same
wall-clock distance past the gap (zoneinfo's fold=0 rule); an end time that occurs
twice (fall back) ends it at the first occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .settings import QuietHours


def known_zone(name: object) -> ZoneInfo | None:
    """The IANA zone of that name; None for anything else — an unknown name, a malformed
    one, or one the file system cannot look up (300 characters are "file name too long",
    "America" is a folder): a person's stored zone must never stop a send."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_or(preferred: str | None, fallback: str) -> ZoneInfo:
    """The recipient's zone when it is a known IANA name, else the journey's."""
    return known_zone(preferred) or known_zone(fallback) or ZoneInfo("UTC")


def zone_note(preferred: str | None, used: ZoneInfo) -> str:
    """Why the recipient's own zone was not used, to record with the decision; "" if it was."""
    if not preferred or used.key == preferred:
        return ""
    shown = preferred if len(preferred) <= 40 else f"{preferred[:39]}…"
    return f"the person's time zone {shown!r} is not an IANA name: {used.key} used instead"


def in_quiet_hours(local: time, quiet: QuietHours) -> bool:
    if quiet.start < quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end  # crosses midnight


def quiet_until(now: datetime, quiet: QuietHours | None, zone: ZoneInfo) -> datetime | None:
    """The instant (UTC) the quiet hours around `now` end, or None when `now` is not quiet."""
    if quiet is None:
        return None
    local = now.astimezone(zone)
    wall = local.replace(tzinfo=None)
    if not in_quiet_hours(wall.time(), quiet):
        return None
    end_day = wall.date()
    if quiet.start > quiet.end and wall.time() >= quiet.start:
        end_day += timedelta(days=1)  # evening part of an overnight window
    end = datetime.combine(end_day, quiet.end).replace(tzinfo=zone, fold=0)
    return end.astimezone(UTC)
