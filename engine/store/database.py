"""Opening a workspace database: SQLite file (WAL) by default, PostgreSQL by URL.

A workspace made by a newer Waymark, or a file that is not a workspace, is refused
with a message and never modified. An older workspace is migrated with Alembic.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from .checkpoints import KEEP_LOG_SMALL, NO_AUTOCHECKPOINT
from .held_back import holding
from .json_text import dumps, loads
from .wal_guard import detached, watch_log

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revisions, oldest first, read from the migrations' file names ("0008_cluster.py" is
# revision "0008"; a test holds them to alembic's own chain). Opening a workspace that is
# up to date needs no more, so alembic — a sixth of every `waymark` command's start — is
# only imported to migrate.
REVISIONS = tuple(sorted(p.name.split("_")[0]
                         for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")))


class WorkspaceError(RuntimeError):
    """A workspace that cannot be opened, and why."""


class WorkspaceDetachedError(WorkspaceError):
    """The workspace's write-ahead log is no longer the one this process writes to (see
    `wal_guard`): nothing more is read or written until it is opened again."""


# PostgreSQL's SQLSTATEs of a session it ended or would not open: a connection exception
# (08) or an operator's intervention (57P01-57P03: shutting down, crashed, starting up).
_AWAY = ("08", "57P")


def database_away(error: BaseException) -> str | None:
    """Why the database cannot be worked with just now, in one line, when that is what
    `error` is: the session was ended (by a cluster engine after this one went silent, by
    the idle-in-transaction timeout, by a restart), or none can be opened (the server is
    down or restarting). None for anything else (SQLite's own errors included)."""
    if not isinstance(error, DBAPIError) or isinstance(error.orig, sqlite3.Error):
        return None
    reason = str(error.orig).strip().splitlines()[0] if error.orig else "connection lost"
    if error.connection_invalidated:
        return f"the database ended this engine's session ({reason})"
    state = getattr(error.orig, "sqlstate", None)
    if isinstance(error, OperationalError) and (state is None or state.startswith(_AWAY)):
        return f"the database cannot be reached ({reason})"
    return None


def default_workspace_path() -> Path:
    return user_data_path("waymark", appauthor=False) / "default.waymark"


def database_url(location: str | Path) -> str:
    text = str(location)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def describe(url: str) -> str:
    """A location people recognise: the file path, or the URL without its password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver's own implicit BEGIN is turned off: `_begin` below emits it, so SAVEPOINTs
    # work and write transactions can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at every commit in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute(KEEP_LOG_SMALL)
    cursor.close()


def _not_durable(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")
    # A savepoint copies each page it changes first, to a temporary file unless told
    # otherwise: the runtime takes one per batch inside a simulated moment's transaction.
    dbapi_connection.execute("PRAGMA temp_store=MEMORY")
    # A simulated moment's reads find the pages it just wrote: with SQLite's default 2 MB
    # cache a large simulation (a ledger of rendered messages) reads them back from the
    # file. Up to 256 MB, taken only as the workspace grows.
    dbapi_connection.execute("PRAGMA cache_size=-262144")


def _begin(connection: Connection) -> None:
    """Reads begin deferred (never blocking in WAL mode); writes take the write lock first.

    A deferred transaction that reads and then writes fails at once ("database is
    locked", no waiting) when another writer committed in between; BEGIN IMMEDIATE
    waits for the lock instead (busy_timeout) and then cannot fail that way.
    """
    _refuse_when_detached(connection)
    options = connection.get_execution_options()
    if not options.get("write", False):
        connection.exec_driver_sql("BEGIN")
    elif options.get("eager", False):
        _begin_eagerly(connection.connection.driver_connection)
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _refuse_when_detached(connection: Connection) -> None:
    if detached(connection.connection.info):
        path = describe(connection.engine.url.render_as_string())
        raise WorkspaceDetachedError(
            f"{path} was changed behind this program's back: its write-ahead log "
            f"({Path(path).name}-wal) was deleted or replaced by another process, so "
            "nothing written here would reach the workspace any more; nothing more was "
            "written. Close the workspace and open it again: what was saved before is in "
            "it.")


def _begin_eagerly(raw: sqlite3.Connection, timeout: float = 10.0) -> None:
    """BEGIN IMMEDIATE, asking again every half millisecond while another writer holds it.

    SQLite's own busy handler sleeps ever longer between tries (up to 100 ms) and so
    misses the short gaps between other writers' transactions. Engines made with
    `db.execution_options(eager=True)` ask this way: the ingestion socket (a client
    waits for its commit) and, in `serve`, the runtime and delivery threads.
    """
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.0005)
    finally:
        raw.execute("PRAGMA busy_timeout=10000")


def create_db_engine(url: str, *, durable: bool = True) -> Engine:
    """`durable=False` (simulations, which can always be run again) lets SQLite skip
    flushing to disk at checkpoints: a quarter of a simulation's time went there."""
    if url.startswith("sqlite"):
        # A pool keeps connections open: opening one runs the PRAGMAs, and closing the
        # last one checkpoints the WAL, both far too slow to do per transaction.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10},
                               pool_size=8, max_overflow=8, pool_timeout=60,
                               json_serializer=dumps, json_deserializer=loads)
        event.listen(engine, "connect", _sqlite_pragmas)
        if not durable:
            event.listen(engine, "connect", _not_durable)
        event.listen(engine, "begin", _begin)
        if engine.url.database and engine.url.database != ":memory:":
            watch_log(engine, Path(engine.url.database))
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=dumps,
                         json_deserializer=loads)


def _no_autocheckpoint(dbapi_connection, _record) -> None:
    dbapi_connection.execute(NO_AUTOCHECKPOINT)


def leave_checkpoints(db: Engine, to_checkpointer: bool = True) -> None:
    """Tell this engine's SQLite connections whether to leave checkpoints to a
    `Checkpointer` (see `checkpoints`) or to do them in their own commits again.

    A no-op for other databases. The pool's idle connections are closed so that new ones
    are opened with the setting; one checked out now keeps its own until it is closed.
    """
    if db.dialect.name != "sqlite":
        return
    listening = event.contains(db, "connect", _no_autocheckpoint)
    if to_checkpointer and not listening:
        event.listen(db, "connect", _no_autocheckpoint)
    elif not to_checkpointer and listening:
        event.remove(db, "connect", _no_autocheckpoint)
    else:
        return
    db.dispose()


_SHARED: ContextVar[Connection | None] = ContextVar("waymark_shared_transaction", default=None)
_REDOABLE: ContextVar[Connection | None] = ContextVar("waymark_redoable", default=None)


def _shared(db: Engine) -> Connection | None:
    connection = _SHARED.get()
    return connection if connection is not None and connection.engine is db else None


def in_shared_transaction(db: Engine) -> bool:
    """Inside `one_transaction(db)`: an exception will not roll anything back by itself."""
    return _shared(db) is not None


def in_redoable_transaction(db: Engine) -> bool:
    """Inside `one_transaction(db, redoable=True)`: whoever opened it can do it all again."""
    shared = _shared(db)
    return shared is not None and _REDOABLE.get() is shared


@contextmanager
def writing(db: Engine) -> Iterator[Connection]:
    """A transaction that will write: commits on success, rolls back on an exception.

    Inside `one_transaction(db)` it joins that transaction instead. On an engine made
    with `db.execution_options(eager=True)` it takes SQLite's write lock at the first
    chance (see `_begin_eagerly`).
    """
    shared = _shared(db)
    if shared is not None:
        yield shared
        return
    with db.connect() as connection:
        connection.execution_options(write=True)
        with connection.begin():
            yield connection


@contextmanager
def reading(db: Engine) -> Iterator[Connection]:
    """A read; inside `one_transaction(db)` it sees that transaction's own writes."""
    shared = _shared(db)
    if shared is not None:
        yield shared
        return
    with db.connect() as connection:
        yield connection


@contextmanager
def one_transaction(db: Engine, *, redoable: bool = False) -> Iterator[Connection]:
    """Everything `writing` and `reading` do inside, in one transaction on this thread.

    The simulator runs its simulated moments this way, thousands to a transaction: with
    no crash to survive, fewer commits are the same outcome, faster. Counter additions
    are held back to its end (`held_back`).

    `redoable`: the caller can roll the whole transaction back and do it again, as the
    simulator can. A runtime batch then takes no savepoint of its own (a tenth of a
    simulation's time): one that fails raises `isolation.Redo` out of the transaction
    instead of being undone alone (`engine.runtime.isolation`).
    """
    with writing(db) as connection, holding(connection):
        token = _SHARED.set(connection)
        redo = _REDOABLE.set(connection if redoable else None)
        try:
            yield connection
        finally:
            _REDOABLE.reset(redo)
            _SHARED.reset(token)


def _check_file(path: Path, create: bool) -> None:
    """Whether it is an SQLite file at all is for SQLite to say (`_read_sqlite_revision`):
    reading its header here would open and close the file, and closing any descriptor of
    it releases this process's SQLite locks on it, should it have the workspace open
    already (see `wal_guard`)."""
    if not path.exists():
        if not create:
            raise WorkspaceError(f"no workspace at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)


def head_revision() -> str:
    return REVISIONS[-1]


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _read_revision(engine: Engine) -> tuple[str | None, set[str]]:
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        current = None
        if "alembic_version" in tables:
            current = connection.execute(text("SELECT version_num FROM alembic_version")
                                         ).scalar()
        return current, tables


def _read_sqlite_revision(path: Path) -> tuple[str | None, set[str]]:
    """Read-only, before any PRAGMA (switching to WAL would already change the file)."""
    if not path.exists():
        return None, set()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        current = None
        if "alembic_version" in tables:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
            current = row[0] if row else None
        return current, tables
    finally:
        db.close()


def _check_revision(current: str | None, tables: set[str], location: str) -> None:
    if current is None and tables:
        raise WorkspaceError(f"{location} holds a database that is not a Waymark workspace; "
                             "it was left untouched")
    if current is not None and current not in REVISIONS:
        raise WorkspaceError(f"{location} was made by a newer Waymark (schema {current}); "
                             "upgrade Waymark to open it. It was left untouched")


def open_database(location: str | Path, *, create: bool = True, durable: bool = True
                  ) -> Engine:
    url = database_url(location)
    sqlite_file = url.startswith("sqlite:///") and ":memory:" not in url
    try:
        if sqlite_file:
            path = Path(url.removeprefix("sqlite:///"))
            _check_file(path, create)
            current, tables = _read_sqlite_revision(path)
            _check_revision(current, tables, describe(url))
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"{describe(url)} is not a Waymark workspace ({exc}); "
                             "it was left untouched") from None
    engine = create_db_engine(url, durable=durable)
    try:
        if not sqlite_file:
            current, tables = _read_revision(engine)
            _check_revision(current, tables, describe(url))
        if current != head_revision():
            upgrade(engine)
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        raise WorkspaceError(f"{describe(url)} cannot be opened as a workspace: "
                             f"{exc.orig or exc}") from None
    except WorkspaceError:
        engine.dispose()
        raise
    return engine
