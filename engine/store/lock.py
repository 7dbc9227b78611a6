"""One engine per workspace: a second one says so and exits."""

from __future__ import annotations

import fcntl
import os
import zlib
from pathlib import Path

from sqlalchemy import Connection, Engine, text


class WorkspaceBusyError(RuntimeError):
    pass


class EngineLock:
    """An OS file lock beside an SQLite workspace, or an advisory lock in PostgreSQL.

    The lock dies with the process (even on SIGKILL), so a crash never leaves a
    workspace locked.
    """

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._location = location
        self._handle = None
        self._connection: Connection | None = None

    def acquire(self) -> None:
        if self._engine.dialect.name == "sqlite":
            self._acquire_file()
        else:
            self._acquire_advisory()

    def _acquire_file(self) -> None:
        path = Path(f"{self._location}.lock")
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise WorkspaceBusyError(
                f"another Waymark engine ({holder}) is running on {self._location}; "
                "stop it first or open another workspace") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle = handle

    def _acquire_advisory(self) -> None:
        key = zlib.crc32(f"waymark:{self._location}".encode())
        connection = self._engine.connect()
        if not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            connection.close()
            raise WorkspaceBusyError(f"another Waymark engine is running on {self._location}")
        self._connection = connection

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
