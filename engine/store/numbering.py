"""Numbering a workspace's rows from a given id, and joining workspaces numbered apart.

A simulation run in several processes (`engine.simulation.shards`) gives each process a
workspace of its own. Their runs, events, steps and messages are numbered apart — the
second process's from 1,000,000,001 — so message ids (made from run ids), outbox files
and the run ids inside events stay unique, and joining the workspaces copies rows as
they are (`join_workspaces`), renumbering nothing.

SQLite numbers a new row one above the table's highest id: a placeholder row at the
first id, kept while the simulation runs, makes the numbering start there. It is
unlike any real row (no journey, no person, nothing due), so the runtime never reads
it, and the join leaves it out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, insert

from . import schema as s
from .database import writing

SPAN = 1_000_000_000  # ids each process may number: the second starts at 1,000,000,001

_PLACEHOLDER = "(placeholder: numbering starts here)"

# The numbered tables, with a placeholder row's values beside its id.
NUMBERED = {
    "runs": {"journey_id": "", "version": 0, "contact_id": "", "tile_id": "",
             "status": "completed", "entered_at": 0.0, "arrived_at": 0.0,
             "end_reason": _PLACEHOLDER, "trigger_data": {}, "state": {}},
    "events": {"trigger": "", "data": {}, "occurred_at": 0.0, "received_at": 0.0,
               "processed_at": 0.0, "outcome": _PLACEHOLDER},
    "steps": {"at": 0.0, "what": "", "journey_id": "", "version": 0, "contact_id": "",
              "reason": _PLACEHOLDER},
    "ledger": {"run_id": 0, "tile_id": "", "journey_id": "", "version": 0,
               "contact_id": "", "channel": "", "purpose": "", "message_id": "",
               "status": "placeholder", "reason": _PLACEHOLDER, "created_at": 0.0},
}

# How each table of a later workspace joins the first one's. Every table of a workspace
# is in one of these (a test fails for one that is not): a new table must say.
SAME = frozenset({  # the same in every process: the first workspace's rows are kept
    "alembic_version", "meta", "settings", "content", "segments", "record_tables",
    "journeys", "ingestion_keys"})
ROWS = frozenset({  # each person's own rows: copied
    "contacts", "consents", "segment_members", "runs", "events", "failures", "steps",
    "ledger", "goals", "audience", "records"})
SUMMED = {"counters": ("value",), "split_fill": ("taken",)}  # counts: added up
# Special: `triggers` (event counts added, first and last times widened) and
# `journey_versions` (a version completes when nobody is left in it: completed only when
# completed in every process, then at the latest time).
SPECIAL = frozenset({"triggers", "journey_versions"})


def number_from(db: Engine, first_id: int, now: float) -> None:
    """Rows written to this workspace from now on are numbered from `first_id` + 1. The
    placeholder step is dated `now`: pruning old steps takes it only once there are
    newer ones (it looks at the first step)."""
    with writing(db) as conn:
        for name, values in NUMBERED.items():
            dated = {"at": now} if name == "steps" else {}
            conn.execute(insert(getattr(s, name)).values(id=first_id, **{**values, **dated}))


def classified(table: str) -> bool:
    return table in SAME or table in ROWS or table in SUMMED or table in SPECIAL


def join_workspaces(into: Path, others: Sequence[tuple[Path, int]]) -> None:
    """Adds each other workspace (file, the id it was numbered from) to `into`, the
    first. Raises ValueError naming a table the join does not know."""
    with sqlite3.connect(into) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        for number, (path, first_id) in enumerate(others):
            alias = f"part{number}"
            conn.execute(f"ATTACH DATABASE ? AS {alias}", (str(path),))
            try:
                _join(conn, alias, first_id)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                conn.execute(f"DETACH DATABASE {alias}")


def _tables(conn: sqlite3.Connection, schema: str) -> list[str]:
    return [row[0] for row in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA main.table_info("{table}")')]


def _join(conn: sqlite3.Connection, alias: str, first_id: int) -> None:
    for table in _tables(conn, alias):
        if not classified(table):
            raise ValueError(f"joining simulation workspaces: table {table!r} is not "
                             "classified in engine/store/numbering.py")
        if table in SAME:
            continue
        columns = _columns(conn, table)
        names = ", ".join(f'"{c}"' for c in columns)
        if table in ROWS:
            placeholder = " WHERE id <> ?" if table in NUMBERED else ""
            conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} '
                         f'FROM {alias}."{table}"{placeholder}',
                         (first_id,) if placeholder else ())
        elif table in SUMMED:
            _add_up(conn, alias, table, columns, SUMMED[table])
    _join_triggers(conn, alias)
    _join_versions(conn, alias)


def _add_up(conn: sqlite3.Connection, alias: str, table: str, columns: list[str],
            counts: tuple[str, ...]) -> None:
    keys = [c for c in columns if c not in counts]
    names = ", ".join(f'"{c}"' for c in columns)
    added = ", ".join(f'"{c}" = "{c}" + excluded."{c}"' for c in counts)
    conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM {alias}."{table}" '
                 f'WHERE true ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {added}')


def _join_triggers(conn: sqlite3.Connection, alias: str) -> None:
    conn.execute(f"""
        UPDATE main.triggers AS t SET
          event_count = t.event_count + o.event_count,
          first_event_at = CASE WHEN t.first_event_at IS NULL THEN o.first_event_at
                                WHEN o.first_event_at IS NULL THEN t.first_event_at
                                ELSE min(t.first_event_at, o.first_event_at) END,
          last_event_at = CASE WHEN t.last_event_at IS NULL THEN o.last_event_at
                               WHEN o.last_event_at IS NULL THEN t.last_event_at
                               ELSE max(t.last_event_at, o.last_event_at) END
        FROM {alias}.triggers AS o WHERE o.name = t.name""")


def _join_versions(conn: sqlite3.Connection, alias: str) -> None:
    """A version still running in the other workspace is not completed in the joined one
    (its people are still in it); completed in both, it completed at the later time."""
    conn.execute(f"""
        UPDATE main.journey_versions AS v SET
          state = o.state, ended_at = o.ended_at
        FROM {alias}.journey_versions AS o
        WHERE o.journey_id = v.journey_id AND o.version = v.version
          AND v.state = 'completed'
          AND (o.state <> 'completed' OR coalesce(o.ended_at, 0) > coalesce(v.ended_at, 0))""")
