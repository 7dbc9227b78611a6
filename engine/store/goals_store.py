"""Goals: met once per person and journey."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from . import schema as s


def goal_met(conn: Connection, journey_id: str, contact_id: str) -> bool:
    g = s.goals.c
    return conn.execute(select(g.journey_id).where(
        g.journey_id == journey_id, g.contact_id == contact_id)).first() is not None


def goals_by_version(conn: Connection, journey_id: str) -> dict[int, int]:
    g = s.goals.c
    rows = conn.execute(select(g.version, func.count()).where(g.journey_id == journey_id)
                        .group_by(g.version))
    return {version: count for version, count in rows}
