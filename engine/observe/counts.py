"""A journey version's counts per tile, whether they changed, and the people behind them.

The counts are `engine.store.analytics`'s (the same as `waymark stats`). Everything a
run does moves a counter (inflow, processed, exited, each message's outcome) or sets it
aside after an error, so the sum of a version's counters and the number of runs set
aside make a token that changes whenever the counts can have: two indexed aggregates,
cheap enough to ask four times a second.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from engine.runtime.records import IN_FLIGHT, RunStatus, What
from engine.store import schema as s
from engine.store.analytics import TileStats, version_stats
from engine.store.held_back import write_held_back
from engine.store.times import from_ts

from .stored import as_text, mapping

# The steps that say a person was at a tile, and those that say they left it for good.
_AT_TILE = tuple(w.value for w in What)
_METRIC_STEPS = {"sent": ("sent",), "blocked": ("blocked",), "failed": ("undelivered",),
                 "held": ("held",), "delivered": ("delivered",), "opened": ("opened",),
                 "clicked": ("clicked",), "bounced": ("bounced",),
                 "unsubscribed": ("unsubscribed",)}
METRICS = ("inflow", "processing", "processed", "exited", *_METRIC_STEPS)
_ENDED = (RunStatus.EXITED.value, RunStatus.FAILED.value)


class UnknownMetricError(ValueError):
    """`people_at` was asked for a metric it does not know."""


@dataclass(frozen=True)
class CountsToken:
    """Changes whenever a version's counts can have changed (compare with ==)."""

    counted: int  # the sum of the version's counters
    set_aside: int  # runs set aside after an error, in the whole workspace


@dataclass(frozen=True)
class TileCounts:
    journey_id: str
    version: int
    tiles: dict[str, TileStats]
    goal_met: int
    token: CountsToken


@dataclass(frozen=True)
class PersonAtTile:
    contact_id: str
    run_id: int | None  # None: an entry that was blocked
    tile_id: str | None  # where the person is now (or ended)
    status: str  # the run's status, or "entry blocked"
    reason: str | None  # their last reason: why they ended, wait, were held or blocked
    at: datetime  # when this happened at the tile asked about


def counts_token(conn: Connection, journey_id: str, version: int) -> CountsToken:
    write_held_back(conn)  # inside a simulation's long transaction (`held_back`)
    c = s.counters.c
    counted = conn.execute(select(func.coalesce(func.sum(c.value), 0)).where(
        c.journey_id == journey_id, c.version == version)).scalar_one()
    set_aside = conn.execute(select(func.count()).select_from(s.failures).where(
        s.failures.c.kind == "run")).scalar_one()
    return CountsToken(int(counted), set_aside)


def tile_counts(conn: Connection, journey_id: str, version: int) -> TileCounts:
    """The token first: counts taken after it are at least as new as it says."""
    token = counts_token(conn, journey_id, version)
    stats = version_stats(conn, journey_id, version)
    return TileCounts(journey_id, version, stats.tiles, stats.goal_met, token)


def people_at(conn: Connection, journey_id: str, version: int, tile_id: str, metric: str,
              limit: int = 200, reason: str | None = None) -> list[PersonAtTile]:
    """The people behind a tile's count, newest first: `metric` is one of `METRICS`
    ("processing": waiting here now; "exited": left here, with `reason` narrowing it;
    "inflow": came here; "processed": came here and went on; the message outcomes)."""
    if metric not in METRICS:
        raise UnknownMetricError(f"unknown metric {metric!r}; one of {', '.join(METRICS)}")
    if metric == "processing":
        return _runs_at(conn, journey_id, version, tile_id, [x.value for x in IN_FLIGHT],
                        limit, reason)
    if metric == "exited":
        ended = _runs_at(conn, journey_id, version, tile_id, list(_ENDED), limit, reason)
        blocked = _from_steps(conn, journey_id, version, tile_id, ("entry blocked",), limit,
                              reason)
        return sorted(ended + blocked, key=lambda p: p.at, reverse=True)[:limit]
    whats = _AT_TILE if metric in ("inflow", "processed") else _METRIC_STEPS[metric]
    people = _from_steps(conn, journey_id, version, tile_id, whats,
                         limit * 4 if metric == "processed" else limit, reason)
    if metric == "processed":
        people = [p for p in people if p.tile_id != tile_id or p.status == "completed"]
    return people[:limit]


def _runs_at(conn: Connection, journey_id: str, version: int, tile_id: str,
             statuses: list[str], limit: int, reason: str | None) -> list[PersonAtTile]:
    r = s.runs.c
    query = (select(r.id, r.contact_id, r.tile_id, r.status, r.end_reason, as_text(r.state),
                    r.arrived_at, r.ended_at)
             .where(r.journey_id == journey_id, r.version == version, r.tile_id == tile_id,
                    r.status.in_(statuses))
             .order_by(r.arrived_at.desc()).limit(limit))
    if reason is not None:
        query = query.where(r.end_reason == reason)
    return [PersonAtTile(row.contact_id, row.id, row.tile_id, row.status,
                         row.end_reason or mapping(row.state).get("held"),
                         from_ts(row.ended_at or row.arrived_at)) for row in conn.execute(query)]


def _from_steps(conn: Connection, journey_id: str, version: int, tile_id: str,
                whats: tuple[str, ...], limit: int, reason: str | None) -> list[PersonAtTile]:
    """Newest first, one per run (or per blocked entry). One query per kind of step,
    each read in the order of the trail's (journey, version, tile, what, id) index."""
    rows = heapq.merge(*(_steps_of(conn, journey_id, version, tile_id, what, limit, reason)
                         for what in whats), key=lambda row: -row.id)
    seen: set[Any] = set()
    people = []
    for row in rows:
        key = row.run_id if row.run_id is not None else ("entry", row.id)
        if key in seen:
            continue
        seen.add(key)
        people.append(PersonAtTile(
            row.contact_id, row.run_id, row.tile_id if row.run_id else tile_id,
            row.status or row.what, row.end_reason or row.reason, from_ts(row.at)))
        if len(people) == limit:
            break
    return people


def _steps_of(conn: Connection, journey_id: str, version: int, tile_id: str, what: str,
              limit: int, reason: str | None) -> list[Any]:
    st, r = s.steps.c, s.runs.c
    query = (select(st.id, st.contact_id, st.run_id, st.what, st.reason, st.at,
                    r.tile_id, r.status, r.end_reason)
             .join_from(s.steps, s.runs, r.id == st.run_id, isouter=True)
             .where(st.journey_id == journey_id, st.version == version, st.tile_id == tile_id,
                    st.what == what)
             .order_by(st.id.desc()).limit(limit * 2))  # a run may have two of a kind here
    if reason is not None:
        query = query.where(st.reason == reason)
    return conn.execute(query).all()
