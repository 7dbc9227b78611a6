"""Small facts about the workspace: when versions last changed (engines reload then)."""

from __future__ import annotations

import time

from sqlalchemy import Connection, select

from . import schema as s
from .upsert import upsert

VERSIONS_CHANGED = "versions_changed"


def bump_versions(conn: Connection) -> None:
    upsert(conn, s.meta, {"key": VERSIONS_CHANGED}, {"value": repr(time.time())})


def versions_changed(conn: Connection) -> str | None:
    return conn.execute(select(s.meta.c.value).where(s.meta.c.key == VERSIONS_CHANGED)).scalar()
