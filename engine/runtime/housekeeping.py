"""Lifecycle by the clock: long pauses stop, windows close, finished versions complete;
and the trail forgets steps older than its retention (90 days)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from engine.store import journeys_store, runs_store, steps_store
from engine.store.database import writing
from engine.store.journeys_store import TEST_STATE
from engine.store.times import to_ts

from .lifecycle import end_version_runs

if TYPE_CHECKING:
    from .runtime import Runtime
    from .version import PublishedVersion

MAX_PAUSE = timedelta(days=21)
PRUNE_EVERY = timedelta(minutes=10)
PAUSED_TOO_LONG = "journey paused for more than 21 days"


class Housekeeping:
    """The keeper's work in a cluster: each transaction is fenced (`WorkScope.keep`), so
    an engine that lost partition 0 while paused or cut off commits none of it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def run(self, now: datetime) -> bool:
        self._prune_trail(now)
        changed = False
        for version in list(self.runtime.versions.values()):
            changed |= self._check(version, now)
        return changed

    def _prune_trail(self, now: datetime) -> None:
        """Steps older than the retention go, a chunk per round while there are any,
        then the next look is ten minutes on."""
        due = self.runtime.next_prune
        if due is not None and now < due:
            return
        with writing(self.runtime.db) as conn:
            self.runtime.work.keep(conn)
            pruned = steps_store.prune(conn, to_ts(now - steps_store.RETENTION))
        self.runtime.next_prune = now if pruned else now + PRUNE_EVERY

    def _check(self, version: PublishedVersion, now: datetime) -> bool:
        db, key = self.runtime.db, version.key
        if version.state == "paused" and version.paused_at + MAX_PAUSE <= now:
            with writing(db) as conn:
                self.runtime.work.keep(conn)
                end_version_runs(conn, version, now, PAUSED_TOO_LONG, self.runtime.send_policy,
                                 self.runtime._emit)
                journeys_store.set_version(conn, *key, state="stopped", ended_at=to_ts(now),
                                           accepting=False)
            return True
        end = version.journey.start.window_end
        if version.accepting and end is not None and end <= now:
            with writing(db) as conn:
                self.runtime.work.keep(conn)
                journeys_store.set_version(conn, *key, accepting=False)
            return True
        if not version.accepting and version.state == "live":
            with writing(db) as conn:
                self.runtime.work.keep(conn)
                if runs_store.count_in_flight(conn, *key) == 0:
                    journeys_store.set_version(conn, *key, state="completed",
                                               ended_at=to_ts(now))
                    return True
        return False

    def next_times(self) -> list[datetime]:
        times = []
        for version in self.runtime.versions.values():
            if version.state == "paused" and version.paused_at is not None:
                times.append(version.paused_at + MAX_PAUSE)
            end = version.journey.start.window_end
            if version.accepting and end is not None:
                times.append(end)
            # a segment journey's start comes only while it runs (`audience._is_due`): a
            # paused one's start, passed, must not wake the engine again and again
            if (version.accepting and version.next_start_at is not None
                    and version.state in ("live", TEST_STATE)):
                times.append(version.next_start_at)
        return times
