"""Goals: met once per person and journey."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select

from . import schema as s
from .prepared import Prepared

_MET = Prepared(select(s.goals.c.journey_id).where(
    s.goals.c.journey_id == bindparam("journey_id"),
    s.goals.c.contact_id == bindparam("contact_id")))


def goal_met(conn: Connection, journey_id: str, contact_id: str) -> bool:
    return _MET.first(conn, {"journey_id": journey_id, "contact_id": contact_id}) is not None


def goals_by_version(conn: Connection, journey_id: str) -> dict[int, int]:
    g = s.goals.c
    rows = conn.execute(select(g.version, func.count()).where(g.journey_id == journey_id)
                        .group_by(g.version))
    return {version: count for version, count in rows}
