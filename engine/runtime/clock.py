"""Time comes from an injected clock; the runtime never sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, for `waymark serve` and the studio.

    `offset`: the database server's time less this machine's. A cluster engine keeps the
    time of the PostgreSQL server the cluster shares (measured at each heartbeat), so an
    engine whose clock is seconds off fires a wait another engine set at the right
    moment, and records steps at the time the others would."""

    offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def local(self, when: datetime) -> datetime:
        """`when` by this machine's clock (what a scheduler on this machine waits for)."""
        return when - self.offset


class SimulatedClock:
    """Time that moves only when told to: `waymark simulate` and the tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a simulated clock needs an aware start time")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance_to(self, when: datetime) -> None:
        if when < self._now:
            raise ValueError(f"time cannot go back from {self._now} to {when}")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self.advance_to(self._now + delta)

    def rewind_to(self, when: datetime) -> None:
        """Back to an earlier time: only for a simulator doing a rolled-back stretch of
        its moments again."""
        self._now = when


def local_day(when: datetime) -> str:
    """The date of `when` on this machine's calendar (YYYY-MM-DD): "today" for people."""
    return when.astimezone().date().isoformat()
