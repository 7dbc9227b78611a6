"""One engine per workspace: a second one says so and exits.

The lock file also says who holds the workspace (`Holder`: pid, kind, socket URL), so a
studio opening a workspace that `waymark serve` or another studio runs can watch that
engine and fire through its socket instead (`engine_holder`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import threading
import time
import zlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO
from weakref import WeakKeyDictionary

from platformdirs import user_data_path
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from . import meta_store
from .database import create_db_engine, database_away, database_url, writing

log = logging.getLogger("waymark.lock")

# Another process probing the lock (`engine_holder`) holds it for a few microseconds —
# longer if the machine takes the CPU from it just then; a starting engine asks again, a
# moment apart, for this long before it gives up.
BUSY_PATIENCE = 0.5
BUSY_PAUSE = 0.005


class WorkspaceBusyError(RuntimeError):
    def __init__(self, message: str, holder: Holder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    """Who holds a workspace's engine lock, as that engine wrote it."""

    pid: int | None
    kind: str | None = None  # "serve" | "studio"; None until the engine says
    url: str | None = None  # where its ingestion socket listens, once it does
    started_at: float | None = None  # epoch seconds
    host: str | None = None  # the machine's name (a lock on a shared disk)
    location: str | None = None  # the workspace as that engine opened it (maybe a link)

    def who(self) -> str:
        """"waymark serve, pid 4120": what runs the engine, in a few words."""
        parts = [f"waymark {self.kind}" if self.kind else None,
                 f"pid {self.pid}" if self.pid else None]
        return ", ".join(p for p in parts if p) or "another process"

    def describe(self) -> str:
        """"waymark serve, pid 4120, listening on http://…, on /data/shop.waymark"."""
        parts = [self.who(),
                 f"listening on {self.url}" if self.url else None,
                 f"on the machine {self.host}" if self.host
                 and self.host != socket.gethostname() else None,
                 f"on {self.location}" if self.location else None]
        return ", ".join(p for p in parts if p) or "another process"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def parse(cls, content: str) -> Holder | None:
        """The record in a lock file; an older engine's "pid N, on PATH" gives its pid."""
        content = content.strip()
        if not content:
            return None
        try:
            data = json.loads(content)
            return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})
        except (ValueError, TypeError, AttributeError):
            words = content.replace(",", " ").split()
            pid = words[1] if len(words) > 1 and words[0] == "pid" else ""
            location = content.partition(", on ")[2] or None
            return cls(int(pid) if pid.isdigit() else None, location=location)


def lock_folder() -> Path:
    return user_data_path("waymark", appauthor=False) / "locks"


class EngineLock:
    """An OS file lock named after the workspace file, or an advisory lock in PostgreSQL.

    The lock dies with the process (even on SIGKILL), so a crash never leaves a
    workspace locked.

    The lock follows the file, not the path: a hard link, a bind mount or another path to
    the same file is the same workspace, so the lock file is named by the file's device
    and inode and kept in one folder (`lock_folder()`). That folder is the user's: another
    account, or the same one with another HOME or XDG_DATA_HOME (a service, a container),
    has another. So the engine also locks a file beside the workspace (`beside_path`,
    "shop.waymark-engine.lock", where SQLite keeps its "-wal" and "-shm"), which every
    process that can write the workspace sees: two engines, one a `waymark serve` run by
    another account, both ran on one file. Not a lock on the workspace file
    itself: the engine would need a descriptor of its own on it, and closing that
    descriptor (at release, while the studio or the CLI in this process still has the
    workspace open) would drop every POSIX lock this process holds on the file —
    SQLite's included — whereupon another process takes itself for the file's only user
    and deletes the write-ahead log still in use here. A `flock` is also emulated with
    whole-file POSIX locks on NFS, where it would collide with SQLite's.

    The lock file holds the holder's record (`Holder`, JSON); on PostgreSQL, where the
    lock is in the server, a file named after the lock's key holds it. There the lock is
    the session's, and a server restart ends both: `keep` (before each of the engine's
    rounds) takes it again, or says another engine took the workspace meanwhile.
    """

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._location = location
        # the lock files held (or, on PostgreSQL, the holder's record): each with its name
        self._files: list[tuple[IO[str], Path]] = []
        self._connection: Connection | None = None
        self._key = 0  # the advisory lock's, on PostgreSQL
        self._advisory = False  # held on PostgreSQL: `keep` looks after it
        self._keeping = threading.Lock()  # the engine's threads may each ask `keep`
        self._holder = Holder(os.getpid(), started_at=time.time(), host=socket.gethostname(),
                              location=location)

    def acquire(self) -> None:
        if self._engine.dialect.name != "sqlite":
            self._acquire_advisory()
        elif os.path.isfile(self._location):  # an in-memory database has nobody to meet
            self._acquire_file()

    def announce(self, kind: str, url: str | None) -> None:
        """Say in the lock file what holds the workspace and where its socket listens
        (`engine_holder` reads it); a no-op when the lock is not held."""
        self._holder = replace(self._holder, kind=kind, url=url)
        self._write_record()

    def _write_record(self) -> None:
        for handle, _path in self._files:
            if not handle.writable():  # another account's file (`_open_lock`): locked only
                continue
            handle.seek(0)
            handle.truncate()
            handle.write(self._holder.to_json())
            handle.flush()

    def _acquire_file(self) -> None:
        """Both lock files, the user's first (every engine takes them in that order), or
        neither: WorkspaceBusyError when another engine holds one."""
        mine = lock_path(self._location)
        mine.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._files.append((_lock_file(mine, self._location), mine))
            beside = beside_path(self._location)
            try:
                self._files.append((_lock_file(beside, self._location, like=self._location),
                                    beside))
            except OSError as error:  # a folder it may not write: the user's lock still holds
                log.warning("could not lock %s (%s): another account's engine on this "
                            "workspace would not be refused", beside,
                            error.strerror or error)
        except BaseException:
            self.release()
            raise
        self._write_record()

    def _acquire_advisory(self) -> None:
        self._key = advisory_key(self._engine)
        self._connection = self._take_advisory()
        path = record_path_pg(self._key)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._files = [(path.open("w"), path)]
        self._write_record()
        self._advisory = True

    def _take_advisory(self) -> Connection:
        """The lock, on a session kept for it; asked again for BUSY_PATIENCE, as the
        file lock is (`engine_holder` takes it for an instant to look)."""
        connection = self._engine.connect()
        deadline = time.monotonic() + BUSY_PATIENCE
        try:
            while not (taken := connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                                   {"k": self._key}).scalar()) \
                    and time.monotonic() < deadline:
                time.sleep(BUSY_PAUSE)
            connection.commit()  # the lock is the session's; no transaction is kept open
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            holder = _read_holder(record_path_pg(self._key))
            raise WorkspaceBusyError(_busy_message(holder, self._location), holder)
        return connection

    def keep(self) -> None:
        """Still the workspace's engine? On PostgreSQL the lock went if the session did
        (a server restart): take it again. Raises WorkspaceBusyError when another engine
        took the workspace meanwhile (this one must stop: the lock and its record are
        the other's now), or the database's error while it is still away (ask again).
        Nothing to do on SQLite: an OS lock goes only with its process."""
        if not self._advisory:
            return
        with self._keeping:
            if self._connection is not None:
                try:
                    self._connection.exec_driver_sql("SELECT 1")
                    self._connection.commit()
                    return
                except DBAPIError as error:
                    why = database_away(error)
                    if why is None:
                        raise
                    self._connection.invalidate()
                    self._connection.close()
                    self._connection = None
                    log.warning("the workspace's lock went with its PostgreSQL session "
                                "(%s); taking it again", why)
            try:
                self._connection = self._take_advisory()
            except WorkspaceBusyError:
                self._advisory = False
                for handle, _path in self._files:  # the record is the new holder's: kept
                    handle.close()
                self._files = []
                raise
            log.warning("the workspace's lock is this engine's again")

    def release(self) -> None:
        for handle, path in reversed(self._files):
            # Removed while still held, so whoever opens that name next makes a new file
            # rather than locking one about to go (`_still_named`).
            with contextlib.suppress(OSError):  # another account's, in a folder it keeps
                path.unlink(missing_ok=True)
            if not self._advisory:
                fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        self._files = []
        self._advisory = False
        if self._connection is not None:
            # The connection goes back to the pool with its session: without the unlock
            # the workspace would stay locked until the pool closed that session.
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"),
                                         {"k": self._key})
                self._connection.commit()
            except DBAPIError as error:
                if database_away(error) is None:
                    raise
                self._connection.invalidate()  # the session went, and its lock with it
            finally:
                self._connection.close()
                self._connection = None


def lock_path(location: str) -> Path:
    identity = os.stat(location)
    return lock_folder() / f"{identity.st_dev}-{identity.st_ino}.lock"


def beside_path(location: str) -> Path:
    """The lock file beside the workspace (through any symbolic link to it)."""
    real = Path(os.path.realpath(location))
    return real.with_name(f"{real.name}-engine.lock")


def _lock_file(path: Path, location: str, like: str | None = None) -> IO[str]:
    """`path` opened and locked for this engine; WorkspaceBusyError naming who holds it.
    `like`: a file whose permissions a lock file made here takes (see `_open_lock`)."""
    while True:
        handle = _open_lock(path, like)
        if not _lock_soon(handle):
            handle.seek(0)
            holder = Holder.parse(handle.read())
            handle.close()
            raise WorkspaceBusyError(_busy_message(holder, location), holder)
        if _still_named(handle, path):
            return handle
        handle.close()  # its holder released it and removed the file meanwhile


def _open_lock(path: Path, like: str | None) -> IO[str]:
    """The lock file, to read and write its record; made with the permissions of `like`
    (the workspace: whoever may write it may take its lock). Read only when another
    account made it and this one may not write it: a `flock` needs no more, so that
    account's engine still keeps this one off (and this one, holding it, that one)."""
    try:
        handle = path.open("a+")
    except PermissionError:
        return path.open("r")
    if like is not None:
        try:
            if os.fstat(handle.fileno()).st_uid == os.geteuid():
                os.fchmod(handle.fileno(), os.stat(like).st_mode & 0o666)
        except OSError:
            pass  # the lock holds all the same; only another account may not write it
    return handle


def advisory_key(db: Engine) -> int:
    """The workspace's key among PostgreSQL's advisory locks (which are each database's
    own), from the identity the workspace stores: every URL that reaches it (another
    host name or address, a pooler, a proxy) takes the same lock. A key from the URL
    let a single engine run beside a cluster that named the server otherwise.

    Read once per engine (`db`): the studio asks who runs a PostgreSQL workspace every
    few seconds, and the identity does not change while the database lives."""
    try:
        return _ADVISORY_KEYS[db]
    except KeyError:
        pass
    with writing(db) as conn:
        key = zlib.crc32(f"waymark:{meta_store.workspace_id(conn)}".encode())
    _ADVISORY_KEYS[db] = key
    return key


_ADVISORY_KEYS: WeakKeyDictionary[Engine, int] = WeakKeyDictionary()


def record_path_pg(key: int) -> Path:
    return lock_folder() / f"pg-{key}.json"


def engine_holder_at(location: str) -> Holder | None:
    """`engine_holder` for a workspace not open here (a look, no session kept)."""
    db = create_db_engine(database_url(location))
    try:
        return engine_holder(db, location)
    finally:
        db.dispose()


def engine_holder(db: Engine, location: str) -> Holder | None:
    """Who runs an engine on this workspace now (this process included), or None.

    It takes the lock for an instant to see whether it is free and lets it go at once
    (an engine starting meanwhile asks again, see `BUSY_PATIENCE`); a lock held by
    someone else is never released here: a `flock` belongs to the descriptor that took it.
    """
    if db.dialect.name != "sqlite":
        return _advisory_holder(db)
    for path in (lock_path(location), beside_path(location)):  # the other account's too
        try:
            handle = path.open("r")
        except OSError:  # no engine ever ran, or the last one stopped cleanly
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return Holder.parse(handle.read()) or Holder(None)
            fcntl.flock(handle, fcntl.LOCK_UN)  # free: its holder died without removing it
    return None


def _advisory_holder(db: Engine) -> Holder | None:
    key = advisory_key(db)
    with db.connect() as conn:
        if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            return None
    return _read_holder(record_path_pg(key)) or Holder(None)


def _read_holder(path: Path) -> Holder | None:
    try:
        return Holder.parse(path.read_text(encoding="utf-8"))
    except OSError:
        return None


def _busy_message(holder: Holder | None, location: str) -> str:
    who = holder.describe() if holder else "another process"
    return (f"another Waymark engine ({who}) is running on {location}; stop it first or "
            "open another workspace")


def _lock_soon(handle) -> bool:
    deadline = time.monotonic() + BUSY_PATIENCE
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(BUSY_PAUSE)


def _still_named(handle, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False
