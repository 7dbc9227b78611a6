"""The funnel of a period, from the trail: per version and tile, the people who came to
the tile in the period, and what became of them by its end — moved on, left (and why),
still there.

The counters (`engine.store.analytics`) have no time, so a period's funnel is read from
the steps, as `engine.simulation.flows` reads a simulation's: a run is at a tile from its
first step there until its first step at another tile (a wait leaves no step when it is
over, so the next tile's step says when it was); a move through tiles that left no step
of their own (a wait already due) is walked along the version's edges. A run that was
somewhere when the period began is looked up once, by its last step before it: it is
counted where it comes next, not where it already was. Over the whole trail the figures
are the counters' (a test checks it); a run's steps older than the trail's retention are
gone, so a run that came before them is counted from its next tile on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Connection

from engine.runtime.records import What
from engine.simulation.flows import Graphs
from engine.store import report_queries as q
from engine.store.report_queries import Period

_ENTERED, _ENTRY_BLOCKED = What.ENTERED.value, What.ENTRY_BLOCKED.value
_BRANCHED, _COMPLETED = What.BRANCHED.value, What.COMPLETED.value
_ENDED = frozenset((What.EXITED.value, What.FAILED.value))
_STOPS = _ENDED | {_COMPLETED}
# the reason of the `failed` step of a run set aside after an error (`engine.runtime`):
# it is not over, a retry takes it on
_SET_ASIDE = "set aside: "

TileKey = tuple[int, str]  # version, tile id


@dataclass
class TileCohort:
    """The people who came to a tile in the period, and where they were at its end."""

    entered: int = 0
    moved_on: int = 0  # went on to the next tile (or reached the end)
    left: Counter[str] = field(default_factory=Counter)  # exited here, by reason
    still_there: int = 0
    set_aside: int = 0  # stopped here by an error at the period's end, until retried


@dataclass(slots=True)
class _Stay:
    """Where a run is as the steps are read: `counted` when it came there in the period."""

    version: int
    tile: str
    here: TileCohort
    counted: bool
    port: str | None = None  # the output its `branched` step there took
    over: bool = False  # it completed, exited or failed
    aside: bool = False  # set aside after an error, until retried


Hop = tuple[TileCohort, TileCohort]  # the cohort left, the cohort come to


class _Walk:
    """The steps in the order recorded; one pass, 200,000 steps in a few tenths of a
    second, so the per-step path stays flat and a move's hops are worked out once."""

    def __init__(self, graphs: Graphs) -> None:
        self.graphs = graphs
        self.tiles: dict[TileKey, TileCohort] = {}
        self.stays: dict[int, _Stay] = {}
        self._hops: dict[tuple[int, str, str, str], list[Hop]] = {}

    def cohort(self, version: int, tile: str) -> TileCohort:
        key = (version, tile)
        found = self.tiles.get(key)
        if found is None:
            found = self.tiles[key] = TileCohort()
        return found

    def stay(self, run_id: int, version: int, tile: str, counted: bool) -> _Stay:
        stay = self.stays[run_id] = _Stay(version, tile, self.cohort(version, tile), counted)
        return stay

    def run(self, steps: list[tuple]) -> None:
        """The common steps (a run moving on, branching, ending) inline: a call less per
        step is a tenth less time over 200,000."""
        stays, known = self.stays, self._hops
        for _id, run_id, version, what, tile, branch, reason in steps:
            stay = stays.get(run_id)
            if stay is None:
                self.first_step(run_id, version, what, tile, reason)
                continue
            if stay.over:
                continue
            if tile != stay.tile:
                hops = known.get((version, stay.tile, stay.port or "next", tile)) or \
                    self.hops(version, stay.tile, stay.port or "next", tile)
                if stay.counted:
                    hops[0][0].moved_on += 1
                for _left, came in hops:  # through tiles that left no step, on to `tile`
                    came.entered += 1
                for _left, came in hops[:-1]:
                    came.moved_on += 1
                stay.tile, stay.here, stay.counted, stay.port = tile, hops[-1][1], True, None
            stay.aside = False  # a step after it was set aside: it was retried
            if what == _BRANCHED:
                stay.port = branch
            elif what in _STOPS:
                self.stop(stay, what, reason)

    def first_step(self, run_id: int | None, version: int, what: str, tile: str | None,
                   reason: str | None) -> None:
        """A run's first step (its earlier steps are gone: counted from its next tile on),
        or an entry that was blocked."""
        if run_id is not None and tile is not None:
            stay = self.stay(run_id, version, tile, what == _ENTERED)
            stay.here.entered += stay.counted
            if what in _STOPS:
                self.stop(stay, what, reason)
        elif what == _ENTRY_BLOCKED and tile is not None:  # counted in and out at once
            cohort = self.cohort(version, tile)
            cohort.entered += 1
            cohort.left[reason or ""] += 1

    def stop(self, stay: _Stay, what: str, reason: str | None) -> None:
        """Completed, exited, failed: over for good, unless set aside to be retried."""
        if not _ends(what, reason):
            stay.aside = True
            return
        stay.over = True
        if not stay.counted:
            return
        if what == _COMPLETED:
            stay.here.moved_on += 1
        else:
            stay.here.left[reason or ""] += 1

    def hops(self, version: int, source: str, port: str, target: str) -> list[Hop]:
        key = (version, source, port, target)
        found = self._hops.get(key)
        if found is None:
            path = self.graphs.path(version, source, port, target) or [
                (source, port, target)]  # no such edge: straight there all the same
            found = self._hops[key] = [(self.cohort(version, a), self.cohort(version, b))
                                       for a, _port, b in path]
        return found

    def finish(self) -> dict[TileKey, TileCohort]:
        """The tiles someone came to (a run that was there before is not counted)."""
        for stay in self.stays.values():
            if stay.counted and not stay.over:
                if stay.aside:
                    stay.here.set_aside += 1
                else:
                    stay.here.still_there += 1
        return {key: cohort for key, cohort in self.tiles.items() if cohort.entered}


def period_funnel(conn: Connection, journey_id: str, version: int | None, period: Period
                  ) -> dict[TileKey, TileCohort]:
    """Per (version, tile) that anyone came to in the period (the test version never)."""
    steps = q.funnel_steps(conn, journey_id, version, period)
    walk = _Walk(Graphs(conn, journey_id))
    _where_they_were(conn, walk, steps)
    walk.run(steps)
    return walk.finish()


def _ends(what: str, reason: str | None) -> bool:
    """Whether the step ends its run for good (a run set aside is retried)."""
    return what == _COMPLETED or (what in _ENDED and not (reason or "").startswith(_SET_ASIDE))


def _where_they_were(conn: Connection, walk: _Walk, steps: list[tuple]) -> None:
    """The runs whose first step in the period is not their entry: where they were."""
    firsts: dict[int, int] = {}
    for step_id, run_id, _version, what, _tile, _branch, _reason in steps:
        if run_id is not None and run_id not in firsts:
            firsts[run_id] = -1 if what == _ENTERED else step_id
    versions = {row[1]: row[2] for row in steps}
    carried = [step_id for step_id in firsts.values() if step_id >= 0]
    for run_id, (tile, what, branch, reason) in q.steps_before(conn, carried).items():
        stay = walk.stay(run_id, versions[run_id], tile, False)
        stay.port = branch if what == _BRANCHED else None
        stay.over = _ends(what, reason)
