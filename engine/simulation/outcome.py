"""A finished simulation, read back from its kept workspace (`waymark simulate --keep DIR`
writes `DIR/simulation.waymark`): per-tile counts, the edges people took, everyone's
outcome and steps, and where everyone was at any moment, for the studio's results.

Everything is read through the engine's store: the counts are the analytics the canvas
shows live (`engine.store.analytics`), the summary is `waymark simulate --summary`'s,
and the edges and the moments come from the trail (`flows.py`, `occupancy.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from engine.model import Journey, tile_title
from engine.runtime.records import MessageOutcome, RunStatus, StepRecord, What
from engine.store import schema as s
from engine.store.analytics import TileStats, journey_stats
from engine.store.database import WorkspaceError
from engine.store.times import from_ts
from engine.workspace import Workspace

from .flows import EdgeFlow, Flows, Move, RunTrace, read_flows
from .occupancy import Crossings, Occupancy
from .summary import simulation_summary

NEVER_ENTERED = "never entered"
ENTRY_BLOCKED = "entry blocked"  # an outcome's head; then ": why"


class OutcomeError(ValueError):
    """A kept simulation that cannot be read: no such file, or not of that journey."""


@dataclass(frozen=True)
class PersonOutcome:
    person: str
    outcome: str  # "completed", "exited: <reason>", "waiting at <tile>", "entry blocked: …"
    tile: str | None  # where they are, ended, or were kept out; None: never seen there
    steps: int  # their steps in the trail, message outcomes included


class SimulationOutcome:
    def __init__(self, workspace: Workspace, journey: Journey, flows: Flows,
                 people: list[str], start: datetime, end: datetime) -> None:
        self.workspace, self.journey, self.journey_id = workspace, journey, journey.id
        self.start, self.end = start, end
        self.timezone = ZoneInfo(journey.start.timezone)
        self._flows = flows
        self._runs_of: dict[str, list[RunTrace]] = {}
        for run in sorted(flows.runs.values(), key=lambda r: r.run_id):
            self._runs_of.setdefault(run.person, []).append(run)
        self._people = people
        self._occupancy = Occupancy(flows.runs.values())
        self._crossings = Crossings(flows.runs.values())
        self._summary: dict[str, Any] | None = None
        self._edges: list[EdgeFlow] | None = None
        self._outcomes: list[PersonOutcome] | None = None

    @classmethod
    def read(cls, workspace_file: Path, journey_id: str,
             end: datetime | None = None) -> SimulationOutcome:
        """`end`: the end of the simulated period when known (the workspace keeps when
        the simulation began, as the version's publication, but not when it was to end);
        else the last step."""
        if not Path(workspace_file).is_file():
            raise OutcomeError(f"{workspace_file}: no such simulation workspace")
        try:
            workspace = Workspace.open(workspace_file, create=False, durable=False)
        except WorkspaceError as error:
            raise OutcomeError(f"{workspace_file}: {error}") from None
        try:
            return cls._read(workspace, journey_id, end)
        except BaseException:
            workspace.close()
            raise

    @classmethod
    def _read(cls, workspace: Workspace, journey_id: str,
              end: datetime | None) -> SimulationOutcome:
        with workspace.db.connect() as conn:
            flows = read_flows(conn, journey_id)
            if not flows.journeys:
                raise OutcomeError(f"{workspace.location}: no simulation of {journey_id!r}")
            published = conn.execute(select(func.min(s.journey_versions.c.published_at))
                                     .where(s.journey_versions.c.journey_id == journey_id))
            last = conn.execute(select(func.max(s.steps.c.at))
                                .where(s.steps.c.journey_id == journey_id)).scalar()
            contacts = conn.execute(select(s.contacts.c.id)).scalars().all()
        start = from_ts(published.scalar())
        people = sorted({*contacts, *flows.steps})
        journey = flows.journeys[max(flows.journeys)]
        return cls(workspace, journey, flows, people, start,
                   end or max(start, from_ts(last) or start))

    def close(self) -> None:
        self.workspace.close()

    def __enter__(self) -> SimulationOutcome:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- the whole simulation --------------------------------------------------------

    def tile_stats(self) -> dict[str, TileStats]:
        """Per tile, every version's figures added up (as the live counts on the canvas)."""
        with self.workspace.db.connect() as conn:
            versions = journey_stats(conn, self.journey_id)
        merged: dict[str, TileStats] = {}
        for version in versions.values():
            for tile_id, stats in version.tiles.items():
                _add_stats(merged.setdefault(tile_id, TileStats(tile_id)), stats)
        return merged

    def summary(self) -> dict[str, Any]:
        """`waymark simulate --summary --json`'s summary, edges included (made once)."""
        if self._summary is None:
            self._summary = simulation_summary(self.workspace, self.journey_id, self.edges())
        return self._summary

    def edges(self) -> list[EdgeFlow]:
        """Each edge and the people who took it (counted once: every run is walked)."""
        if self._edges is None:
            self._edges = self._flows.edges()
        return self._edges

    def people(self) -> list[PersonOutcome]:
        """Everyone, by id: the scenario's contacts and whoever took a step. Made once
        (100,000 take a second: call it off the GUI thread first, with `summary`)."""
        if self._outcomes is None:
            self._outcomes = [self._person(person) for person in self._people]
        return self._outcomes

    # --- one person ------------------------------------------------------------------

    def steps_of(self, person: str) -> list[StepRecord]:
        st = s.steps.c
        with self.workspace.db.connect() as conn:
            rows = conn.execute(select(s.steps).where(
                st.contact_id == person, st.journey_id == self.journey_id).order_by(st.id))
            return [_record(row) for row in rows]

    def trail_of(self, person: str) -> tuple[tuple[str, ...], tuple[Move, ...], str | None]:
        """The tiles they passed and the edges they took (every run, in order), and the
        tile their latest run is at or ended at; for someone only ever kept out, the
        tile that refused them (None: they never came)."""
        runs = self._runs_of.get(person, [])
        if not runs and person in self._flows.blocked:
            return (), (), self._flows.blocked[person][1]
        tiles = dict.fromkeys(tile for run in runs for tile in run.tiles)
        edges = dict.fromkeys(edge for run in runs for edge in run.edges)
        return tuple(tiles), tuple(edges), runs[-1].tile if runs else None

    # --- a moment ----------------------------------------------------------------------

    def counts_at(self, moment: datetime) -> dict[str, int]:
        return self._occupancy.counts_at(moment.timestamp())

    def tokens_at(self, moment: datetime, limit: int = 200) -> dict[str, str] | None:
        return self._occupancy.people_at(moment.timestamp(), limit)

    def flows_at(self, moment: datetime) -> dict[Move, int]:
        """Every edge of `edges()` with the people who had taken it by `moment`."""
        taken = self._crossings.taken_by(moment.timestamp())
        return {(e.source, e.port, e.target): taken.get((e.source, e.port, e.target), 0)
                for e in self.edges()}

    def _person(self, person: str) -> PersonOutcome:
        steps = self._flows.steps.get(person, 0)
        runs = self._runs_of.get(person)
        if runs:
            run = runs[-1]
            return PersonOutcome(person, self._describe(run), run.tile, steps)
        if person in self._flows.blocked:
            reason, tile = self._flows.blocked[person]
            return PersonOutcome(person, f"{ENTRY_BLOCKED}: {reason}", tile, steps)
        return PersonOutcome(person, NEVER_ENTERED, None, steps)

    def _describe(self, run: RunTrace) -> str:
        if run.status == RunStatus.COMPLETED:
            return "completed"
        if run.status in (RunStatus.EXITED, RunStatus.FAILED):
            return f"{run.status}: {run.end_reason or 'no reason given'}"
        tile = self.journey.find_tile(run.tile)
        title = run.tile if tile is None else tile.name or tile_title(tile)
        where = "at" if run.status == RunStatus.ACTIVE else f"{run.status} at"
        return f"{where} {title}"


def _add_stats(total: TileStats, more: TileStats) -> None:
    total.inflow += more.inflow
    total.processing += more.processing
    total.processed += more.processed
    total.set_aside += more.set_aside
    for mine, theirs in ((total.exited, more.exited), (total.messages, more.messages),
                         (total.blocked, more.blocked), (total.failed, more.failed)):
        for key, value in theirs.items():
            mine[key] = mine.get(key, 0) + value


_WHATS = {**{w.value: w for w in What}, **{o.value: o for o in MessageOutcome}}


def _record(row: Any) -> StepRecord:
    return StepRecord(at=from_ts(row.at), what=_WHATS[row.what], journey_id=row.journey_id,
                      version=row.version, contact_id=row.contact_id, tile_id=row.tile_id,
                      run_id=row.run_id, channel=row.channel, reason=row.reason,
                      branch=row.branch, branch_name=row.branch_name,
                      until=from_ts(row.until))
