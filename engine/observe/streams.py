"""One table read newest first by id, a bounded slice at a time (for `activity`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, false, select

from engine.store import schema as s

WINDOW = 20_000  # ids scanned per call when no index narrows the search
Condition = Callable[[Any], ColumnElement]


class Stream:
    def __init__(self, table: Table, time: ColumnElement, make: Callable[..., Any],
                 columns: list, rank: int) -> None:
        """`make(row, above, below)` makes an item of a row; `rank` orders streams at
        the same time (higher: newer); rows have `id` and `at` (`time`)."""
        self.table, self.time, self.make, self.rank = table, time, make, rank
        self.columns = [*columns, time.label("at")]
        self.conditions: list[Condition] = []
        self.rows: list[tuple[Any, Stream]] = []
        self.floor: float | None = None  # rows it did not read may be as new as this
        self._limited = False  # it read `limit` rows: there may be more below them
        self._start = 0  # the lowest id it looked at
        self._taken = 0

    def where(self, condition: Condition) -> None:
        """`condition(columns)`: a filter on the stream's columns (by name)."""
        self.conditions.append(condition)

    def none(self) -> None:
        self.conditions.append(lambda _columns: false())

    def fetch(self, conn: Connection, low: int, high: int, limit: int, bounded: bool) -> None:
        """The newest `limit` rows with ids in [low, high); with `bounded`, looking at
        no more than WINDOW rows. The window counts rows, not ids: ids may leave gaps
        (a simulation kept in parts numbers each part's rows 1,000,000,000 apart)."""
        ids = self.table.c.id
        self._start = self._window_start(conn, low, high) if bounded else low
        rows = conn.execute(self._query(self._start, high, limit, bounded)).all()
        self.rows, self._limited = [(row, self) for row in rows], len(rows) == limit
        if self._limited:
            self.floor = rows[-1].at
        elif self._start > low:  # the newest row below the window, whatever it is
            self.floor = conn.execute(select(self.time).where(ids >= low,
                                                                   ids < self._start)
                                      .order_by(ids.desc()).limit(1)).scalar()

    def _window_start(self, conn: Connection, low: int, high: int) -> int:
        """The id of the WINDOW-th row below `high` (`low` when there are fewer): a walk
        of the primary key's index, not of the rows."""
        ids = self.table.c.id
        nth = conn.execute(select(ids).where(ids >= low, ids < high).order_by(ids.desc())
                           .offset(WINDOW - 1).limit(1)).scalar()
        return low if nth is None else nth

    def _query(self, start: int, high: int, limit: int, bounded: bool) -> Select:
        ids = self.table.c.id
        query = select(*self.columns).where(ids >= start, ids < high).order_by(ids.desc())
        if not bounded:  # an index on the filtered columns leads (a person's)
            return query.where(*(c(self.table.c) for c in self.conditions)).limit(limit)
        # The filters apply to the window's rows, never steer the search: an index on a
        # filtered column would have the database read all its entries, then sort them.
        window = query.limit(WINDOW).subquery()
        return (select(window).where(*(c(window.c) for c in self.conditions))
                .order_by(window.c.id.desc()).limit(limit))

    def newest_since(self, floor: float | None) -> list[tuple[Any, Stream]]:
        """Its rows, newest first, up to the first one older than `floor`."""
        if floor is None:
            return self.rows
        for index, (row, _stream) in enumerate(self.rows):
            if row.at < floor:
                return self.rows[:index]
        return self.rows

    def take(self, count: int) -> None:
        """How many of its rows (the newest) the page shows."""
        self._taken = count

    @property
    def exhausted(self) -> bool:
        """Nothing of its range is left unshown."""
        return self._taken == len(self.rows) and not self._limited and self.floor is None

    def cut(self, high: int) -> int:
        """Where the page ends in this stream: older rows have lower ids."""
        if self._taken < len(self.rows):
            return self.rows[self._taken - 1][0].id if self._taken else high
        return self.rows[-1][0].id if self._limited else self._start


def journey_triggers(conn: Connection, journey_id: str) -> set[str]:
    """The triggers a journey listens to (entry, wait-for, exit, goal) in its draft and
    every version, read from the stored JSON without building the models."""
    v, j = s.journey_versions.c, s.journeys.c
    documents = [row.snapshot["journey"] for row in conn.execute(
        select(v.snapshot).where(v.journey_id == journey_id))]
    documents += [row.draft for row in conn.execute(
        select(j.draft).where(j.id == journey_id))]
    names: set[str] = set()
    for journey in documents:
        names.add((journey.get("start") or {}).get("trigger"))
        names |= {t.get("trigger") for t in journey.get("tiles", []) if t.get("kind") == "wait_for"}
        names |= {e.get("trigger") for e in journey.get("exits") or []}
        names.add((journey.get("goal") or {}).get("trigger"))
    return {name for name in names if name}
