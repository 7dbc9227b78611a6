"""Where everyone was at any moment of a simulation, answered by bisection.

Each stay (a run at a tile from its arrival until it left) is indexed once: per tile the
arrival times and the leaving times, each sorted. The people at a tile at moment t are
those who arrived at or before t less those who had left by then (left at or before t),
two bisections per tile, whatever the size of the audience.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from .flows import Move, RunTrace


class Occupancy:
    def __init__(self, runs: Iterable[RunTrace]) -> None:
        arrivals: dict[str, list[float]] = {}
        departures: dict[str, list[float]] = {}
        stays: list[tuple[float, float, str, str]] = []  # arrived, left, person, tile
        for run in runs:
            for tile, came, went in run.stays():
                arrivals.setdefault(tile, []).append(came)
                departures.setdefault(tile, []).append(went)
                stays.append((came, went, run.person, tile))
        self._tiles = {tile: (sorted(came), sorted(departures[tile]))
                       for tile, came in arrivals.items()}
        self._by_arrival = sorted(stays)
        self._arrived = [stay[0] for stay in self._by_arrival]
        self._by_leaving = sorted(stays, key=lambda stay: stay[1])
        self._left = [stay[1] for stay in self._by_leaving]

    def counts_at(self, ts: float) -> dict[str, int]:
        """People at each tile at `ts` (epoch seconds); tiles with nobody are left out."""
        counts = {}
        for tile, (came, went) in self._tiles.items():
            here = bisect_right(came, ts) - bisect_right(went, ts)
            if here:
                counts[tile] = here
        return counts

    def people_at(self, ts: float, limit: int) -> dict[str, str] | None:
        """Person -> tile at `ts`; None when more than `limit` people are anywhere. Looks
        through whichever is shorter: the stays begun by then or those not yet over."""
        if sum(self.counts_at(ts).values()) > limit:
            return None
        begun = bisect_right(self._arrived, ts)
        over = bisect_right(self._left, ts)
        candidates = self._by_arrival[:begun] if begun <= len(self._left) - over \
            else self._by_leaving[over:]
        return {person: tile for came, went, person, tile in candidates
                if came <= ts < went}


class Crossings:
    """When each run first took each edge: the people who had taken an edge by a moment
    are one bisection per edge, so the flow view follows the time slider. A run counts
    once per edge, as in `Flows.edges`; at the end of the period the counts are those."""

    def __init__(self, runs: Iterable[RunTrace]) -> None:
        times: dict[Move, list[float]] = {}
        for run in runs:
            seen: set[Move] = set()
            # the move to a tile is made when the run arrives there
            for move, at in zip(run.edges, run.arrivals[1:], strict=True):
                if move not in seen:
                    seen.add(move)
                    times.setdefault(move, []).append(at)
        self._times = {move: sorted(when) for move, when in times.items()}

    def taken_by(self, ts: float) -> dict[Move, int]:
        """People who had taken each edge at or before `ts` (edges nobody took: left out)."""
        taken = {}
        for move, when in self._times.items():
            people = bisect_right(when, ts)
            if people:
                taken[move] = people
        return taken
