"""The outbox as the link follows it: ledger rows newest first, and what becomes of them.

Qt-free; runs on the link's poll thread (and on its request workers for a message's
payload). Only while a view follows the outbox does a poll read the ledger: the newest
page first, then the rows written since, and again the rows whose state may still
change (pending, sending, held, sent), by primary key — so a message seen as *pending*
turns *delivered* in the list without re-reading the ledger.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from engine.store import schema as s

PAGE = 200  # rows per poll: a burst beyond it replaces the list with its newest rows
OPEN_STATES = frozenset({"pending", "sending", "held", "sent"})  # may still change
MAX_OPEN = 1000  # open rows re-read per poll at most (the newest ones)
SUMMARY_CHARS = 120


@dataclass(frozen=True)
class OutboxItem:
    """One ledger row, without its payload (which is loaded when it is shown)."""

    ledger_id: int
    journey_id: str
    version: int
    tile_id: str
    contact_id: str
    channel: str
    contact_point: str | None
    status: str
    reason: str | None
    created_at: float
    summary: str  # the subject, the text or the push's title
    possibly_duplicate: bool = False


@dataclass(frozen=True)
class OutboxUpdate:
    """A row's new state."""

    ledger_id: int
    status: str
    reason: str | None
    possibly_duplicate: bool = False


@dataclass
class OutboxBatch:
    items: list[OutboxItem] = field(default_factory=list)  # oldest first
    updates: list[OutboxUpdate] = field(default_factory=list)
    reset: bool = False  # the items replace what the view shows

    def __bool__(self) -> bool:
        return bool(self.items or self.updates or self.reset)


_COLUMNS = (s.ledger.c.id, s.ledger.c.journey_id, s.ledger.c.version, s.ledger.c.tile_id,
            s.ledger.c.contact_id, s.ledger.c.channel, s.ledger.c.contact_point,
            s.ledger.c.status, s.ledger.c.reason, s.ledger.c.created_at, s.ledger.c.payload,
            s.ledger.c.possibly_duplicate)


class OutboxFeed:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._following = False
        self._last: int | None = None  # the newest ledger id reported (None: none yet)
        self._open: dict[int, OutboxUpdate] = {}

    def follow(self, on: bool) -> None:
        """Read the ledger from now on (any thread); following again starts afresh."""
        with self._lock:
            self._following, self._last = on, None
            self._open.clear()

    def poll(self, conn: Connection) -> OutboxBatch:
        with self._lock:
            if not self._following:
                return OutboxBatch()
            first = self._last is None
            rows = _newest(conn, self._last)
            batch = OutboxBatch(reset=first or len(rows) > PAGE)
            if batch.reset:
                self._open.clear()
            batch.updates = [] if batch.reset else self._changed(conn)
            rows = rows[:PAGE]
            if rows:
                self._last = rows[0].id
            elif first:
                self._last = 0
            batch.items = [self._item(row) for row in reversed(rows)]
            return batch

    def _item(self, row: Any) -> OutboxItem:
        item = OutboxItem(row.id, row.journey_id, row.version, row.tile_id, row.contact_id,
                          row.channel, row.contact_point, row.status, row.reason,
                          row.created_at, summary_of(row.payload),
                          bool(row.possibly_duplicate))
        if item.status in OPEN_STATES:
            self._open[item.ledger_id] = _update(row)
            while len(self._open) > MAX_OPEN:
                del self._open[min(self._open)]
        return item

    def _changed(self, conn: Connection) -> list[OutboxUpdate]:
        if not self._open:
            return []
        ledger = s.ledger.c
        rows = conn.execute(select(ledger.id, ledger.status, ledger.reason,
                                   ledger.possibly_duplicate)
                            .where(ledger.id.in_(sorted(self._open)))).all()
        changed = []
        for row in rows:
            update = _update(row)
            if update != self._open[row.id]:
                changed.append(update)
            if update.status in OPEN_STATES:
                self._open[row.id] = update
            else:
                del self._open[row.id]
        return changed


def _newest(conn: Connection, after: int | None) -> list[Any]:
    """Up to PAGE + 1 rows newest first (one more says the burst was bigger)."""
    query = select(*_COLUMNS).order_by(s.ledger.c.id.desc()).limit(PAGE + 1)
    if after is not None:
        query = query.where(s.ledger.c.id > after)
    return conn.execute(query).all()


def _update(row: Any) -> OutboxUpdate:
    return OutboxUpdate(row.id, row.status, row.reason, bool(row.possibly_duplicate))


def summary_of(payload: dict[str, Any] | None) -> str:
    """What the list shows of a message: the subject, the text or the push's title."""
    parts = (payload or {}).get("parts") or {}
    text = parts.get("subject") or parts.get("title") or parts.get("text") \
        or parts.get("body") or ""
    text = " ".join(str(text).split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1] + "…"


def message_payload(conn: Connection, ledger_id: int) -> dict[str, Any] | None:
    """The composed message of a ledger row (None: nothing composed — held or blocked
    before it was rendered — or no such row)."""
    return conn.scalar(select(s.ledger.c.payload).where(s.ledger.c.id == ledger_id))
