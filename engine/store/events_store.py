"""Events: stored before they are acknowledged, processed once, deduplicated by messageId."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from . import schema as s


@dataclass
class NewEvent:
    trigger: str
    contact_id: str | None
    data: dict[str, Any] = field(default_factory=dict)
    binding_id: str | None = None
    message_id: str | None = None
    occurred_at: float | None = None


def find_by_message_id(conn: Connection, message_id: str) -> int | None:
    return conn.execute(select(s.events.c.id).where(s.events.c.message_id == message_id)
                        ).scalar()


def insert_events(conn: Connection, events: list[NewEvent], now: float
                  ) -> list[tuple[int, bool]]:
    """(event id, duplicate?) per event, in order. Runs inside the caller's transaction."""
    results = []
    for event in events:
        if event.message_id:
            existing = find_by_message_id(conn, event.message_id)
            if existing is not None:
                results.append((existing, True))
                continue
        results.append((_insert(conn, event, now), False))
    _touch_triggers(conn, [e for e, (_i, dup) in zip(events, results, strict=True) if not dup],
                    now)
    return results


def _insert(conn: Connection, event: NewEvent, now: float) -> int:
    try:
        with conn.begin_nested():
            result = conn.execute(s.events.insert().values(
                trigger=event.trigger, contact_id=event.contact_id, binding_id=event.binding_id,
                message_id=event.message_id, data=event.data,
                occurred_at=event.occurred_at or now, received_at=now))
    except IntegrityError:  # the same messageId arrived twice at once
        return find_by_message_id(conn, event.message_id)
    return result.inserted_primary_key[0]


def _touch_triggers(conn: Connection, events: list[NewEvent], now: float) -> None:
    counts: dict[str, int] = {}
    for event in events:
        counts[event.trigger] = counts.get(event.trigger, 0) + 1
    for name, count in counts.items():
        conn.execute(update(s.triggers).where(s.triggers.c.name == name).values(
            event_count=s.triggers.c.event_count + count, last_event_at=now,
            first_event_at=func.coalesce(s.triggers.c.first_event_at, now)))


def pending_events(conn: Connection, limit: int) -> list[Any]:
    return list(conn.execute(select(s.events).where(s.events.c.processed_at.is_(None))
                             .order_by(s.events.c.id).limit(limit)))


def has_pending(conn: Connection) -> bool:
    return conn.execute(select(s.events.c.id).where(s.events.c.processed_at.is_(None))
                        .limit(1)).first() is not None


def mark_processed(conn: Connection, outcomes: list[tuple[int, str]], now: float) -> None:
    if outcomes:
        conn.execute(update(s.events).where(s.events.c.id == bindparam("_id")).values(
            processed_at=now), [{"_id": i, "outcome": o} for i, o in outcomes])
