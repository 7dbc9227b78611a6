"""Small facts about the workspace: its random identity, when versions last changed
(engines reload then), how far the ingestion inbox has been imported."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import Connection, select

from . import schema as s
from .prepared import Prepared
from .upsert import insert_if_absent, upsert

VERSIONS_CHANGED = "versions_changed"
WORKSPACE_ID = "workspace_id"

_WORKSPACE_ID = Prepared(select(s.meta.c.value).where(s.meta.c.key == WORKSPACE_ID))


def workspace_id(conn: Connection) -> str:
    """The workspace's random identity (16 hex digits), made on first use and kept.

    Call it in a writing transaction: the first caller stores one; a caller racing it
    inserts nothing and reads the winner's. A copy of the file keeps the identity; a
    workspace made again gets a new one.
    """
    found = _WORKSPACE_ID.scalar(conn)
    if found is None:
        insert_if_absent(conn, s.meta, {"key": WORKSPACE_ID}, {"value": secrets.token_hex(8)})
        found = _WORKSPACE_ID.scalar(conn)
    return found


def bump_versions(conn: Connection) -> None:
    upsert(conn, s.meta, {"key": VERSIONS_CHANGED}, {"value": repr(time.time())})


_VERSIONS_CHANGED = Prepared(select(s.meta.c.value).where(s.meta.c.key == VERSIONS_CHANGED))


def versions_changed(conn: Connection) -> str | None:
    """Asked before every round of the runtime (another process may have published)."""
    return _VERSIONS_CHANGED.scalar(conn)


INBOX_IMPORTED = "inbox_imported"


def inbox_imported(conn: Connection, identity: str) -> int:
    """How far the events of the inbox `identity` have been imported (0: not at all)."""
    value = conn.execute(select(s.meta.c.value).where(s.meta.c.key == INBOX_IMPORTED)).scalar()
    seen, _, last = (value or "").partition(" ")
    return int(last) if seen == identity else 0


def set_inbox_imported(conn: Connection, identity: str, last_id: int) -> None:
    upsert(conn, s.meta, {"key": INBOX_IMPORTED}, {"value": f"{identity} {last_id}"})


ACCEPTED = "accepted_today"


def add_accepted(conn: Connection, day: str, count: int) -> None:
    """Events the socket accepted, imported on `day` (the engine machine's local date,
    YYYY-MM-DD): one row, started again each day, for the studio's status bar."""
    seen, _, before = (_ACCEPTED.scalar(conn) or "").partition(" ")
    total = (int(before) if seen == day else 0) + count
    upsert(conn, s.meta, {"key": ACCEPTED}, {"value": f"{day} {total}"})


def accepted_on(conn: Connection, day: str) -> int:
    seen, _, count = (_ACCEPTED.scalar(conn) or "").partition(" ")
    return int(count) if seen == day else 0


_ACCEPTED = Prepared(select(s.meta.c.value).where(s.meta.c.key == ACCEPTED))
