"""The trail: every step the runtime records, kept in the transaction that made it.

A batch writes its steps at flush, beside the runs' moves, in the same transaction,
so a step exists exactly when the move it describes was committed (a batch item that
fails rolls its steps back with everything else). Reading is the observer's
(`engine.observe`); pruning by age is housekeeping's.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from itertools import chain

from sqlalchemy import Connection, delete, func, insert, select

from engine.runtime.records import StepRecord

from . import schema as s
from .held_back import hold_or_write, write_held_back
from .prepared import Prepared, sqlite_executemany
from .times import to_ts

RETENTION = timedelta(days=90)  # steps older than this are pruned (see `prune`)
PRUNE_CHUNK = 5_000  # rows per transaction, so pruning never holds the engine up

_COLUMNS = ("at", "what", "journey_id", "version", "contact_id", "tile_id", "run_id",
            "channel", "reason", "branch", "branch_name", "until")
_ROW = f"({', '.join('?' * len(_COLUMNS))})"
_PER_STATEMENT = 50  # rows in one INSERT: each statement costs SQLite a step of its own


@cache
def _insert_sqlite(rows: int) -> str:
    return f"INSERT INTO steps ({', '.join(_COLUMNS)}) VALUES {', '.join([_ROW] * rows)}"


_OLDEST = Prepared(select(s.steps.c.id, s.steps.c.at).order_by(s.steps.c.id).limit(1))


def _values(record: StepRecord) -> tuple:
    # `what` is a StrEnum, so text as it is (its `.value` costs an enum lookup)
    return (to_ts(record.at), record.what, record.journey_id, record.version,
            record.contact_id, record.tile_id, record.run_id, record.channel, record.reason,
            record.branch, record.branch_name, to_ts(record.until))


def insert_steps(conn: Connection, records: list[StepRecord]) -> None:
    """In the caller's transaction, with the moves the records describe. On SQLite as
    plain tuples on the driver's cursor (every column is a number or text), fifty rows
    to a statement: a third less than one row each, on the runtime's hottest path."""
    if records:
        # Inside the simulator's long transaction held back to its end (`held_back`):
        # its thousands of small batches then write fifty rows to a statement too.
        hold_or_write(conn, _write_rows, [_values(record) for record in records])


def _write_rows(conn: Connection, held: list[list[tuple]]) -> None:
    rows = held[0] if len(held) == 1 else list(chain.from_iterable(held))
    if conn.dialect.name != "sqlite":
        conn.execute(insert(s.steps), [{**dict(zip(_COLUMNS, row, strict=True)),
                                        "what": str(row[1])} for row in rows])
        return
    whole = len(rows) - len(rows) % _PER_STATEMENT
    if whole:
        sqlite_executemany(conn, _insert_sqlite(_PER_STATEMENT), [
            tuple(chain.from_iterable(rows[start:start + _PER_STATEMENT]))
            for start in range(0, whole, _PER_STATEMENT)])
    if whole < len(rows):
        sqlite_executemany(conn, _insert_sqlite(1), rows[whole:])


def delete_version_steps(conn: Connection, journey_id: str, version: int) -> int:
    write_held_back(conn)
    return conn.execute(delete(s.steps).where(s.steps.c.journey_id == journey_id,
                                              s.steps.c.version == version)).rowcount


def prune(conn: Connection, before: float, chunk: int = PRUNE_CHUNK) -> int:
    """Delete up to `chunk` of the oldest steps recorded before `before`. Steps are
    written in time order, so the oldest ids are the oldest steps: finding none to prune
    is one look at the first row. Returns how many went (`chunk`: call again)."""
    oldest = _OLDEST.first(conn)
    if oldest is None or oldest.at < before:
        # Steps held back (`held_back`) are newer than any written: only when there are
        # none written, or some to prune, do they count.
        write_held_back(conn)
        oldest = _OLDEST.first(conn)
    if oldest is None or oldest.at >= before:
        return 0
    last = oldest.id + chunk
    return conn.execute(delete(s.steps).where(s.steps.c.id < last,
                                              s.steps.c.at < before)).rowcount


def latest_step_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(s.steps.c.id), 0))).scalar_one()
