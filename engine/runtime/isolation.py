"""A poison event or run never stops the engine: it is set aside, and the rest go on.

The runtime does a batch together — one transaction, one in-memory overlay — exactly as
before, so the hot path pays nothing for this (`in_one_go`). When something in the
batch raises, its transaction is rolled back and the batch is done again in a new one,
one item at a time, each in a savepoint of its own with a `Batch` of its own
(`attempt`): a failing item's writes and overlay go with its savepoint, the others
commit together, and the failing one is set aside with its error
(`engine.store.failures_store`).

A simulation's moments share long transactions that it can do again
(`one_transaction(redoable=True)`): there a batch takes no savepoint, and one that fails
raises `Redo`, which no one here catches; the simulator rolls the transaction back and
does its moments again in a transaction that is not redoable, where the batch is done
item by item as above (`engine.simulation.simulator`).

Trouble with the database itself (locked, disconnected, disk full) is nobody's poison:
it propagates, the round is rolled back, and the engine tries again later as it always
did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc

from engine.store.database import in_redoable_transaction, in_shared_transaction, writing
from engine.store.failures_store import describe
from engine.store.prepared import savepoint

from .records import StepRecord

T = TypeVar("T")

# SQLite's primary result codes that are the database's trouble: busy, locked, out of
# memory, read-only, interrupted, I/O error, corrupt, full, cannot open, protocol, not a
# database. Plain SQLITE_ERROR is not among them: "malformed JSON" in a stored row is one.
_SQLITE_TROUBLE = {5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 26}
# PostgreSQL's SQLSTATE classes (and one code) of the same kind: connection, transaction
# rollback (deadlock, serialisation), resources, operator intervention, system, internal,
# lock not available. A data exception (class 22) is the item's.
_POSTGRES_TROUBLE = ("08", "40", "53", "57", "58", "XX", "55P03")


def store_trouble(error: BaseException) -> bool:
    """The database's fault (or the machine's), not the item's: do not set anything aside."""
    if isinstance(error, MemoryError | sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    driver_error = error.orig if isinstance(error, sa_exc.DBAPIError) else error
    code = getattr(driver_error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _SQLITE_TROUBLE
    state = getattr(driver_error, "sqlstate", None)
    if isinstance(state, str):
        return state.startswith(_POSTGRES_TROUBLE)
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError
                      | sqlite3.OperationalError | sqlite3.InterfaceError)


class Redo(Exception):
    """A batch failed inside a redoable shared transaction, where it could not be undone
    alone: the transaction is to be rolled back and done again without `redoable`."""

    def __init__(self, error: str) -> None:
        super().__init__(f"a batch failed and must be done again item by item: {error}")
        self.error = error


def in_one_go(db: Engine, work: Callable[[Connection], T]) -> tuple[T | None, str | None]:
    """A whole batch in one transaction of its own: (its result, None), or (None, the
    error) with the transaction rolled back. This is the hot path and it pays nothing:
    a savepoint around a batch's writes would cost SQLite a copy of every page they
    touch. Only inside a transaction shared by simulated moments, which a failure would
    not roll back, does the batch take one; or, when that transaction can be done
    again, raise `Redo` when it fails."""
    return _caught(partial(_in_transaction, db, work))


def attempt(conn: Connection, work: Callable[[], T]) -> tuple[T | None, str | None]:
    """Do one item's work in a savepoint: (its result, None), or (None, the error as text)
    with everything it wrote undone. Store trouble propagates."""
    return _caught(partial(_in_savepoint, conn, work))


def _in_transaction(db: Engine, work: Callable[[Connection], T]) -> T:
    with writing(db) as conn:
        if not in_shared_transaction(db):
            return work(conn)
        if in_redoable_transaction(db):
            return _or_redo(partial(work, conn))
        return _in_savepoint(conn, partial(work, conn))


def _or_redo(work: Callable[[], T]) -> T:
    try:
        return work()
    except Exception as error:
        if store_trouble(error):
            raise
        raise Redo(describe(error)) from error


def _in_savepoint(conn: Connection, work: Callable[[], T]) -> T:
    with savepoint(conn):
        return work()


def _caught(work: Callable[[], T]) -> tuple[T | None, str | None]:
    try:
        return work(), None
    except Redo:
        raise
    except Exception as error:
        if store_trouble(error):
            raise
        return None, describe(error)


@dataclass
class Round:
    """What one batch did: how many items it took, the records to tell listeners, and a
    line for the log per item set aside (written once the batch has committed)."""

    count: int = 0
    records: list[StepRecord] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
