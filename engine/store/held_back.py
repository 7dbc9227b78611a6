"""Writes a long shared transaction holds back and makes once, just before its commit.

Counter additions commute: the thousands of simulated moments in one of the simulator's
transactions (`database.one_transaction`) add to the same few dozen counters, and each
batch of each moment cost an upsert per counter. Held back, they are summed and written
once at the end, with the same result. Steps (the trail) are appended in order, and
held back they go fifty rows to a statement instead of two or three; a trigger's event
count, first and last event times likewise add up. A savepoint rolled
back (a batch that failed, done again item by item) drops what was held inside it:
`prepared.savepoint` takes a `mark()` and `undo_to()` it. Anything that reads what is
held back inside such a transaction calls `write_held_back(conn)` first.

Outside a shared transaction nothing is held: the writer runs at once, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection

Writer = Callable[[Connection, list[Any]], None]  # writes the items held, in order


class HeldBack:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._journal: list[tuple[Writer, Any]] = []

    def hold(self, writer: Writer, item: Any) -> None:
        self._journal.append((writer, item))

    def mark(self) -> int:
        return len(self._journal)

    def undo_to(self, mark: int) -> None:
        del self._journal[mark:]

    def write(self) -> None:
        """Each writer once, with its items in the order they were held."""
        items: dict[Writer, list[Any]] = {}
        for writer, item in self._journal:
            items.setdefault(writer, []).append(item)
        self._journal = []
        for writer, held in items.items():
            writer(self.conn, held)


_HELD: ContextVar[HeldBack | None] = ContextVar("waymark_held_back", default=None)


def held_back(conn: Connection) -> HeldBack | None:
    """The writes held back for `conn`'s shared transaction, or None when there is none."""
    held = _HELD.get()
    return held if held is not None and held.conn is conn else None


def hold_or_write(conn: Connection, writer: Writer, item: Any) -> None:
    held = held_back(conn)
    if held is None:
        writer(conn, [item])
    else:
        held.hold(writer, item)


def write_held_back(conn: Connection) -> None:
    held = held_back(conn)
    if held is not None:
        held.write()


@contextmanager
def holding(conn: Connection) -> Iterator[None]:
    """Hold writes for `conn` in the block; make them at its end (not when it raises)."""
    held = HeldBack(conn)
    token = _HELD.set(held)
    try:
        yield
        held.write()
    finally:
        _HELD.reset(token)
