"""Copying an SQLite file's write-ahead log into the file from a thread of its own.

SQLite does it in whichever commit grows the log past 1,000 pages, and flushing the disk
then holds that commit for 15–20 ms: under load, every quarter of a second for the
workspace (the runtime and delivery write several rows per person) and twice a second
for the inbox. A person whose event or message waited behind such a commit waited for
the disk. While a `Checkpointer` runs, connections that were told
(`PRAGMA wal_autocheckpoint=0`) leave it to this thread, which flushes the disk on its
own time and holds writers up only for the last few pages (see `_checkpoint`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("waymark.store")

NO_AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint=0"
AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint=1000"  # SQLite's default
FINISH_WITHIN = 0.05  # seconds a FULL checkpoint may wait for a writer or readers
# When the log starts over, its file is cut back to this (SQLite's default keeps it at
# the largest it ever grew: a burst, or a checkpoint held up by a slow disk, left a log of
# tens of MB beside the file for as long as the engine ran).
LOG_SIZE_LIMIT = 4 * 1024 * 1024  # a thousand pages, the log autocheckpointing keeps
KEEP_LOG_SMALL = f"PRAGMA journal_size_limit={LOG_SIZE_LIMIT}"


class Checkpointer:
    def __init__(self, path: Path, name: str, every: float = 0.5) -> None:
        self.path, self.name, self.every = path, name, every
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._stop is not None

    def start(self) -> None:
        if self._stop is not None:
            return
        self._stop = stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(stop,), daemon=True,
                                        name=self.name)
        self._thread.start()

    def stop(self) -> None:
        """Stop, after one last checkpoint (so the log does not wait for the next one)."""
        if self._stop is None:
            return
        self._stop.set()
        self._thread.join(5)
        self._stop = self._thread = None

    def _run(self, stop: threading.Event) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=FINISH_WITHIN)
        try:
            while not stop.wait(self.every):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy what the log holds, then let it start over.

        The log is reused from its start only once a checkpoint has copied all of it and
        the next writer finds no reader still in it. Under a steady stream of commits a
        PASSIVE checkpoint never copies all of it (a commit lands while it flushes the
        disk), and the log grew by gigabytes an hour. So the bulk is copied first,
        holding nobody up; then FULL copies the few commits that came meanwhile with
        writers held for that moment (a millisecond or two), so the next commit finds
        the whole log copied and starts it over. (RESTART, which also waits for every
        reader to leave the log, held writers longer: acknowledgements' p99 at 1,000/s
        10–11 ms with FULL, 13–21 ms with RESTART.) If a long transaction keeps it
        waiting past FINISH_WITHIN it gives up until the next time.
        """
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            conn.execute("PRAGMA wal_checkpoint(FULL)").fetchall()
        except sqlite3.Error as error:  # a full disk, say: the next try may do better
            log.warning("could not checkpoint %s: %s", self.path, error)
