"""The span of time Waymark reckons in.

A journey's moments (its entry window, a segment schedule's starts, a wait's or an
expiry's date) are from FIRST to LATEST: Python's dates end with the years 1 and 9999,
and the runtime reckons on from them (a wait's offset, a schedule's next start). A
journey whose window ended on 9999-12-31T23:59-05:00, the year 10000 in UTC, stopped
the engine's runtime at its first round ("year 10000 is out of range"). A simulated
clock also reckons back (the trail's 90 days): a simulation runs from EARLIEST to LATEST
(`simulation.scenario`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # a simulation's earliest start
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
# The earliest date a journey may name: one long past is harmless (a window that began
# then), but a daily schedule from 0001-01-01T00:00+14:00 (the year 0 in UTC) failed to
# publish with an OverflowError.
FIRST = datetime(1900, 1, 1, tzinfo=UTC)


def _in_reach(value: datetime) -> datetime:
    if value > LATEST:
        raise ValueError(f"{value.isoformat()} is after {LATEST:%Y-%m-%d} (UTC), the latest "
                         "date Waymark reckons with")
    if value < FIRST:
        raise ValueError(f"{value.isoformat()} is before {FIRST:%Y-%m-%d} (UTC), the earliest "
                         "date a journey may name")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_in_reach)]


def shifted(when: datetime, offset: timedelta) -> datetime:
    """`when` + `offset`, kept within EARLIEST and LATEST: a trigger's date (any the socket
    takes) can lie where the calendar cannot take an offset past it, or past its end in
    UTC (9999-12-31T23:59-05:00), and a wait or an expiry reckoned from it then failed
    with an OverflowError. Past LATEST is as good as never, before EARLIEST long past."""
    if offset >= LATEST - when:
        return LATEST
    if -offset >= when - EARLIEST:
        return EARLIEST
    return when + offset
