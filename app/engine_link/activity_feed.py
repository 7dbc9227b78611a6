"""The activity feed as the link follows it (`engine.observe.activity`), for the Activity
dock. Qt-free; `poll` runs on the link's poll thread, `older` on a request worker.

While a view follows the feed with a filter, the first poll sends the newest page and
each later one what was stored since (`after=` the cursor it got last). A burst bigger
than one poll's page replaces the rows with its newest page, so the view's rows are
always one unbroken stretch of the feed and "Load older" pages back from its last row.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import Connection

from engine.observe import ActivityItem, Cursor, activity

FIRST_PAGE = 200  # rows a view starts with (and each "Load older" adds)
PER_POLL = 1000  # newer rows one poll takes: more replace the rows with the newest


@dataclass(frozen=True)
class ActivityFilter:
    journey: str | None = None
    person: str | None = None
    kinds: frozenset[str] | None = None  # None: every kind

    def arguments(self) -> dict:
        return {"journey": self.journey, "person": self.person,
                "kinds": sorted(self.kinds) if self.kinds is not None else None}


@dataclass
class ActivityBatch:
    generation: int  # which `follow` it answers: an older one's batch is dropped
    items: list[ActivityItem] = field(default_factory=list)  # newest first
    reset: bool = False  # the items replace the view's rows
    more: bool = False  # (reset or older pages) older items may exist

    def __bool__(self) -> bool:
        return bool(self.items or self.reset)


class ActivityFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._filter: ActivityFilter | None = None  # None: not followed
        self._cursor: Cursor | None = None
        self.generation = 0

    def follow(self, wanted: ActivityFilter | None, generation: int) -> None:
        """Follow with this filter from now on (None: stop); the first poll after it
        sends the newest page. Its batches carry `generation` (the view's count of its
        filters), so a batch read for an earlier filter is told apart."""
        with self._lock:
            self._filter, self._cursor, self.generation = wanted, None, generation

    def poll(self, conn: Connection) -> ActivityBatch:
        with self._lock:
            wanted, cursor, generation = self._filter, self._cursor, self.generation
        if wanted is None:
            return ActivityBatch(generation)
        if cursor is None:
            page = activity(conn, limit=FIRST_PAGE, **wanted.arguments())
            batch = ActivityBatch(generation, page.items, reset=True, more=page.more)
        else:
            page = activity(conn, after=cursor, limit=PER_POLL, **wanted.arguments())
            batch = ActivityBatch(generation, page.items, reset=page.more, more=page.more)
        with self._lock:
            if self.generation != generation:
                return ActivityBatch(generation)  # the filter changed meanwhile
            self._cursor = page.newest
        return batch


def older(conn: Connection, wanted: ActivityFilter, before: Cursor, generation: int
          ) -> ActivityBatch:
    """The page below `before` (a row's `below` cursor)."""
    page = activity(conn, before=before, limit=FIRST_PAGE, **wanted.arguments())
    return ActivityBatch(generation, page.items, more=page.more)

