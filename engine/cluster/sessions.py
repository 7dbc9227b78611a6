"""A cluster engine's sessions with PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, event

from engine.workspace import Workspace

from .inbox import WorkspaceInbox
from .partitions import IDLE_IN_TRANSACTION_MS


def end_stalled_transactions(db: Engine) -> None:
    """Sessions of a cluster engine: PostgreSQL ends a transaction left idle (its engine
    paused or cut off) after a few seconds, releasing its locks on the leases."""
    if not event.contains(db, "connect", _time_out_idle_transactions):
        event.listen(db, "connect", _time_out_idle_transactions)
        db.dispose()  # connections already open get it when opened again


def _time_out_idle_transactions(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")
    dbapi_connection.commit()
    dbapi_connection.cursor_factory = _one_by_one_cursor()


def _one_by_one_cursor() -> type:
    """psycopg's `executemany` sends its statements in pipeline mode, and PostgreSQL arms
    the idle-in-transaction timeout only once a pipeline is synced: an engine paused in the
    middle of one (a batch's UPDATEs) would hold its locks for as long as it stays paused,
    and every other engine waiting on them with it. So a cluster engine's sessions send
    such statements one at a time (a round trip each, a fraction of a millisecond near
    the server)."""
    import psycopg  # the postgres extra; only a cluster engine gets here

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
    end_stalled_transactions(workspace.db)
    workspace.inbox = WorkspaceInbox(workspace.db)
