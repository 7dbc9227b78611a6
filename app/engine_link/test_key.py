"""The ingestion key the studio fires test triggers with.

Made on first use (`engine.ingestion.keys`, named "studio (test triggers)"), kept in
memory only, and revoked when the engine stops or the studio closes. It is never shown,
logged or put on the clipboard: the curl command the fire dialog offers reads
`$WAYMARK_KEY` instead.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from engine.ingestion import keys
from engine.store.database import writing

KEY_NAME = "studio (test triggers)"


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
                    info, self._plain = keys.create_key(conn, KEY_NAME)
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
