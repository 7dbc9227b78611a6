"""What changed in a workspace since the last look: the one pluggable piece of the link.

Qt-free and run on the link's poll thread, never the GUI thread. Each `poll()` asks a
few cheap, indexed questions and answers only what changed since the previous one:

- figures: live journeys, events accepted today (through the socket), messages waiting;
- the journey the canvas shows (`journey_watch.JourneyWatch`): the counts per tile of the
  version it shows, the tests running, the people of a list kept open, the path of the
  person followed;
- events stored since the last poll (activity);
- while a view follows the outbox, its rows and their changes (`outbox_feed.py`);
- while a view follows the activity feed, what is new in it (`activity_feed.py`).

The engine's observer API (persisted steps, the activity feed, tile counts, a person's
trail) replaces this module: a class with the same `watch` and `poll` answering
`StoreChanges` is all the link needs (see `app/engine_link/README.md`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine, func, select

from engine.runtime.clock import local_day
from engine.store import meta_store
from engine.store import schema as s
from engine.store.analytics import VersionStats

from .activity_feed import ActivityBatch, ActivityFeed, ActivityFilter
from .journey_watch import JourneyChanges, JourneyWatch, PeopleQuery
from .outbox_feed import OutboxBatch, OutboxFeed

WAITING = ("pending", "sending")  # ledger states of a message not yet handed over
MAX_ITEMS = 200  # per poll: a burst shows its newest, the rest is counted


@dataclass(frozen=True)
class EngineFigures:
    live_journeys: int = 0
    accepted_today: int = 0  # events the socket accepted since local midnight
    messages_waiting: int = 0  # composed, not yet handed to their channel


@dataclass(frozen=True)
class ActivityItem:
    event_id: int
    trigger: str
    contact_id: str | None
    received_at: float
    through_socket: bool  # False: raised by the engine itself (sent, opened...)


@dataclass
class StoreChanges:
    figures: EngineFigures | None = None  # set when they changed
    journey_id: str | None = None  # whose counts `tile_counts` are
    tile_counts: dict[int, VersionStats] | None = None  # version -> stats, when changed
    activity: list[ActivityItem] = field(default_factory=list)  # oldest first
    outbox: OutboxBatch = field(default_factory=OutboxBatch)  # while the outbox is followed
    feed: ActivityBatch | None = None  # the activity feed, while a view follows it
    skipped: int = 0  # events of this poll not listed (a burst beyond MAX_ITEMS)
    journey: JourneyChanges | None = None  # tests, people, the followed person's path

    def __bool__(self) -> bool:
        return bool(self.figures or self.tile_counts is not None or self.activity
                    or self.outbox or self.feed or self.journey)


class Probe(Protocol):
    def watch(self, journey_id: str | None, version: int | None = None) -> None: ...
    def watch_people(self, query: PeopleQuery | None) -> None: ...
    def follow(self, contact_id: str | None) -> None: ...
    def poll(self) -> StoreChanges: ...
    def follow_outbox(self, on: bool) -> None: ...
    def follow_activity(self, wanted: ActivityFilter | None, generation: int) -> None: ...


class StoreProbe:
    """Reads the workspace's tables directly; the first poll reports everything."""

    def __init__(self, db: Engine) -> None:
        self.db = db
        self.journey = JourneyWatch()
        self._figures: EngineFigures | None = None
        self._last_event: int | None = None
        self.outbox = OutboxFeed()
        self.feed = ActivityFeed()

    def watch(self, journey_id: str | None, version: int | None = None) -> None:
        """Count this journey's tiles from now on: one version, or every published one
        (any thread)."""
        self.journey.watch(journey_id, version)

    def watch_people(self, query: PeopleQuery | None) -> None:
        """Keep this list of people up to date (any thread)."""
        self.journey.watch_people(query)

    def follow(self, contact_id: str | None) -> None:
        """Send this person's path whenever it changes (any thread)."""
        self.journey.follow(contact_id)

    def follow_outbox(self, on: bool) -> None:
        """Read the outbox's rows from now on (any thread): its newest page first."""
        self.outbox.follow(on)

    def follow_activity(self, wanted: ActivityFilter | None, generation: int) -> None:
        """Read the activity feed with this filter from now on (None: stop)."""
        self.feed.follow(wanted, generation)

    def poll(self) -> StoreChanges:
        changes = StoreChanges()
        with self.db.connect() as conn:
            self._poll_events(conn, changes)
            changes.outbox = self.outbox.poll(conn)
            changes.feed = self.feed.poll(conn) or None
            # The engine's own count (one row): events taken from the socket's inbox and
            # those a record's or contact's change through the socket raised, which have
            # no inbox (counting inbox rows here said "0 events today" for 40 cases).
            accepted = meta_store.accepted_on(conn, local_day(datetime.now().astimezone()))
            figures = EngineFigures(_live_journeys(conn), accepted, _messages_waiting(conn))
            self.journey.poll(conn, changes)
        if figures != self._figures:
            self._figures = changes.figures = figures
        return changes

    def _poll_events(self, conn, changes: StoreChanges) -> None:
        e = s.events.c
        if self._last_event is None:  # the first look: what is new from now on
            self._last_event = conn.scalar(select(func.coalesce(func.max(e.id), 0)))
            return
        rows = conn.execute(select(e.id, e.trigger, e.contact_id, e.received_at, e.inbox_id)
                            .where(e.id > self._last_event).order_by(e.id.desc())
                            .limit(MAX_ITEMS)).all()
        if not rows:
            return
        changes.skipped = conn.scalar(select(func.count()).where(
            e.id > self._last_event, e.id < rows[-1].id)) if len(rows) == MAX_ITEMS else 0
        self._last_event = rows[0].id
        changes.activity = [ActivityItem(r.id, r.trigger, r.contact_id, r.received_at,
                                         r.inbox_id is not None) for r in reversed(rows)]



def _live_journeys(conn) -> int:
    v = s.journey_versions.c
    return conn.scalar(select(func.count(func.distinct(v.journey_id))).where(v.state == "live"))


def _messages_waiting(conn) -> int:
    return conn.scalar(select(func.count()).select_from(s.ledger)
                       .where(s.ledger.c.status.in_(WAITING)))

