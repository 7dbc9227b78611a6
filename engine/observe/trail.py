"""A person's trail: each of their runs with its steps and the edges it took.

For the token on the canvas: the tiles passed (the steps), the edges taken (bold), the
tile the person is at with what it waits for and until when. Two indexed reads — the
person's runs and their steps — and the graph of each version, read once per call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine.model import KIND_TITLES, TileKind
from engine.runtime.records import RunStatus, What
from engine.store import schema as s
from engine.store.journeys_store import TEST_VERSION
from engine.store.times import from_ts

RUNS_SHOWN = 50  # a person's newest runs; older ones are left out


@dataclass(frozen=True)
class TrailStep:
    at: datetime
    what: str  # a `What` or a `MessageOutcome` value
    tile_id: str | None
    reason: str | None = None
    branch: str | None = None  # the port taken
    branch_name: str | None = None
    channel: str | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class EdgeTaken:
    source: str
    port: str
    target: str


@dataclass
class RunTrail:
    run_id: int
    journey_id: str
    journey_name: str
    version: int
    status: str  # a `RunStatus` value
    tile_id: str  # where the person is, or where the run ended
    entered_at: datetime
    waiting_for: str | None = None  # waiting or held: what for ("for Order placed")
    until: datetime | None = None  # ... and until when
    ended_at: datetime | None = None
    end_reason: str | None = None
    steps: list[TrailStep] = field(default_factory=list)  # oldest first
    edges: list[EdgeTaken] = field(default_factory=list)  # from the entry, in order
    tile_names: dict[str, str] = field(default_factory=dict)  # as the canvas titles them

    @property
    def test(self) -> bool:
        return self.version == TEST_VERSION

    @property
    def passed(self) -> list[str]:
        """The tiles the person has been at, in order (the token's green tiles)."""
        return [self.edges[0].source, *(e.target for e in self.edges)] if self.edges \
            else [self.tile_id]


@dataclass(frozen=True)
class BlockedEntry:
    at: datetime
    journey_id: str
    version: int
    reason: str | None


@dataclass
class PersonTrail:
    contact_id: str
    known: bool  # a stored contact (a trail may outlive a deleted one)
    test: bool  # a test contact
    runs: list[RunTrail]  # newest first
    blocked: list[BlockedEntry]  # entries refused (conditions, re-entry …), oldest first


def person_trail(conn: Connection, contact_id: str) -> PersonTrail:
    contact = conn.execute(select(s.contacts.c.test).where(
        s.contacts.c.id == contact_id)).first()
    r = s.runs.c  # not the JSON columns: a run's trail shows whatever they hold
    runs = [_run(row) for row in conn.execute(
        select(r.id, r.journey_id, r.version, r.status, r.tile_id, r.entered_at, r.due_at,
               r.ended_at, r.end_reason).where(r.contact_id == contact_id)
        .order_by(r.entered_at.desc(), r.id.desc()).limit(RUNS_SHOWN))]
    by_id = {run.run_id: run for run in runs}
    blocked = []
    for row in conn.execute(select(s.steps).where(s.steps.c.contact_id == contact_id)
                            .order_by(s.steps.c.id)):
        if row.run_id in by_id:
            by_id[row.run_id].steps.append(_step(row))
        elif row.run_id is None and row.what == What.ENTRY_BLOCKED:
            blocked.append(BlockedEntry(from_ts(row.at), row.journey_id, row.version, row.reason))
    graphs = _Graphs(conn)
    for run in runs:
        _explain_wait(run)
        run.journey_name, run.edges = graphs.name(run), graphs.walk(run)
        run.tile_names = graphs.tile_names(run)
    return PersonTrail(contact_id, contact is not None, bool(contact and contact.test),
                       runs, blocked)


def _run(row: Any) -> RunTrail:
    return RunTrail(run_id=row.id, journey_id=row.journey_id, journey_name=row.journey_id,
                    version=row.version, status=row.status, tile_id=row.tile_id,
                    entered_at=from_ts(row.entered_at), until=from_ts(row.due_at),
                    ended_at=from_ts(row.ended_at), end_reason=row.end_reason)


def _step(row: Any) -> TrailStep:
    return TrailStep(at=from_ts(row.at), what=row.what, tile_id=row.tile_id, reason=row.reason,
                     branch=row.branch, branch_name=row.branch_name, channel=row.channel,
                     until=from_ts(row.until))


def _explain_wait(run: RunTrail) -> None:
    """What a waiting or held run waits for: its last wait or hold step's reason."""
    if run.status not in (RunStatus.WAITING, RunStatus.HELD):
        run.until = None
        return
    last = next((step for step in reversed(run.steps)
                 if step.what in (What.WAITING, What.HELD) and step.tile_id == run.tile_id),
                None)
    if last is not None:
        run.waiting_for = last.reason or "the wait to end"


class _Graphs:
    """Each version's edges and name, read once from its stored JSON."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cache: dict[tuple[str, int], dict[str, Any]] = {}

    def _journey(self, run: RunTrail) -> dict[str, Any]:
        key = (run.journey_id, run.version)
        if key not in self._cache:
            v = s.journey_versions.c
            snapshot = self.conn.execute(select(v.snapshot).where(
                v.journey_id == run.journey_id, v.version == run.version)).scalar()
            self._cache[key] = (snapshot or {}).get("journey", {})
        return self._cache[key]

    def name(self, run: RunTrail) -> str:
        return self._journey(run).get("name") or run.journey_id

    def tile_names(self, run: RunTrail) -> dict[str, str]:
        return {t["id"]: t.get("name") or KIND_TITLES[TileKind(t["kind"])]
                for t in self._journey(run).get("tiles", [])}

    def walk(self, run: RunTrail) -> list[EdgeTaken]:
        """From the entry along the ports the steps took ("next" where none is said),
        to the tile the run is at: also through tiles that left no step."""
        journey = self._journey(run)
        following = {(e["source"], e["port"]): e["target"] for e in journey.get("edges", [])}
        ports = {step.tile_id: step.branch for step in run.steps if step.branch}
        tile = next((t["id"] for t in journey.get("tiles", []) if t.get("kind") == "trigger"),
                    None)
        edges: list[EdgeTaken] = []
        while tile is not None and tile != run.tile_id and len(edges) < len(following):
            port = ports.get(tile, "next")
            target = following.get((tile, port))
            if target is None:
                break
            edges.append(EdgeTaken(tile, port, target))
            tile = target
        return edges
