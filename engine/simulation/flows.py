"""Who went where in a finished simulation: each run's tiles, when it reached each, and
the edges it took, read from its steps in the order they were recorded.

A run is at a tile from the first step it takes there until its first step at the next
tile (or until it ended; an unfinished run is still there). The port it left a tile by
is the one its `branched` step there took, else "next"; each move is checked against the
edges of the run's version, and a move across tiles that left no step of their own is
walked along "next". Message outcomes (delivered, opened …) are kept in the trail at the
message's tile, not where the person is, so they never move anyone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select

from engine.model import Journey, bundle_from_data
from engine.runtime.records import MessageOutcome, What
from engine.store import schema as s
from engine.store.journeys_store import version_rows
from engine.store.prepared import Prepared

STILL_THERE = math.inf  # an unfinished run's time of leaving its tile
_OUTCOMES = frozenset(outcome.value for outcome in MessageOutcome)
_BRANCHED, _ENTRY_BLOCKED = What.BRANCHED.value, What.ENTRY_BLOCKED.value

Move = tuple[str, str, str]  # source, port, target


class FlowError(ValueError):
    """A run's steps went from one tile to another that no edge of its version joins."""


@dataclass(frozen=True)
class EdgeFlow:
    source: str
    port: str
    target: str
    people: int  # runs that took the edge (a run counts once per edge)

    def to_dict(self) -> dict[str, str | int]:
        return {"source": self.source, "port": self.port, "target": self.target,
                "people": self.people}


@dataclass(slots=True)
class RunTrace:
    run_id: int
    person: str
    version: int
    tiles: list[str]  # in the order reached; the last is where the run is or ended
    arrivals: list[float]  # when it reached each (epoch seconds)
    edges: list[Move] = field(default_factory=list)
    port: str | None = None  # the output its last `branched` step at its tile took
    left: float = STILL_THERE  # when it ended
    status: str = ""  # its `RunStatus` at the end of the simulation
    end_reason: str | None = None

    @property
    def tile(self) -> str:
        return self.tiles[-1]

    def stays(self) -> list[tuple[str, float, float]]:
        """(tile, arrived, left) for each tile it stayed at for some time."""
        ends = [*self.arrivals[1:], self.left]
        return [(tile, came, went) for tile, came, went in
                zip(self.tiles, self.arrivals, ends, strict=True) if went > came]


class Graphs:
    """Each published version's edges, as `(source, port) -> target`."""

    def __init__(self, conn: Connection, journey_id: str) -> None:
        self.journeys: dict[int, Journey] = {
            row.version: bundle_from_data(row.snapshot, f"{journey_id} v{row.version}",
                                          stored=True).journey
            for row in version_rows(conn, journey_id)}
        self._following = {number: {(e.source, e.port): e.target for e in journey.edges}
                           for number, journey in self.journeys.items()}
        self._paths: dict[tuple[int, str, str, str], list[Move] | None] = {}

    def path(self, version: int, source: str, port: str, target: str) -> list[Move] | None:
        """The edges from `source` by `port` to `target`, through tiles that left no step
        (those are left by "next"); None when there is no such path. Each asked once."""
        key = (version, source, port, target)
        if key not in self._paths:
            self._paths[key] = self._walk(version, source, port, target)
        return self._paths[key]

    def _walk(self, version: int, source: str, port: str, target: str) -> list[Move] | None:
        following = self._following.get(version, {})
        moves: list[Move] = []
        tile = source
        while len(moves) <= len(following):
            after = following.get((tile, port))
            if after is None:
                return None
            moves.append((tile, port, after))
            if after == target:
                return moves
            tile, port = after, "next"
        return None

    def edge_order(self) -> dict[Move, int]:
        """Every edge of every version, the newest version's order first."""
        order: dict[Move, int] = {}
        for journey in reversed(list(self.journeys.values())):
            for edge in journey.edges:
                order.setdefault((edge.source, edge.port, edge.target), len(order))
        return order


@dataclass
class Flows:
    runs: dict[int, RunTrace] = field(default_factory=dict)
    steps: Counter[str] = field(default_factory=Counter)  # person -> steps in the trail
    # person -> their last entry refusal: why, and the tile (the start) that refused them
    blocked: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    edge_order: dict[Move, int] = field(default_factory=dict)
    journeys: dict[int, Journey] = field(default_factory=dict)  # each published version

    def edges(self) -> list[EdgeFlow]:
        """Every edge of the journey (none taken: 0 people), then any taken by a version
        the newest one no longer has; in the journey's order."""
        taken: Counter[Move] = Counter()
        for run in self.runs.values():
            taken.update(set(run.edges))
        order = dict(self.edge_order)
        for move in taken:
            order.setdefault(move, len(order))
        return [EdgeFlow(*move, taken[move]) for move in sorted(order, key=order.__getitem__)]


def read_flows(conn: Connection, journey_id: str) -> Flows:
    """Two reads: the journey's steps in the order recorded, then its runs' ends. The
    loop is the whole cost for a big audience (750,000 steps), so it stays flat."""
    graphs = Graphs(conn, journey_id)
    flows = Flows(edge_order=graphs.edge_order(), journeys=graphs.journeys)
    steps, runs = flows.steps, flows.runs
    for run_id, person, version, at, what, tile, branch, reason in _steps(conn, journey_id):
        steps[person] += 1
        if run_id is None:
            if what == _ENTRY_BLOCKED:
                flows.blocked[person] = (reason or "", tile)
            continue
        if tile is None or what in _OUTCOMES:
            continue
        trace = runs.get(run_id)
        if trace is None:
            trace = runs[run_id] = RunTrace(run_id, person, version, [tile], [at])
        elif tile != trace.tiles[-1]:
            _move(trace, graphs, tile, at)
        if what == _BRANCHED:
            trace.port = branch
    _ends(conn, journey_id, runs, graphs)
    return flows


_st = s.steps.c
# In the table's own order, filtered as it goes: through an index on the journey every
# step would be sorted again by id first (1.9 s against 0.2 s for 750,000).
_STEPS = Prepared(select(_st.run_id, _st.contact_id, _st.version, _st.at, _st.what,
                         _st.tile_id, _st.branch, _st.reason)
                  .where(_st.journey_id.concat("") == bindparam("journey")).order_by(_st.id))


def _steps(conn: Connection, journey_id: str) -> Iterable[Any]:
    return _STEPS.stream(conn, {"journey": journey_id})


def _move(trace: RunTrace, graphs: Graphs, tile: str, at: float) -> None:
    port = trace.port or "next"
    moves = graphs.path(trace.version, trace.tile, port, tile)
    if moves is None:
        raise FlowError(f"run {trace.run_id} of {trace.person} went from {trace.tile} "
                        f"({port}) to {tile}, which no edge of version {trace.version} joins")
    for _source, _port, target in moves:
        trace.tiles.append(target)
        trace.arrivals.append(at)
    trace.edges += moves
    trace.port = None


def _ends(conn: Connection, journey_id: str, runs: dict[int, RunTrace],
          graphs: Graphs) -> None:
    """When each run ended, and the tile it is at when no step of its own says so."""
    r = s.runs.c
    for run_id, person, version, tile, arrived, ended, status, reason in conn.execute(
            select(r.id, r.contact_id, r.version, r.tile_id, r.arrived_at, r.ended_at,
                   r.status, r.end_reason).where(r.journey_id == journey_id)):
        trace = runs.get(run_id)
        if trace is None:
            trace = runs[run_id] = RunTrace(run_id, person, version, [tile], [arrived])
        elif tile != trace.tile:
            _move(trace, graphs, tile, arrived)
        trace.left = STILL_THERE if ended is None else ended
        trace.status, trace.end_reason = status, reason
