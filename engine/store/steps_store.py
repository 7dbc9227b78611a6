"""The trail: every step the runtime records, kept in the transaction that made it.

A batch writes its steps with one prepared executemany at flush, beside the runs' moves,
so a step exists exactly when the move it describes was committed (a batch item that
fails rolls its steps back with everything else). Reading is the observer's
(`engine.observe`); pruning by age is housekeeping's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import Connection, delete, func, select

from engine.runtime.records import StepRecord

from . import schema as s
from .prepared import Prepared
from .times import to_ts

RETENTION = timedelta(days=90)  # steps older than this are pruned (see `prune`)
PRUNE_CHUNK = 5_000  # rows per transaction, so pruning never holds the engine up

_INSERT = Prepared(s.steps.insert())
_OLDEST = Prepared(select(s.steps.c.id, s.steps.c.at).order_by(s.steps.c.id).limit(1))


def step_row(record: StepRecord) -> dict:
    return {"at": to_ts(record.at), "what": record.what.value, "journey_id": record.journey_id,
            "version": record.version, "contact_id": record.contact_id,
            "tile_id": record.tile_id, "run_id": record.run_id, "channel": record.channel,
            "reason": record.reason, "branch": record.branch,
            "branch_name": record.branch_name, "until": to_ts(record.until)}


def insert_steps(conn: Connection, records: Iterable[StepRecord]) -> None:
    """In the caller's transaction, with the moves the records describe."""
    _INSERT.execute(conn, [step_row(record) for record in records])


def delete_version_steps(conn: Connection, journey_id: str, version: int) -> int:
    return conn.execute(delete(s.steps).where(s.steps.c.journey_id == journey_id,
                                              s.steps.c.version == version)).rowcount


def prune(conn: Connection, before: float, chunk: int = PRUNE_CHUNK) -> int:
    """Delete up to `chunk` of the oldest steps recorded before `before`. Steps are
    written in time order, so the oldest ids are the oldest steps: finding none to prune
    is one look at the first row. Returns how many went (`chunk`: call again)."""
    oldest = _OLDEST.first(conn)
    if oldest is None or oldest.at >= before:
        return 0
    last = oldest.id + chunk
    return conn.execute(delete(s.steps).where(s.steps.c.id < last,
                                              s.steps.c.at < before)).rowcount


def latest_step_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(s.steps.c.id), 0))).scalar_one()
