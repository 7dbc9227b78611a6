"""The inbox: accepted trigger events, in an SQLite file only the ingestion socket writes.

SQLite lets one writer at a time into a database. When the socket stored events in the
workspace itself, every acknowledgement waited behind whatever the runtime was writing
(a batch of people entering a journey, their emails rendered). The inbox gives the
socket a write lock of its own: an event is acknowledged once it is committed here, and
the runtime moves it into the workspace's `events` table (`import_inbox` in the
runtime), remembering in the workspace how far it got in the same transaction, so each
event is imported exactly once even across crashes.

The file sits beside an SQLite workspace (`shop.waymark` → `shop-inbox.sqlite`); for a
workspace on a server, in the user's data folder, named after the database. It has a
random identity, so a replaced inbox file starts counting afresh instead of being
mistaken for the old one. Imported rows are pruned by the socket.

Plain `sqlite3`, not SQLAlchemy: one table, two statements on the socket's hottest path.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from .checkpoints import AUTOCHECKPOINT, KEEP_LOG_SMALL, NO_AUTOCHECKPOINT, Checkpointer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT UNIQUE,
    trigger TEXT NOT NULL,
    contact_id TEXT,
    binding_id TEXT,
    data TEXT NOT NULL,
    occurred_at REAL NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS inbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_INSERT = ("INSERT INTO inbox (message_id, trigger, contact_id, binding_id, data, "
           "occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT (message_id) DO NOTHING RETURNING id")
_BY_MESSAGE_ID = "SELECT id FROM inbox WHERE message_id = ?"
_AFTER = ("SELECT id, message_id, trigger, contact_id, binding_id, data, occurred_at, "
          "received_at FROM inbox WHERE id > ? ORDER BY id LIMIT ?")


@dataclass(frozen=True)
class InboxEvent:
    id: int
    message_id: str | None
    trigger: str
    contact_id: str | None
    binding_id: str | None
    data: str  # JSON text, as the workspace stores it too
    occurred_at: float
    received_at: float


def inbox_path(url: str) -> Path:
    """Where the inbox of the workspace at `url` lives."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        path = Path(url.removeprefix("sqlite:///"))
        return path.with_name(f"{path.stem}-inbox.sqlite")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return user_data_path("waymark", appauthor=False) / "inboxes" / f"{digest}.sqlite"


class Inbox:
    """One connection to the inbox file, safe to share between threads (it locks)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                     timeout=10)
        self._lock = threading.Lock()
        self._checkpoints = Checkpointer(path, "waymark-inbox-checkpoint")
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # as the workspace: WAL, durable
            self._conn.execute(KEEP_LOG_SMALL)
            self._conn.executescript(_SCHEMA)
            self._conn.execute("INSERT INTO inbox_meta VALUES ('identity', ?) "
                               "ON CONFLICT DO NOTHING", (secrets.token_hex(8),))
            [(self.identity,)] = self._conn.execute(
                "SELECT value FROM inbox_meta WHERE key = 'identity'").fetchall()

    def close(self) -> None:
        self.stop_checkpoints()
        with self._lock:
            self._conn.close()

    def checkpoint_in_background(self, every: float = 0.5) -> None:
        """Leave the write-ahead log to a thread of its own (see `checkpoints`): the
        socket's event loop commits here, and waited for the disk twice a second."""
        if self._checkpoints.running:
            return
        with self._lock:
            self._conn.execute(NO_AUTOCHECKPOINT)
        self._checkpoints.every = every
        self._checkpoints.start()

    def stop_checkpoints(self) -> None:
        if self._checkpoints.running:
            self._checkpoints.stop()
            with self._lock:
                self._conn.execute(AUTOCHECKPOINT)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    # --- the socket -------------------------------------------------------------------

    def add(self, events: Iterable[Any], now: float, known: dict[str, int]
            ) -> list[tuple[int, bool]]:
        """Store events (`NewEvent`s) in one transaction: (receipt id, duplicate?) each.

        `known` maps messageIds already imported into the workspace to their receipts;
        those, and messageIds already here (or earlier in the list), are duplicates.
        """
        results: list[tuple[int, bool]] = []
        with self._transaction() as cursor:
            for event in events:
                message_id = event.message_id
                if message_id is not None and message_id in known:
                    results.append((known[message_id], True))
                    continue
                cursor.execute(_INSERT, (message_id, event.trigger, event.contact_id,
                                         event.binding_id, json.dumps(event.data),
                                         event.occurred_at or now, now))
                row = cursor.fetchone()
                if row is not None:
                    results.append((row[0], False))
                else:
                    cursor.execute(_BY_MESSAGE_ID, (message_id,))
                    results.append((cursor.fetchone()[0], True))
        return results

    def prune(self, imported: int, limit: int) -> int:
        """Forget the oldest events the workspace has imported (ids up to `imported`),
        at most `limit` of them."""
        with self._transaction() as cursor:
            cursor.execute("DELETE FROM inbox WHERE id <= min(?, (SELECT min(id) FROM inbox) "
                           "+ ?)", (imported, limit - 1))
            return cursor.rowcount

    # --- the runtime ------------------------------------------------------------------

    def after(self, imported: int, limit: int) -> list[InboxEvent]:
        """The oldest events not imported yet."""
        with self._lock:
            rows = self._conn.execute(_AFTER, (imported, limit)).fetchall()
        return [InboxEvent(*row) for row in rows]

    def last_id(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT max(id) FROM inbox").fetchone()[0] or 0
