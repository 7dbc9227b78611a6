"""A poison event or run never stops the engine: it is set aside, and the rest go on.

The runtime does a batch together — one SAVEPOINT, one in-memory overlay — so the hot
path pays two statements a batch for this. When something in the batch raises, the
savepoint is rolled back and the batch is done again one item at a time, each in a
savepoint of its own with a `Batch` of its own (`attempt`): a failing item's writes and
overlay go with its savepoint, the others commit in the same transaction as before, and
the failing one is set aside with its error (`engine.store.failures_store`).

Trouble with the database itself (locked, disconnected, disk full) is nobody's poison:
it propagates, the round is rolled back, and the engine tries again later as it always
did.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from engine.store.failures_store import describe

from .records import StepRecord

T = TypeVar("T")

STORE_TROUBLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                 sa_exc.TimeoutError, sqlite3.OperationalError, sqlite3.InterfaceError,
                 MemoryError)


def store_trouble(error: BaseException) -> bool:
    """The database's fault (or the machine's), not the item's: do not set anything aside."""
    return isinstance(error, STORE_TROUBLE)


def attempt(conn: Connection, work: Callable[[], T]) -> tuple[T | None, str | None]:
    """Do one item's work in a savepoint: (its result, None), or (None, the error as text)
    with everything it wrote undone. Store trouble propagates."""
    try:
        with conn.begin_nested():
            return work(), None
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
