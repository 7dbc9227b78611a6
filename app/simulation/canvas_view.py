"""A finished simulation on the canvas: per-tile counts, each edge as wide as the people
who took it, the people at each tile and on each edge at the slider's moment (dots for a
small audience), and the chosen person's path."""

from __future__ import annotations

from datetime import datetime

from app.canvas.live_overlay import LiveOverlay, TrailMarks
from engine.simulation.outcome import PersonOutcome, SimulationOutcome

from .people_model import outcome_kind

TOKENS_UP_TO = 200  # people drawn as dots at a moment; above, counts only


class SimulationCanvas:
    def __init__(self, overlay: LiveOverlay) -> None:
        self.overlay = overlay
        self.outcome: SimulationOutcome | None = None
        self._people: dict[str, PersonOutcome] | None = None  # read at the first choice

    def show(self, outcome: SimulationOutcome) -> None:
        self.outcome, self._people = outcome, None
        flows = {(e.source, e.port, e.target): e.people for e in outcome.edges()}
        self.overlay.show_simulation(outcome.tile_stats(), flows)

    def at_moment(self, moment: datetime | None) -> None:
        """The people at each tile at `moment`; at the end of the period (or None), the
        results of the whole simulation again."""
        if self.outcome is None:
            return
        if moment is None or moment >= self.outcome.end:
            self.overlay.show_moment(None)
            return
        local = moment.astimezone(self.outcome.timezone)
        self.overlay.show_moment(self.outcome.counts_at(moment), f"here {local:%a %H:%M}",
                                 self.outcome.tokens_at(moment, TOKENS_UP_TO),
                                 self.outcome.flows_at(moment), f"by {local:%a %H:%M}")

    def show_person(self, person: str) -> None:
        """Their path: tiles passed, edges taken, where they are or ended ("": nobody)."""
        if self.outcome is None or not person:
            self.overlay.show_trail(None)
            return
        passed, edges, at = self.outcome.trail_of(person)
        if self._people is None:
            self._people = {p.person: p for p in self.outcome.people()}
        found = self._people.get(person)
        label = found.outcome if found is not None else ""
        kind = outcome_kind(label) if found is not None else None
        ended = kind not in (None, "still in")  # at, waiting at or held at a tile
        kept_out = not passed and kind == "kept out"
        self.overlay.show_trail(TrailMarks(person, passed, edges, at, label, ended, kept_out),
                                glide=False)

    def clear(self) -> None:
        self.outcome, self._people = None, None
        self.overlay.show_trail(None)
        self.overlay.show_simulation(None)
