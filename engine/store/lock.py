"""One engine per workspace: a second one says so and exits."""

from __future__ import annotations

import fcntl
import os
import zlib
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy import Connection, Engine, text


class WorkspaceBusyError(RuntimeError):
    pass


def lock_folder() -> Path:
    return user_data_path("waymark", appauthor=False) / "locks"


class EngineLock:
    """An OS file lock named after the workspace file, or an advisory lock in PostgreSQL.

    The lock dies with the process (even on SIGKILL), so a crash never leaves a
    workspace locked.

    The lock follows the file, not the path: a hard link, a bind mount or another path to
    the same file is the same workspace, so the lock file is named by the file's device
    and inode and kept in one folder (`lock_folder()`). Not a lock on the workspace file
    itself: the engine would need a descriptor of its own on it, and closing that
    descriptor (at release, while the studio or the CLI in this process still has the
    workspace open) would drop every POSIX lock this process holds on the file —
    SQLite's included — whereupon another process takes itself for the file's only user
    and deletes the write-ahead log still in use here. A `flock` is also emulated with
    whole-file POSIX locks on NFS, where it would collide with SQLite's.
    """

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._location = location
        self._handle = None
        self._path: Path | None = None
        self._connection: Connection | None = None

    def acquire(self) -> None:
        if self._engine.dialect.name != "sqlite":
            self._acquire_advisory()
        elif os.path.isfile(self._location):  # an in-memory database has nobody to meet
            self._acquire_file()

    def _lock_path(self) -> Path:
        identity = os.stat(self._location)
        return lock_folder() / f"{identity.st_dev}-{identity.st_ino}.lock"

    def _acquire_file(self) -> None:
        path = self._lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
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
            if _still_named(handle, path):
                break
            handle.close()  # its holder released it and removed the file meanwhile
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, on {self._location}")
        handle.flush()
        self._handle, self._path = handle, path

    def _acquire_advisory(self) -> None:
        key = zlib.crc32(f"waymark:{self._location}".encode())
        connection = self._engine.connect()
        if not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            connection.close()
            raise WorkspaceBusyError(f"another Waymark engine is running on {self._location}")
        self._connection = connection

    def release(self) -> None:
        if self._handle is not None:
            # Removed while still held, so whoever opens that name next makes a new file
            # rather than locking one about to go (`_still_named`).
            self._path.unlink(missing_ok=True)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = self._path = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _still_named(handle, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False
