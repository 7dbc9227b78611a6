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

from pydantic import AfterValidator, AwareDatetime, ValidationInfo

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # a simulation's earliest start
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
# The earliest date a journey may name: one long past is harmless (a window that began
# then), but a daily schedule from 0001-01-01T00:00+14:00 (the year 0 in UTC) failed to
# publish with an OverflowError.
FIRST = datetime(1900, 1, 1, tzinfo=UTC)


WEEK = timedelta(weeks=1)
# The validation context (`bundle_from_data(stored=True)`) of what a workspace holds.
STORED = "stored"


def _in_reach(value: datetime, info: ValidationInfo) -> datetime:
    if info.context and info.context.get(STORED) and not FIRST <= value <= LATEST:
        return _within(value)
    if value > LATEST:
        raise ValueError(f"{value.isoformat()} is after {LATEST:%Y-%m-%d} (UTC), the latest "
                         "date Waymark reckons with")
    if value < FIRST:
        raise ValueError(f"{value.isoformat()} is before {FIRST:%Y-%m-%d} (UTC), the earliest "
                         "date a journey may name")
    return value


def _within(value: datetime) -> datetime:
    """A date outside the span, moved by whole weeks to the nearest within it: on the same
    weekday at the same time of day (a weekly segment schedule's starts stay where they
    were). A workspace may hold one, saved before the span was checked (the year 9999
    written for "no end"); the versions that name it keep running (past LATEST is as good
    as never, before FIRST long past), rather than refuse to load."""
    if value > LATEST:
        return value - -((LATEST - value) // WEEK) * WEEK
    return value + -((value - FIRST) // WEEK) * WEEK


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
