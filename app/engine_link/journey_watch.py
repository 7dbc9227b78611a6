"""The probe's part that watches one journey for the canvas: the counts of the version it
shows, the tests running, the people of a list kept open (the test panel's), and the
path of the person being followed.

Qt-free, on the link's poll thread. Each question goes to `engine.observe` only when it
can have a new answer: counts and people when the version's counts token moved, a
person's trail when it differs from the last one sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine.observe import (
    CountsToken,
    PersonAtTile,
    PersonTrail,
    counts_token,
    people_at,
    person_trail,
    tile_counts,
)
from engine.runtime.version import TestOptions
from engine.store import schema as s
from engine.store.analytics import VersionStats, journey_stats
from engine.store.journeys_store import TEST_STATE
from engine.store.times import from_ts


@dataclass(frozen=True)
class RunningTest:
    """A journey being tested (`waymark test status` counts its runs too; the studio
    asks only this much four times a second)."""

    journey_id: str
    started_at: datetime
    options: TestOptions


@dataclass(frozen=True)
class PeopleQuery:
    """The people behind one count of one tile."""

    journey_id: str
    version: int
    tile_id: str
    metric: str
    reason: str | None = None

    def ask(self, conn: Connection, limit: int = 200) -> list[PersonAtTile]:
        return people_at(conn, self.journey_id, self.version, self.tile_id, self.metric,
                         limit, self.reason)


@dataclass
class JourneyChanges:
    tests: tuple[RunningTest, ...] | None = None  # when they changed
    people: tuple[PeopleQuery, list[PersonAtTile]] | None = None  # the list kept open
    trail: tuple[str, PersonTrail] | None = None  # the followed person, when it changed

    def __bool__(self) -> bool:
        return any(x is not None for x in (self.tests, self.people, self.trail))


@dataclass
class _Wanted:
    journey_id: str | None = None
    version: int | None = None  # None: every published version (journey_stats)
    people: PeopleQuery | None = None
    person: str | None = None


@dataclass
class _Seen:
    """What was last sent, so that only news is sent; None: send the next answer."""

    counts: Any = None  # a CountsToken, or every version's stats
    people: CountsToken | None = None
    trail: PersonTrail | None = None
    tests: tuple[RunningTest, ...] | None = None


class JourneyWatch:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted = _Wanted()
        self._seen = _Seen()
        self._stale: set[str] = set()  # parts of `_seen` to forget at the next poll

    def watch(self, journey_id: str | None, version: int | None = None) -> None:
        """Count this journey's tiles: one version, or every published one."""
        self._change("counts", journey_id=journey_id, version=version)

    def watch_people(self, query: PeopleQuery | None) -> None:
        self._change("people", people=query)

    def follow(self, contact_id: str | None) -> None:
        self._change("trail", person=contact_id)

    def _change(self, part: str, **wanted: Any) -> None:
        """What is wanted changed: its next answer is sent even if it is an old one."""
        with self._lock:
            for name, value in wanted.items():
                setattr(self._wanted, name, value)
            self._stale.add(part)

    def poll(self, conn: Connection, changes: Any) -> None:
        """Fill `changes` (the probe's `StoreChanges`) with what is new."""
        with self._lock:
            wanted = replace(self._wanted)
            stale, self._stale = self._stale, set()
        for part in stale:
            setattr(self._seen, part, None)
        found = JourneyChanges(tests=self._tests(conn))
        self._counts(conn, wanted, changes)
        if wanted.people is not None:
            found.people = self._people(conn, wanted.people)
        if wanted.person is not None:
            found.trail = self._trail(conn, wanted.person)
        if found:
            changes.journey = found

    def _counts(self, conn: Connection, wanted: _Wanted, changes: Any) -> None:
        journey_id, version = wanted.journey_id, wanted.version
        if journey_id is None:
            return
        if version is None:
            counts = journey_stats(conn, journey_id)
            if counts == self._seen.counts:
                return
            self._seen.counts = by_version = counts
        else:
            token = counts_token(conn, journey_id, version)
            if token == self._seen.counts:
                return
            found = tile_counts(conn, journey_id, version)
            self._seen.counts = found.token
            by_version = {version: VersionStats(version, found.tiles, found.goal_met)}
        changes.journey_id, changes.tile_counts = journey_id, by_version

    def _people(self, conn: Connection, query: PeopleQuery
                ) -> tuple[PeopleQuery, list[PersonAtTile]] | None:
        token = counts_token(conn, query.journey_id, query.version)
        if token == self._seen.people:
            return None
        self._seen.people = token
        return query, query.ask(conn)

    def _trail(self, conn: Connection, contact_id: str) -> tuple[str, PersonTrail] | None:
        trail = person_trail(conn, contact_id)
        if trail == self._seen.trail:
            return None
        self._seen.trail = trail
        return contact_id, trail

    def _tests(self, conn: Connection) -> tuple[RunningTest, ...] | None:
        v = s.journey_versions.c
        tests = tuple(RunningTest(row.journey_id, from_ts(row.published_at),
                                  TestOptions.from_data(row.test_options) or TestOptions())
                      for row in conn.execute(
                          select(v.journey_id, v.published_at, v.test_options)
                          .where(v.state == TEST_STATE).order_by(v.journey_id)))
        if tests == self._seen.tests:
            return None
        self._seen.tests = tests
        return tests
