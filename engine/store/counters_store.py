"""Analytics counters per journey version and tile, updated with the runs they count."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, select

from engine.runtime.records import CounterKey

from . import schema as s
from .held_back import hold_or_write, write_held_back
from .upsert import add_to

REASON_LENGTH = s.counters.c.reason.type.length


def add_counters(conn: Connection, deltas: Counter[CounterKey]) -> None:
    """Inside the simulator's long transaction the additions are held back and written
    summed before its commit (`held_back`); elsewhere at once."""
    if any(deltas.values()):
        hold_or_write(conn, _write_counters, Counter(deltas))


def _write_counters(conn: Connection, held: list[Counter[CounterKey]]) -> None:
    deltas = held[0]
    for more in held[1:]:
        deltas.update(more)
    # A reason longer than its column (a template's long error) is counted clipped:
    # PostgreSQL refused the whole transaction, and with it the person's entry.
    clipped: Counter[CounterKey] = Counter()
    for (j, v, t, m, r), n in deltas.items():
        clipped[(j, v, t, m, r[:REASON_LENGTH])] += n
    # In key order: every engine's transactions then lock the shared rows in the same
    # order, so two of them wait for each other instead of deadlocking.
    rows = [{"journey_id": j, "version": v, "tile_id": t, "metric": m, "reason": r, "value": n}
            for (j, v, t, m, r), n in sorted(clipped.items()) if n]
    if not rows:
        return
    key = dict.fromkeys(("journey_id", "version", "tile_id", "metric", "reason"))
    add_to(conn, s.counters, key, "value", 0, many=rows)


def counters_of(conn: Connection, journey_id: str, version: int | None = None
                ) -> list[tuple[int, str, str, str, int]]:
    """(version, tile_id, metric, reason, value) rows, ordered."""
    write_held_back(conn)
    c = s.counters.c
    query = select(c.version, c.tile_id, c.metric, c.reason, c.value).where(
        c.journey_id == journey_id).order_by(c.version, c.tile_id, c.metric, c.reason)
    if version is not None:
        query = query.where(c.version == version)
    return [tuple(row) for row in conn.execute(query)]
