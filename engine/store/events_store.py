"""Events: stored before they are acknowledged, processed once, deduplicated by messageId."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from engine.model.builtin_triggers import BUILTIN_TRIGGER_NAMES

from . import schema as s
from .held_back import hold_or_write
from .inbox import InboxEvent
from .prepared import Prepared, padded_in, sqlite_executemany


@dataclass
class NewEvent:
    trigger: str
    contact_id: str | None
    data: dict[str, Any] = field(default_factory=dict)
    binding_id: str | None = None
    message_id: str | None = None
    occurred_at: float | None = None
    outcome: str | None = None  # set: stored already processed (the engine's own events)
    received_at: float | None = None  # when the socket accepted it (default: now)
    inbox_id: int | None = None  # its receipt from the socket's inbox


_BY_MESSAGE_ID = select(s.events.c.message_id, s.events.c.id).where(
    s.events.c.message_id.in_(bindparam("ids", expanding=True)))
# The socket asks on every commit: IN lists of fixed sizes, each prepared once.
_RECEIPT_SIZES = (8, 64, 500)
_RECEIPTS = {size: Prepared(select(
    s.events.c.message_id, func.coalesce(s.events.c.inbox_id, s.events.c.id).label("receipt")
).where(s.events.c.message_id.in_([bindparam(f"m{i}") for i in range(size)])))
    for size in _RECEIPT_SIZES}
_INSERT = s.events.insert().returning(s.events.c.id, sort_by_parameter_order=True)
_INSERT_ONE = Prepared(s.events.insert())
_PENDING = Prepared(select(s.events).where(s.events.c.processed_at.is_(None))
                    .order_by(s.events.c.id).limit(bindparam("limit")))
# The same events, without their data: to take them one at a time when one of them will
# not even load (data the JSON reader refuses), see `engine.runtime.isolation`.
_PENDING_HEADS = Prepared(select(s.events.c.id, s.events.c.trigger, s.events.c.contact_id)
                          .where(s.events.c.processed_at.is_(None))
                          .order_by(s.events.c.id).limit(bindparam("limit")))
_BY_ID = Prepared(select(s.events).where(s.events.c.id == bindparam("event_id")))
_MARK = Prepared(update(s.events).where(s.events.c.id == bindparam("_id")))
_TOUCH = Prepared(update(s.triggers).where(s.triggers.c.name == bindparam("b_name")).values(
    event_count=s.triggers.c.event_count + bindparam("b_count"),
    last_event_at=bindparam("b_last"),
    first_event_at=func.coalesce(s.triggers.c.first_event_at, bindparam("b_first"))))


def find_by_message_id(conn: Connection, message_id: str) -> int | None:
    return conn.execute(select(s.events.c.id).where(s.events.c.message_id == message_id)
                        ).scalar()


def insert_events(conn: Connection, events: list[NewEvent], now: float
                  ) -> list[tuple[int, bool]]:
    """(event id, duplicate?) per event, in order. Runs inside the caller's transaction.

    New events go in with one multi-row INSERT … RETURNING; an event whose messageId is
    already stored (or earlier in the same list) is a duplicate and is not stored again.
    """
    known = _existing(conn, [e.message_id for e in events if e.message_id])
    results: list[tuple[int, bool] | None] = []
    fresh: list[tuple[int, NewEvent]] = []
    first_of: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.message_id in known:
            results.append((known[event.message_id], True))
        elif event.message_id and event.message_id in first_of:
            results.append(None)  # filled in once the first one has its id
        else:
            if event.message_id:
                first_of[event.message_id] = index
            results.append(None)
            fresh.append((index, event))
    ids = _insert_many(conn, [e for _i, e in fresh], now)
    for (index, _event), event_id in zip(fresh, ids, strict=True):
        results[index] = (event_id, False)
    for index, event in enumerate(events):
        if results[index] is None:
            results[index] = (results[first_of[event.message_id]][0], True)
    _touch_triggers(conn, [e for _i, e in fresh], now)
    return results


_IMPORT_SQLITE = ("INSERT INTO events (message_id, trigger, contact_id, binding_id, data, "
                  "occurred_at, received_at, inbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (message_id) DO NOTHING")


def import_events(conn: Connection, rows: list[InboxEvent], now: float) -> None:
    """Events from the socket's inbox, in order; a messageId already stored is skipped.

    On SQLite their JSON goes in as it is, all rows in one call: the runtime imports
    every accepted event, so this is on its hottest path.
    """
    if conn.dialect.name != "sqlite":
        insert_events(conn, [NewEvent(r.trigger, r.contact_id, json.loads(r.data), r.binding_id,
                                      r.message_id, r.occurred_at, received_at=r.received_at,
                                      inbox_id=r.id) for r in rows], now)
        return
    sqlite_executemany(conn, _IMPORT_SQLITE, [
        (r.message_id, r.trigger, r.contact_id, r.binding_id, r.data, r.occurred_at,
         r.received_at, r.id) for r in rows])
    _touch_triggers(conn, rows, now)


def _existing(conn: Connection, message_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start:start + 500]
        rows = conn.execute(_BY_MESSAGE_ID, {"ids": chunk})
        found.update({row.message_id: row.id for row in rows})
    return found


def receipts(conn: Connection, message_ids: list[str]) -> dict[str, int]:
    """The eventId each stored messageId was acknowledged with (for duplicates)."""
    found: dict[str, int] = {}
    for size, params in padded_in(message_ids, _RECEIPT_SIZES, "m"):
        found.update(_RECEIPTS[size].rows(conn, params))
    return found


def _insert_many(conn: Connection, events: list[NewEvent], now: float) -> list[int]:
    if not events:
        return []
    rows = [{"trigger": e.trigger, "contact_id": e.contact_id, "binding_id": e.binding_id,
             "message_id": e.message_id, "data": e.data, "occurred_at": e.occurred_at or now,
             "received_at": e.received_at or now, "outcome": e.outcome, "inbox_id": e.inbox_id,
             "processed_at": now if e.outcome is not None else None} for e in events]
    insert = _insert_sqlite if conn.dialect.name == "sqlite" else _insert_generic
    if not any(e.message_id for e in events):  # nothing that could collide: no savepoint
        return insert(conn, rows)
    try:
        with conn.begin_nested():
            return insert(conn, rows)
    except (IntegrityError, sqlite3.IntegrityError):  # stored meanwhile by another process
        return [_insert_one(conn, row) for row in rows]


def _insert_generic(conn: Connection, rows: list[dict]) -> list[int]:
    return [row.id for row in conn.execute(_INSERT, rows)]


def _insert_sqlite(conn: Connection, rows: list[dict]) -> list[int]:
    """One prepared INSERT per row (SQLite hands back each new id): the ingestion
    socket's hottest statement, at a fifth of SQLAlchemy's cost per row."""
    return [_INSERT_ONE.insert(conn, row) for row in rows]


def _insert_one(conn: Connection, row: dict) -> int:
    try:
        with conn.begin_nested():
            return conn.execute(s.events.insert().values(**row)).inserted_primary_key[0]
    except IntegrityError:
        return find_by_message_id(conn, row["message_id"])


def _touch_triggers(conn: Connection, events: list[NewEvent] | list[InboxEvent], now: float
                    ) -> None:
    """Event counts for the catalog ("waiting for first event"); built-ins are not counted."""
    counts: dict[str, int] = {}
    for event in events:
        if event.trigger not in BUILTIN_TRIGGER_NAMES:
            counts[event.trigger] = counts.get(event.trigger, 0) + 1
    if counts:
        # Held back in the simulator's long transaction, summed (`held_back`).
        hold_or_write(conn, _write_touches, (counts, now))


def _write_touches(conn: Connection, held: list[tuple[dict[str, int], float]]) -> None:
    """Per trigger: the events added up, the first time held and the last."""
    rows: dict[str, dict[str, Any]] = {}
    for counts, now in held:
        for name, count in counts.items():
            row = rows.setdefault(name, {"b_name": name, "b_count": 0, "b_first": now})
            row["b_count"] += count
            row["b_last"] = now
    _TOUCH.execute(conn, [rows[name] for name in sorted(rows)])  # one lock order for all


def pending_events(conn: Connection, limit: int) -> list[Any]:
    return _PENDING.rows(conn, {"limit": limit})


def pending_heads(conn: Connection, limit: int) -> list[Any]:
    """(id, trigger, contact_id) of the events `pending_events` would give."""
    return _PENDING_HEADS.rows(conn, {"limit": limit})


def load_event(conn: Connection, event_id: int) -> Any:
    return _BY_ID.first(conn, {"event_id": event_id})


def pending_exists():
    """True when some stored event waits to be processed (for a combined query)."""
    return select(s.events.c.id).where(s.events.c.processed_at.is_(None)).limit(1) \
        .scalar_subquery()


def has_pending(conn: Connection) -> bool:
    return conn.execute(select(s.events.c.id).where(s.events.c.processed_at.is_(None))
                        .limit(1)).first() is not None


def mark_processed(conn: Connection, outcomes: list[tuple[int, str]], now: float) -> None:
    _MARK.execute(conn, [{"_id": i, "outcome": o, "processed_at": now} for i, o in outcomes])
