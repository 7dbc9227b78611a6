"""The activity feed: events accepted and steps taken, newest first, in pages.

Two streams are merged: the `events` table (what was accepted: trigger events, record
and contact changes; not the interactions the engine raises itself, which are steps
here) and the trail (`steps`: entries, moves, waits, sends, holds, blocks, exits, goals,
and what became of each message — delivered, opened, clicked, bounced, undelivered).
A position in the feed is a `Cursor`: one id per stream. Ids only grow, so "what is new
since" is exact whatever the clocks said, and paging back never skips or repeats.

Every call is bounded: without a person to look up by index, each stream is scanned
over at most `WINDOW` ids below its cursor. A page may then hold fewer than `limit`
items (even none) with `more` set: page back from `oldest` for the rest.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Any

from sqlalchemy import Connection, func, select

from engine.model.builtin_triggers import INTERACTIONS
from engine.runtime.records import MessageOutcome, What
from engine.store import schema as s
from engine.store.journeys_store import TEST_VERSION
from engine.store.times import from_ts, iso_z

from .stored import as_text, mapping
from .streams import Stream, journey_triggers

ActivityKind = StrEnum("ActivityKind", {"EVENT": "event", **{m.name: m.value for m in What},
                                        **{m.name: m.value for m in MessageOutcome}})
ActivityKind.__doc__ = "What an activity item is: an event accepted, or a step's `what`."
_STEP_KINDS = frozenset(k.value for k in ActivityKind) - {"event"}


@dataclass(frozen=True, order=True)
class Cursor:
    """A place in the feed, between two items: older items have ids below both."""

    events: int
    steps: int

    def __str__(self) -> str:
        return f"e{self.events}.s{self.steps}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """`e120.s455` (as `str` writes it); ValueError naming the form otherwise."""
        first, _, second = text.partition(".")
        if not (first.startswith("e") and second.startswith("s")):
            raise ValueError(f"not a cursor: {text!r} (expected e<id>.s<id>)")
        return cls(int(first[1:]), int(second[1:]))

    @classmethod
    def of(cls, value: Cursor | str | None) -> Cursor | None:
        return cls.parse(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class ActivityItem:
    ref: str  # "e12" (event 12) or "s40" (step 40): stable, unique
    kind: ActivityKind
    at: datetime
    person: str | None
    above: Cursor  # after=above: the items newer than this one
    below: Cursor  # before=below: the items older than this one
    journey_id: str | None = None
    version: int | None = None
    tile_id: str | None = None
    run_id: int | None = None
    channel: str | None = None
    reason: str | None = None
    branch: str | None = None  # the port taken
    branch_name: str | None = None
    until: datetime | None = None
    trigger: str | None = None  # events
    attributes: dict[str, Any] = field(default_factory=dict)
    event_id: int | None = None  # the eventId the socket answered with
    outcome: str | None = None  # None while the engine has not processed the event yet

    @property
    def test(self) -> bool:
        return self.version == TEST_VERSION

    @property
    def summary(self) -> str:
        """One readable line, without the time."""
        return self.described()

    def described(self, journey: str | None = None, tile: str | None = None) -> str:
        """`summary`, the journey and tile called by these names (the studio's) instead
        of their ids."""
        if self.kind == ActivityKind.EVENT:
            state = self.outcome or "waiting to be processed"
            return f"{self.trigger} for {self.person}: {state}"
        where = f"{journey or self.journey_id} v{self.version}{' (test)' if self.test else ''}"
        text = f"{self.person} {self.kind.value} at {tile or self.tile_id} in {where}"
        if self.branch_name or self.branch:
            text += f" → {self.branch_name or self.branch}"
        if self.reason:
            text += f": {self.reason}"
        if self.until:
            text += f" (until {self.until:%Y-%m-%d %H:%M:%S} UTC)"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = {"ref": self.ref, "kind": self.kind.value, "at": iso_z(self.at),
                "person": self.person, "journey": self.journey_id, "version": self.version,
                "test": self.test or None, "tile": self.tile_id, "run": self.run_id,
                "channel": self.channel, "reason": self.reason, "branch": self.branch,
                "branch_name": self.branch_name, "until": iso_z(self.until),
                "trigger": self.trigger, "attributes": self.attributes or None,
                "eventId": self.event_id, "outcome": self.outcome,
                "above": str(self.above), "below": str(self.below)}
        return {key: value for key, value in data.items() if value is not None}


@dataclass
class ActivityPage:
    items: list[ActivityItem]  # newest first
    newest: Cursor  # after=newest next time: exactly what was stored since
    oldest: Cursor  # before=oldest: the page before this one
    more: bool  # older items (within `after`, if given) may exist

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> ActivityItem:
        return self.items[index]


def activity(conn: Connection, after: Cursor | str | None = None,
             before: Cursor | str | None = None, limit: int = 200,
             journey: str | None = None, person: str | None = None,
             kinds: Iterable[str] | None = None) -> ActivityPage:
    """Newest first: the items after `after` and before `before` (both optional),
    at most `limit`, narrowed to a journey, a person and kinds (`ActivityKind` values)."""
    after, before = Cursor.of(after), Cursor.of(before)
    wanted = None if kinds is None else {ActivityKind(k).value for k in kinds}
    streams = _streams(conn, journey, person, wanted)
    top = _tops(conn) if before is None else before
    lows = after or Cursor(0, 0)
    for stream, low, high in zip(streams, (lows.events, lows.steps),
                                 (top.events, top.steps), strict=True):
        stream.fetch(conn, low, high, limit, bounded=person is None)
    return _page(streams, limit, top)


def _streams(conn: Connection, journey: str | None, person: str | None,
             kinds: set[str] | None) -> list[Stream]:
    events, steps = _event_stream(), _step_stream()
    if person is not None:
        events.where(lambda c: c.contact_id == person)
        steps.where(lambda c: c.contact_id == person)
    if journey is not None:
        triggers = sorted(journey_triggers(conn, journey))
        events.where(lambda c: c.trigger.in_(triggers))
        steps.where(lambda c: c.journey_id == journey)
    if kinds is not None:
        if "event" not in kinds:
            events.none()
        if not kinds & _STEP_KINDS:
            steps.none()
        elif not kinds >= _STEP_KINDS:
            steps.where(lambda c: c.what.in_(sorted(kinds & _STEP_KINDS)))
    return [events, steps]


def _event_stream() -> Stream:
    e = s.events.c
    stream = Stream(s.events, e.received_at, _event_item,
                    [e.id, e.trigger, e.contact_id, as_text(e.data), e.outcome, e.inbox_id],
                    rank=0)
    stream.where(lambda c: c.trigger.not_in(sorted(INTERACTIONS)))  # steps in the trail
    return stream


def _step_stream() -> Stream:
    columns = [c for c in s.steps.c if c.key != "at"]
    return Stream(s.steps, s.steps.c.at, _step_item, columns, rank=1)  # after its event


def _tops(conn: Connection) -> Cursor:
    """Just above the newest event and step now."""
    row = conn.execute(select(select(func.coalesce(func.max(s.events.c.id), 0))
                              .scalar_subquery(),
                              select(func.coalesce(func.max(s.steps.c.id), 0))
                              .scalar_subquery())).one()
    return Cursor(row[0] + 1, row[1] + 1)


def _page(streams: list[Stream], limit: int, top: Cursor) -> ActivityPage:
    """Merge newest first; leave out what another stream cut short may still have newer.
    A stream's own rows are never cut by its own floor: they are read in id order, and a
    later id may carry an earlier time (the deliverer and the runtime store side by side)."""
    merged = heapq.merge(*(stream.newest_since(_floor(streams, stream)) for stream in streams),
                         key=_newest_first)
    chosen = list(islice(merged, limit))
    for stream in streams:
        stream.take(sum(1 for _row, owner in chosen if owner is stream))
    bounds = [top.events, top.steps]  # each stream's cut just above the next item
    items = []
    for row, stream in chosen:
        index = streams.index(stream)
        above = list(bounds)
        above[index] = row.id + 1
        bounds[index] = row.id
        items.append(stream.make(row, Cursor(*above), Cursor(*bounds)))
    oldest = Cursor(streams[0].cut(top.events), streams[1].cut(top.steps))
    more = any(not stream.exhausted for stream in streams)
    return ActivityPage(items, top, oldest, more)


def _newest_first(pair) -> tuple:
    row, stream = pair
    return (-row.at, -stream.rank, -row.id)


def _floor(streams: list[Stream], stream: Stream) -> float | None:
    """The newest time the other streams' unread rows may have."""
    return max((other.floor for other in streams if other is not stream), default=None,
               key=_floor_key)


def _floor_key(value: float | None) -> float:
    return float("-inf") if value is None else value


def _event_item(row: Any, above: Cursor, below: Cursor) -> ActivityItem:
    return ActivityItem(ref=f"e{row.id}", kind=ActivityKind.EVENT, at=from_ts(row.at),
                        person=row.contact_id, above=above, below=below,
                        trigger=row.trigger, attributes=mapping(row.data),
                        event_id=row.inbox_id or row.id, outcome=row.outcome)


def _step_item(row: Any, above: Cursor, below: Cursor) -> ActivityItem:
    return ActivityItem(ref=f"s{row.id}", kind=ActivityKind(row.what), at=from_ts(row.at),
                        person=row.contact_id, above=above, below=below,
                        journey_id=row.journey_id, version=row.version, tile_id=row.tile_id,
                        run_id=row.run_id, channel=row.channel, reason=row.reason,
                        branch=row.branch, branch_name=row.branch_name,
                        until=from_ts(row.until))
