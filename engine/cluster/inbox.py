"""Where a cluster engine's socket puts accepted events: straight into the workspace.

PostgreSQL has no single write lock to wait for, and an event committed there is
processed by whichever engine holds its person, even if the engine that answered 202
dies the next moment. The same transaction NOTIFYs every engine's runtime.

`WorkspaceInbox` has the local inbox's interface (`engine.store.inbox.Inbox`), with
nothing ever to import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, text

from engine.store import events_store, meta_store
from engine.store.database import reading, writing
from engine.store.inbox import Inbox, inbox_path

from .partitions import ClusterError

_NOTIFY = text("SELECT pg_notify('waymark_events', '')")


class WorkspaceInbox:
    identity = "the workspace itself"  # no local inbox: nothing to import, nothing to prune

    def __init__(self, db: Engine) -> None:
        self.db = db

    def add(self, events: Iterable[Any], now: float, known: dict[str, int]
            ) -> list[tuple[int, bool]]:
        """As `Inbox.add`: (receipt, duplicate?) per event, committed in the workspace."""
        events = list(events)
        fresh = [e for e in events if e.message_id is None or e.message_id not in known]
        with writing(self.db) as conn:
            stored = iter(events_store.insert_events(conn, fresh, now))
            if fresh:
                conn.execute(_NOTIFY)
        return [(known[e.message_id], True) if e.message_id is not None
                and e.message_id in known else next(stored) for e in events]

    def prune(self, _imported: int, _limit: int) -> int:
        return 0

    def after(self, _imported: int, _limit: int) -> list:
        return []

    def last_id(self) -> int:
        return 0

    def checkpoint_in_background(self, every: float = 0.5) -> None:
        pass

    def stop_checkpoints(self) -> None:
        pass

    def close(self) -> None:
        pass


def refuse_unimported_inbox(db: Engine) -> None:
    """A single engine on this machine may have left accepted events in its local inbox;
    a cluster engine would never import them."""
    path = inbox_path(db.url.render_as_string(hide_password=False))
    if not path.exists():
        return
    inbox = Inbox(path)
    try:
        with reading(db) as conn:
            imported = meta_store.inbox_imported(conn, inbox.identity)
        waiting = inbox.last_id() - imported
    finally:
        inbox.close()
    if waiting > 0:
        raise ClusterError(f"{path} holds {waiting} event(s) a single engine accepted and "
                           "did not import yet; run `waymark serve` without --cluster once "
                           "to import them, then start the cluster")
