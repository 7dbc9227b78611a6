"""Noticing that an SQLite workspace's write-ahead log is no longer the file's.

SQLite in WAL mode trusts every process using a file to hold POSIX locks on it. Closing
*any* descriptor of the file in a process drops all of that process's locks on it (a
rule of POSIX locks), so a program that merely looks inside the file — a file dialog
guessing its type — leaves the process's connections unprotected. The next process to
close its last connection then takes itself for the only user: it copies the log into
the file and deletes the `-wal` and `-shm` files that the first process still has open.
From then on that process commits into a deleted file, without an error, and nothing it
writes reaches the workspace.

So each connection remembers which log file it opened, and before each transaction
(one `stat`, about a microsecond) the store checks that the log's name still leads to
that file (`detached`), and refuses with `WorkspaceDetachedError` when it does not. Such a
connection must also close without SQLite's checkpoint on close: that would copy its
stale log into the file and then delete whichever log now has that name
(`close_quietly_when_detached`). Once all of them are closed, opening the workspace
again is safe.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, event

log = logging.getLogger("waymark.store")

LOG_IDENTITY = "waymark_wal"  # in each pooled connection's `info`: (path, (dev, inode))
NO_CKPT_ON_CLOSE = 1006  # SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE


def watch_log(engine: Engine, database: Path) -> None:
    """Give every connection of `engine` (on the SQLite file `database`) the guard; to be
    called after the listener that turns WAL mode on, so the log is open when it runs."""
    wal = f"{database}-wal"  # a str: os.stat takes it a little faster than a Path

    def remember(_dbapi_connection, record) -> None:
        record.info[LOG_IDENTITY] = (wal, _identity(wal))

    event.listen(engine, "connect", remember)
    event.listen(engine, "close", close_quietly_when_detached)


def detached(info: dict) -> bool:
    """True when the connection's log is no longer the one the workspace's name leads to."""
    remembered = info.get(LOG_IDENTITY)
    if remembered is None:  # not a connection `watch_log` saw made
        return False
    wal, identity = remembered
    current = _identity(wal)
    if identity is None:
        # A new file gets its log with its first write, after the connection was made;
        # SQLite opens it by this name when this transaction first reads.
        info[LOG_IDENTITY] = (wal, current)
        return False
    return current != identity


def close_quietly_when_detached(dbapi_connection, record) -> None:
    """The pool's "close" listener: a detached connection closes without checkpointing."""
    if detached(record.info):
        _skip_checkpoint_on_close(dbapi_connection)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _skip_checkpoint_on_close(raw: sqlite3.Connection) -> None:
    if hasattr(raw, "setconfig"):  # Python 3.12 and later
        raw.setconfig(NO_CKPT_ON_CLOSE, True)
        return
    try:
        _db_config_by_ctypes(raw)
    except (AttributeError, OSError) as error:
        log.warning("closing a workspace connection whose log was replaced, with SQLite's "
                    "checkpoint on close (%s)", error)


def _db_config_by_ctypes(raw: sqlite3.Connection) -> None:
    """`sqlite3_db_config(db, NO_CKPT_ON_CLOSE, 1, NULL)` for Python 3.11, whose `sqlite3`
    module has no `setconfig`: in CPython 3.11 a `sqlite3.Connection` holds its `sqlite3*`
    right after the object header, and the `_sqlite3` module links the SQLite library."""
    import _sqlite3

    library = ctypes.CDLL(_sqlite3.__file__)
    db_config = library.sqlite3_db_config
    db_config.restype = ctypes.c_int
    db_config.argtypes = [ctypes.c_void_p, ctypes.c_int]  # the rest are variadic
    handle = ctypes.c_void_p.from_address(id(raw) + object.__basicsize__).value
    if handle and db_config(handle, NO_CKPT_ON_CLOSE, ctypes.c_int(1), None) != 0:
        raise OSError("sqlite3_db_config refused NO_CKPT_ON_CLOSE")
