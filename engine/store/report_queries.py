"""Timestamped analytics of one journey over a period, from the trail and the goals.

The counters (`analytics`) have no time; the trail (`steps`) has one row per step and per
message outcome with its time, so messages over time, the reasons messages were blocked
or held, and the people who entered in a period come from it. A journey's test version
never counts. Each function is one grouped query over the steps index
(journey_id, what, at, version) — see `tests/perf/test_dashboard_perf.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Integer, cast, func, select

from . import schema as s
from .journeys_store import TEST_VERSION

# the trail's words for what happened to messages, in the order a chart stacks them
MESSAGE_STEPS = ("sent", "delivered", "opened", "clicked", "bounced", "blocked",
                 "unsubscribed")
REASON_STEPS = ("blocked", "held", "entry blocked")


@dataclass(frozen=True)
class Period:
    """[start, end) in epoch seconds, either end open; `offset` (seconds east of UTC)
    puts day buckets on the reader's midnight."""

    start: float | None = None
    end: float | None = None
    offset: float = 0.0


def _steps_where(journey_id: str, version: int | None, period: Period) -> list:
    c = s.steps.c
    where = [c.journey_id == journey_id, c.version != TEST_VERSION]
    if version is not None:
        where.append(c.version == version)
    if period.start is not None:
        where.append(c.at >= period.start)
    if period.end is not None:
        where.append(c.at < period.end)
    return where


def message_series(conn: Connection, journey_id: str, version: int | None, period: Period,
                   width: int) -> list[tuple[int, float, str, int]]:
    """(version, bucket start, what, count) for the message steps, `width` seconds wide."""
    c = s.steps.c
    bucket = cast(func.floor((c.at + period.offset) / width), Integer)
    query = (select(c.version, bucket, c.what, func.count())
             .where(*_steps_where(journey_id, version, period), c.what.in_(MESSAGE_STEPS))
             .group_by(c.version, bucket, c.what))
    return [(v, b * width - period.offset, what, n) for v, b, what, n in conn.execute(query)]


def reasons(conn: Connection, journey_id: str, version: int | None, period: Period
            ) -> list[tuple[int, str, str, str, int]]:
    """(version, what, tile_id, reason, count): messages blocked or held, entries blocked."""
    c = s.steps.c
    query = (select(c.version, c.what, c.tile_id, c.reason, func.count())
             .where(*_steps_where(journey_id, version, period), c.what.in_(REASON_STEPS))
             # in this order: grouped by version first, SQLite would walk the journey's
             # whole (journey, version, tile, what) index for its order, not the period
             .group_by(c.what, c.reason, c.tile_id, c.version))
    return [(v, what, tile or "", reason or "", n) for v, what, tile, reason, n
            in conn.execute(query)]


def entered(conn: Connection, journey_id: str, version: int | None, period: Period
            ) -> dict[int, int]:
    """People who entered in the period, per version."""
    c = s.steps.c
    query = (select(c.version, func.count())
             .where(*_steps_where(journey_id, version, period), c.what == "entered")
             .group_by(c.version))
    return dict(conn.execute(query).all())


def goals_met(conn: Connection, journey_id: str, version: int | None, period: Period
              ) -> dict[int, int]:
    """Goals met in the period, per version (a goal counts once per person)."""
    g = s.goals.c
    where = [g.journey_id == journey_id, g.version != TEST_VERSION]
    if version is not None:
        where.append(g.version == version)
    if period.start is not None:
        where.append(g.met_at >= period.start)
    if period.end is not None:
        where.append(g.met_at < period.end)
    query = select(g.version, func.count()).where(*where).group_by(g.version)
    return dict(conn.execute(query).all())
