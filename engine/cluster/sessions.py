"""A cluster engine's sessions with PostgreSQL.

An engine that stops answering (paused, cut off from the network) must not keep holding
row locks the others wait for (the shared counters, the leases). PostgreSQL ends a
transaction left idle for 5 s (`idle_in_transaction_session_timeout`) — but arms that
timeout only once the client has synced, and psycopg's `executemany` sends a batch's
statements in pipeline mode: an engine paused in the middle of one would hold its locks
for as long as it stays paused. So each engine's sessions carry its id
(`application_name`), and an engine taking over partitions whose holder went silent
ends that holder's sessions first (`leases.end_sessions_of_the_gone`); the socket's
sessions, which have no engine id to be found by, send `executemany` one statement at a
time instead (a few rows per commit there). Pipelines stay for the engines: sending a
batch's statements one by one cost them a third of their throughput.
"""

from __future__ import annotations

from sqlalchemy import Engine, event

from engine.workspace import Workspace

from .inbox import WorkspaceInbox
from .partitions import IDLE_IN_TRANSACTION_MS

SESSION_PREFIX = "waymark-cluster:"  # + the engine's id: `application_name`


class EngineSessions:
    """The connect hook of one engine's sessions."""

    def __init__(self, engine_id: str) -> None:
        self.name = SESSION_PREFIX + engine_id

    def __call__(self, dbapi_connection, _record) -> None:
        _configure(dbapi_connection, self.name)


def engine_sessions(db: Engine, engine_id: str) -> None:
    _listen(db, EngineSessions(engine_id))


def socket_sessions(db: Engine) -> None:
    _listen(db, _socket_session)


def _listen(db: Engine, hook) -> None:
    event.listen(db, "connect", hook)
    db.dispose()  # connections already open get it when opened again


def _socket_session(dbapi_connection, _record) -> None:
    _configure(dbapi_connection, "waymark-cluster-socket")
    dbapi_connection.cursor_factory = _one_by_one_cursor()


def _configure(dbapi_connection, name: str) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")
        cursor.execute("SELECT set_config('application_name', %s, false)", (name,))
    dbapi_connection.commit()


def _one_by_one_cursor() -> type:
    import psycopg  # the postgres extra; only a cluster's socket gets here

    class OneByOne(psycopg.Cursor):
        def executemany(self, query, params_seq, *, returning: bool = False) -> None:
            if returning:
                super().executemany(query, params_seq, returning=True)
                return
            for params in params_seq:
                self.execute(query, params)

    return OneByOne


def store_in_workspace(workspace: Workspace) -> None:
    """The socket of a cluster engine (in its own process): accepted events go straight
    into the workspace (`WorkspaceInbox`)."""
    socket_sessions(workspace.db)
    workspace.inbox = WorkspaceInbox(workspace.db)
