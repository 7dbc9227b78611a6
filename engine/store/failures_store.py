"""Events and runs set aside because processing them raised: recorded, listed, retried.

A failed event keeps its row and its input (`events.data`), marked processed with the
outcome "failed: …", so it leaves the pending index; a failed run keeps its row with
status `failed` and no due time. Neither is tried again until someone asks for it
(`waymark events retry`): after a restart nothing fails again in a loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import StatementError

from engine.runtime.records import RunStatus

from . import schema as s

Kind = Literal["event", "run"]
ERROR_LIMIT = 500
_REASON_LIMIT = s.runs.c.end_reason.type.length
_PREFIX = {"event": "e", "run": "r"}


class FailureNotFound(KeyError):
    """No event or run set aside under that reference."""


@dataclass(frozen=True)
class FailedItem:
    kind: Kind
    item_id: int
    failed_at: float
    error: str
    person: str | None
    trigger: str | None = None      # events
    journey_id: str | None = None   # runs
    version: int | None = None
    tile_id: str | None = None

    @property
    def ref(self) -> str:
        """How `waymark events retry` names it: e12 (event 12), r7 (run 7)."""
        return f"{_PREFIX[self.kind]}{self.item_id}"


def describe(error: BaseException) -> str:
    """The exception's type and message, truncated, and storable whatever it holds (a
    lone surrogate from the input is escaped, so writing it down cannot fail too). For a
    database error, the driver's own words, without the statement and its parameters."""
    if isinstance(error, StatementError) and isinstance(error.orig, BaseException):
        error = error.orig
    try:
        message = str(error)
    except Exception:  # a message that cannot be made is no reason to stop
        message = ""
    text = f"{type(error).__name__}: {message}"[:ERROR_LIMIT] if message \
        else type(error).__name__
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def set_aside_event(conn: Connection, event_id: int, error: str, now: float) -> None:
    conn.execute(update(s.events).where(s.events.c.id == event_id).values(
        processed_at=now, outcome=f"failed: {error}"))
    _record(conn, "event", event_id, error, now, None)


def set_aside_run(conn: Connection, run_id: int, status: str, error: str, now: float) -> None:
    """Out of the due index and of everyone's in-flight runs, until retried."""
    conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(
        status=RunStatus.FAILED.value, due_at=None, ended_at=now,
        end_reason=f"set aside: {error}"[:_REASON_LIMIT]))
    _record(conn, "run", run_id, error, now, status)


def _record(conn: Connection, kind: Kind, item_id: int, error: str, now: float,
            resume_status: str | None) -> None:
    conn.execute(delete(s.failures).where(s.failures.c.kind == kind,
                                          s.failures.c.item_id == item_id))
    conn.execute(insert(s.failures).values(kind=kind, item_id=item_id, failed_at=now,
                                           error=error, resume_status=resume_status))


def failed_items(conn: Connection) -> list[FailedItem]:
    """Every event and run set aside, oldest first."""
    f, e, r = s.failures.c, s.events.c, s.runs.c
    events = conn.execute(select(f.item_id, f.failed_at, f.error, e.contact_id, e.trigger)
                          .join_from(s.failures, s.events, and_(f.kind == "event",
                                                                e.id == f.item_id)))
    runs = conn.execute(select(f.item_id, f.failed_at, f.error, r.contact_id, r.journey_id,
                               r.version, r.tile_id)
                        .join_from(s.failures, s.runs, and_(f.kind == "run",
                                                            r.id == f.item_id)))
    items = [FailedItem("event", *row) for row in events]
    items += [FailedItem("run", *row[:4], None, *row[4:]) for row in runs]
    return sorted(items, key=lambda item: (item.failed_at, item.kind, item.item_id))


def parse_ref(ref: str) -> tuple[Kind, int]:
    """e12 → ("event", 12), r7 → ("run", 7); FailureNotFound for anything else."""
    kinds = {prefix: kind for kind, prefix in _PREFIX.items()}
    kind, number = kinds.get(ref[:1].lower()), ref[1:]
    if kind is None or not number.isdigit():
        raise FailureNotFound(ref)
    return kind, int(number)


def retry(conn: Connection, refs: list[tuple[Kind, int]] | None, now: float) -> int:
    """Put the named failures (all when None) back: events pending again, runs due now.
    The runtime then tries them as if they had just arrived. Returns how many."""
    rows = conn.execute(select(s.failures)).all()
    if refs is not None:
        found = {(row.kind, row.item_id): row for row in rows}
        missing = [f"{_PREFIX[kind]}{item_id}" for kind, item_id in refs
                   if (kind, item_id) not in found]
        if missing:
            raise FailureNotFound(", ".join(missing))
        rows = [found[ref] for ref in dict.fromkeys(refs)]
    for row in rows:
        _put_back(conn, row, now)
    return len(rows)


def _put_back(conn: Connection, row, now: float) -> None:
    if row.kind == "event":
        conn.execute(update(s.events).where(s.events.c.id == row.item_id).values(
            processed_at=None, outcome=None))
    else:
        conn.execute(update(s.runs).where(s.runs.c.id == row.item_id).values(
            status=row.resume_status or RunStatus.ACTIVE.value, due_at=now, ended_at=None,
            end_reason=None))
    conn.execute(delete(s.failures).where(s.failures.c.kind == row.kind,
                                          s.failures.c.item_id == row.item_id))
