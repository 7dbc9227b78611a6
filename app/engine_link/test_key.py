"""The ingestion key the studio fires test triggers with.

Made on first use (`engine.ingestion.keys`, named "studio (test triggers) · pid N on
HOST"), kept in memory only, and revoked when the engine stops or the studio closes. It
is never shown, logged or put on the clipboard: the curl command the fire dialog offers
reads `$WAYMARK_KEY` instead.

A studio that was killed could not revoke its key, and nobody holds its secret any more
(it was in that process's memory only): making a key, a studio revokes the keys of
studios gone from this machine (their pid runs no more; keys of older studios, which
named no pid, too). Another machine's studio on a shared workspace keeps its key.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import threading

from sqlalchemy import Connection, Engine

from engine.ingestion import keys
from engine.store.database import writing

KEY_NAME = "studio (test triggers)"
_OWNER = re.compile(re.escape(KEY_NAME) + r"(?: · pid (?P<pid>\d+) on (?P<host>.+))?$")


class StudioKey:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._id: str | None = None
        self._plain: str | None = None

    def get(self, db: Engine) -> str:
        """The key (made now if there is none); any thread."""
        with self._lock:
            if self._plain is None:
                with writing(db) as conn:
                    revoke_left_behind(conn)
                    info, self._plain = keys.create_key(conn, own_key_name())
                self._id = info.id
            return self._plain

    @property
    def id(self) -> str | None:
        return self._id

    def revoke(self, db: Engine) -> None:
        with self._lock:
            if self._id is not None:
                with writing(db) as conn:
                    keys.revoke_key(conn, self._id)
            self._id = self._plain = None

    def __repr__(self) -> str:  # never the key itself, not even in a traceback's locals
        return f"StudioKey(id={self._id!r})"


def own_key_name() -> str:
    return f"{KEY_NAME} · pid {os.getpid()} on {socket.gethostname()}"


def revoke_left_behind(conn: Connection) -> list[str]:
    """Revoke the active test-trigger keys of studios gone from this machine; their ids."""
    gone = []
    for key in keys.list_keys(conn):
        owner = _OWNER.match(key.name)
        if key.active and owner is not None and _gone(owner):
            keys.revoke_key(conn, key.id)
            gone.append(key.id)
    return gone


def _gone(owner: re.Match[str]) -> bool:
    if owner["pid"] is None:
        return True  # an older studio's: it named no pid, and it can no longer be told
    if owner["host"] != socket.gethostname() or sys.platform == "win32":
        return False  # another machine's studio; on Windows os.kill(pid, 0) would kill it
    try:
        os.kill(int(owner["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False
