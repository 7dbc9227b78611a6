"""Where everyone was at any moment of a simulation, answered by bisection.

Each stay (a run at a tile from its arrival until it left) is indexed once: per tile the
arrival times and the leaving times, each sorted. The people at a tile at moment t are
those who arrived at or before t less those who had left by then (left at or before t),
two bisections per tile, whatever the size of the audience.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from .flows import RunTrace


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
