"""ISO 8601 durations restricted to unambiguous units (weeks, days, hours, minutes, seconds).

Months and years are refused: "P1M" has no fixed length, and a journey that waits
"a month" should say so with a date instead.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_PATTERN = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
DURATION_REGEX = r"^[-+]?P(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"


def parse_duration(text: str) -> timedelta:
    """Parse "P1D", "PT2H30M", "-PT1H" into a timedelta; raise ValueError naming the problem."""
    if (isinstance(text, str) and len(text) <= 15 and text[:2] == "PT" and text[-1:] == "S"
            and text[2:-1].isdecimal()):
        # "PT123S", the form a generated audience's 150,000 items are written in: the
        # same timedelta as below, parsed in a tenth of the time (up to 12 digits, far
        # from timedelta's limits and int's on digits: longer ones are refused below)
        return timedelta(seconds=int(text[2:-1]))
    match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
    if not match or text.strip() in ("P", "-P", "+P") or text.strip().endswith("T"):
        raise ValueError(
            f"{text!r} is not a duration; write ISO 8601 such as P1D, PT2H or P1DT12H "
            "(weeks, days, hours, minutes, seconds; no months or years)"
        )
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    try:
        delta = timedelta(
            weeks=parts.get("weeks", 0),
            days=parts.get("days", 0),
            hours=parts.get("hours", 0),
            minutes=parts.get("minutes", 0),
            seconds=parts.get("seconds", 0),
        )
    except OverflowError:  # `waymark validate` of a wait of P9999999999D was a traceback
        raise ValueError(f"{text.strip()[:40]!r} is longer than any duration can be (at most "
                         "999,999,999 days)") from None
    return -delta if match.group("sign") == "-" else delta


def format_duration(delta: timedelta) -> str:
    """The canonical form: days and a time part, e.g. P1D, PT36H is written P1DT12H."""
    sign = "-" if delta < timedelta(0) else ""
    delta = abs(delta)
    days = delta.days
    seconds = delta.seconds + delta.microseconds / 1_000_000
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    frac = seconds - int(seconds)
    text = f"{sign}P"
    if days:
        text += f"{days}D"
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if secs or frac:
        time_part += f"{secs + frac:g}S"
    if time_part:
        text += "T" + time_part
    if text.endswith("P"):
        text += "T0S"
    return text


def humanize_duration(delta: timedelta) -> str:
    """"1 day", "2 h 30 min", "45 s" — for tile summaries and messages."""
    total = int(abs(delta).total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days != 1 else ""))
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if seconds or not parts:
        parts.append(f"{seconds} s")
    return ("minus " if delta < timedelta(0) else "") + " ".join(parts)


def _coerce(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError("expected an ISO 8601 duration string such as P1D or PT2H")


Duration = Annotated[
    timedelta,
    BeforeValidator(_coerce),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DURATION_REGEX, "examples": ["P1D", "PT2H"]}),
]
