"""Analytics per journey version and tile, from the counters and the runs in flight."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from engine.runtime.records import IN_FLIGHT

from . import counters_store, goals_store
from . import schema as s
from .journeys_store import TEST_VERSION

MESSAGE_METRICS = ("sent", "delivered", "opened", "clicked", "bounced", "unsubscribed")


@dataclass
class TileStats:
    tile_id: str
    inflow: int = 0
    processing: int = 0
    processed: int = 0
    exited: dict[str, int] = field(default_factory=dict)  # reason -> people
    messages: dict[str, int] = field(default_factory=dict)  # sent, opened...
    blocked: dict[str, int] = field(default_factory=dict)  # reason -> messages
    failed: dict[str, int] = field(default_factory=dict)
    set_aside: int = 0  # runs stopped here by an error, until retried (`waymark events`)

    @property
    def exited_total(self) -> int:
        return sum(self.exited.values())

    @property
    def balanced(self) -> bool:
        """At rest, everyone who came in is still here, went on, left, or was set aside."""
        return self.inflow == (self.processing + self.processed + self.exited_total
                               + self.set_aside)


@dataclass(frozen=True)
class FailureCounts:
    """Events and runs set aside because processing them raised, in the whole workspace."""

    events: int = 0
    runs: int = 0

    @property
    def total(self) -> int:
        return self.events + self.runs

    def describe(self) -> str:
        if not self.total:
            return "nothing set aside after an error"
        return (f"set aside after an error: {self.events} event(s), {self.runs} run(s) — "
                "`waymark events failed` lists them")


@dataclass
class VersionStats:
    version: int
    tiles: dict[str, TileStats] = field(default_factory=dict)
    goal_met: int = 0

    def tile(self, tile_id: str) -> TileStats:
        return self.tiles.setdefault(tile_id, TileStats(tile_id))


def journey_stats(conn: Connection, journey_id: str) -> dict[int, VersionStats]:
    """Every published version's stats; a journey's test version is never among them
    (`version_stats(conn, journey_id, TEST_VERSION)` has its own)."""
    return _stats(conn, journey_id, None)


def version_stats(conn: Connection, journey_id: str, version: int) -> VersionStats:
    """One version's stats (the test version's too)."""
    return _stats(conn, journey_id, version).get(version) or VersionStats(version)


def _stats(conn: Connection, journey_id: str, only: int | None) -> dict[int, VersionStats]:
    versions: dict[int, VersionStats] = defaultdict(lambda: VersionStats(0))
    for version, tile_id, metric, reason, value in counters_store.counters_of(
            conn, journey_id, only):
        stats = versions[version]
        stats.version = version
        if tile_id == "":
            if metric == "goal_met":
                stats.goal_met += value
            continue
        _add(stats.tile(tile_id), metric, reason, value)
    for version, tile_id, count in _in_flight(conn, journey_id, only):
        versions[version].version = version
        versions[version].tile(tile_id).processing = count
    for version, tile_id, count in _set_aside(conn, journey_id, only):
        versions[version].version = version
        versions[version].tile(tile_id).set_aside = count
    goals = goals_store.goals_by_version(conn, journey_id)
    for version, count in goals.items():
        if only is None or version == only:
            versions[version].goal_met = count
    if only is None:
        versions.pop(TEST_VERSION, None)
    return dict(sorted(versions.items()))


def _add(tile: TileStats, metric: str, reason: str, value: int) -> None:
    if metric in ("inflow", "processed"):
        setattr(tile, metric, getattr(tile, metric) + value)
    elif metric == "exited":
        tile.exited[reason] = tile.exited.get(reason, 0) + value
    elif metric == "blocked":
        tile.blocked[reason] = tile.blocked.get(reason, 0) + value
    elif metric == "failed":
        tile.failed[reason] = tile.failed.get(reason, 0) + value
    elif metric in MESSAGE_METRICS:
        tile.messages[metric] = tile.messages.get(metric, 0) + value


def _in_flight(conn: Connection, journey_id: str, only: int | None
               ) -> list[tuple[int, str, int]]:
    r = s.runs.c
    query = select(r.version, r.tile_id, func.count()).where(
        r.journey_id == journey_id, r.status.in_([x.value for x in IN_FLIGHT]))
    if only is not None:
        query = query.where(r.version == only)
    return [tuple(row) for row in conn.execute(query.group_by(r.version, r.tile_id))]


def _set_aside(conn: Connection, journey_id: str, only: int | None
               ) -> list[tuple[int, str, int]]:
    r, f = s.runs.c, s.failures.c
    query = (select(r.version, r.tile_id, func.count())
             .join_from(s.runs, s.failures, (f.kind == "run") & (f.item_id == r.id))
             .where(r.journey_id == journey_id))
    if only is not None:
        query = query.where(r.version == only)
    return [tuple(row) for row in conn.execute(query.group_by(r.version, r.tile_id))]


def failure_counts(conn: Connection) -> FailureCounts:
    """For `waymark stats` and the studio: how many events and runs wait for a retry."""
    counts = dict(conn.execute(select(s.failures.c.kind, func.count())
                               .group_by(s.failures.c.kind)).all())
    return FailureCounts(events=counts.get("event", 0), runs=counts.get("run", 0))
