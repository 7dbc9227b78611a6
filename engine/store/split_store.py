"""Split by count: arms fill left to right."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from . import schema as s
from .upsert import add_to


def take_arm(conn: Connection, journey_id: str, version: int, tile: Any) -> str | None:
    """The first arm with room (the last arm without a count takes everyone else)."""
    c = s.split_fill.c
    taken = dict(conn.execute(select(c.arm_id, c.taken).where(
        c.journey_id == journey_id, c.version == version, c.tile_id == tile.id)).all())
    for arm in tile.arms:
        if arm.count is None or taken.get(arm.id, 0) < arm.count:
            add_to(conn, s.split_fill, {"journey_id": journey_id, "version": version,
                                        "tile_id": tile.id, "arm_id": arm.id}, "taken", 1)
            return arm.id
    return None
