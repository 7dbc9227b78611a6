"""Simulating in the window: Journey → Simulate… opens the dialog, the run goes in a
separate process with its progress in the Simulation dock, and its results go on the
canvas and into the results panel until they are left.

The run's throw-away folder and the outcome read from it live until the results are
left, another simulation starts, another journey opens or the window closes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

from app.pages.host import JOURNEYS
from app.simulation.canvas_view import SimulationCanvas
from app.simulation.dialog import DialogFields, SimulateChoices, SimulateDialog
from app.simulation.panel import SimulationPanel
from app.simulation.request import REPLAY, SimulationRequest
from app.simulation.run_strip import RunStrip
from app.simulation.runner import Finished, OutcomeReader, SimulationRun, sweep_left_behind
from engine.model import dump_bundle, read_bundle
from engine.simulation.compare import Comparison
from engine.simulation.outcome import SimulationOutcome
from engine.simulation.scenario import when

if TYPE_CHECKING:
    from app.main_window import MainWindow

DOCK_WIDTH = 460


class SimulationControl(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window, self.session = window, window.session
        self.action = window.actions_["simulate"]
        self.strip = RunStrip()
        self.panel = SimulationPanel()
        self.canvas = SimulationCanvas(window.scene.overlay)
        self.dock = self._build_dock()
        self.dialog: SimulateDialog | None = None
        self._last_fields: dict[str, DialogFields] = {}  # journey id -> the last choices
        self.run: SimulationRun | None = None
        self.reader: OutcomeReader | None = None  # reading the finished run's outcome
        self.outcome: SimulationOutcome | None = None
        self.outcome_b: SimulationOutcome | None = None  # comparing, once shown
        self._done: Finished | None = None  # the run whose results are shown
        self._journey: str | None = None  # whose results are shown
        self._version: int | None = None  # … on which version shown (None: as usual)
        self._widened: int | None = None  # the right docks' width before results widened it
        self._to_view = False  # results arrived: the journey brought into view when shown
        self.badge = window.simulation_badge
        self.badge.clicked.connect(lambda: self.window.pages.bring_forward(self.dock))
        self._dock_in_front = False  # isVisible() is true behind another dock's tab too
        self.dock.visibilityChanged.connect(self._dock_shown)
        window.pages.page_changed.connect(lambda _page: self._in_sight())
        self.action.triggered.connect(self.open_dialog)
        self.strip.cancel.clicked.connect(self.cancel)
        sweep_left_behind()  # what a studio that was killed could not remove
        self.panel.closed.connect(self.leave)
        self.panel.moment_changed.connect(self.canvas.at_moment)
        self.panel.person_selected.connect(self.canvas.show_person)
        self.panel.comparison.show_b.connect(self.show_b)
        self.session.opened.connect(self._journey_opened)
        self._journey_opened()

    def _build_dock(self) -> QDockWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.strip)
        layout.addWidget(self.panel, 1)
        window = self.window
        # beside the properties: the panel is tall, and the canvas keeps its height
        dock = window._dock("Simulation", "simulationDock", body,
                            Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(window.properties_dock, dock)
        window.properties_dock.raise_()
        window.pages.chrome.append(dock)  # a journey's dock: away on the other pages
        window.actions_.add_panel_toggles([(dock, None)], window.engine_docks.toggle)
        dock.hide()
        return dock

    # --- starting -------------------------------------------------------------------

    def open_dialog(self) -> None:
        session = self.session
        if session.store is None or session.info is None:
            return
        if self.run is not None and self.run.running:
            self._say("A simulation is running: cancel it first (Simulation dock)")
            return
        simulated = self._simulated_journey()  # read once: it may come from the store
        self.dialog = dialog = SimulateDialog(self._choices(simulated),
                                              self.window.prompts.open_file, self.window,
                                              save_file=self.window.prompts.save_file)
        journey = simulated.id
        if (last := self._last_fields.get(journey)) is not None:
            dialog.restore(last)
        if (viewed := session.viewed_version) is not None:  # the version on the canvas
            dialog.version.setCurrentIndex(max(0, dialog.version.findData(viewed)))
        dialog.accepted.connect(lambda: self._accepted(journey, dialog))
        dialog.open()

    def _accepted(self, journey: str, dialog: SimulateDialog) -> None:
        self._last_fields[journey] = dialog.fields()  # the next run starts from these
        self.start(dialog.request)

    def _show_simulated(self, version: int | None) -> bool:
        """The canvas on the simulated graph: an earlier version read-only (as the live
        banner's chooser shows it), else the journey as usual. False when that would
        leave unsaved changes and the person kept them."""
        session = self.session
        if version is not None and version == session.info.version:
            version = None  # the newest: the journey as usual (the version, or its draft)
        if version == session.viewed_version:
            return True
        return session.show_version(version)

    def _simulated_journey(self):
        """The journey a simulation's "draft on the canvas" is: the canvas's, or with an
        earlier version shown there (read-only), the draft as saved."""
        session = self.session
        if session.viewed_version is not None and session.info is not None:
            return session.store.load(session.info.id)
        return self.window.editor.journey

    def _choices(self, journey) -> SimulateChoices:
        session = self.session
        store, info = session.store, session.info
        published = store.versions(journey.id) if info.version else []
        draft, chosen = "The draft on the canvas", None
        if session.viewed_version is not None:
            draft = "The draft (as saved; shown when it runs)"
        elif session.is_live and self.window.editor.read_only:
            # The canvas shows the version as published ("Live · version 1"): that is what
            # the dialog offers first, not "the draft on the canvas" the banner denies. The
            # draft is that graph with the content, triggers and segments as they are now.
            draft = f"Version {info.version} with the content as it is now"
            chosen = info.version
        return SimulateChoices(
            journey.name, [(v.version, v.state) for v in published],
            [(s.id, s.name or s.id) for s in store.catalog().segments.values()],
            store.location, _sample_spec(store.samples(), journey.id),
            journey.start.timezone,
            lambda version: store.simulation_bundle(journey, version), draft, chosen)

    def start(self, request: SimulationRequest) -> None:
        """Run `request` on the journey on the canvas; results replace those shown. The
        canvas shows the graph simulated first (the draft, or the version chosen): the
        counts of the draft were drawn on an earlier version's tiles."""
        self.leave()
        self._journey = None
        if not self._show_simulated(request.version):
            self._say("Not simulated: the journey's changes were kept on the canvas")
            return
        journey = self._simulated_journey()
        self.run = SimulationRun(self, replay=request.replay
                                 if request.source == REPLAY else None)
        folder = self.run.folder
        bundle = self.session.store.simulation_bundle(journey, request.version)
        (folder / "bundle.json").write_text(dump_bundle(bundle), encoding="utf-8")
        arguments = request.arguments(folder / "bundle.json", request.write_spec(folder),
                                      self._other_bundle(request, folder, journey))
        self.run.progressed.connect(self.strip.progressed)
        self.run.progressed.connect(self.badge.progressed)
        self.run.finished.connect(lambda done: self._finished(done, request))
        self.run.failed.connect(self._failed)
        self.run.cancelled.connect(lambda: self.strip.idle("Simulation cancelled"))
        self.run.cancelled.connect(self.badge.idle)
        self._journey, self._version = journey.id, self.session.viewed_version
        against = f" against {request.compare.label}" if request.compare else ""
        self.strip.running(f"“{journey.name}” ({request.label}{against})")
        self.badge.running(journey.name)
        self._show_dock()
        self.run.start(arguments)

    def _other_bundle(self, request: SimulationRequest, folder: Path, journey) -> Path | None:
        """B's bundle, written into the run's folder when it is a version of the journey."""
        other = request.compare
        if other is None or other.bundle is not None:
            return other and other.bundle
        bundle = self.session.store.simulation_bundle(journey, other.version)
        path = folder / "compare.json"
        path.write_text(dump_bundle(bundle), encoding="utf-8")
        return path

    # --- results --------------------------------------------------------------------

    def _finished(self, done: Finished, request: SimulationRequest) -> None:
        self.strip.reading()
        self.badge.reading()
        # no parent: what it brings back after the window went is closed, not lost
        self.reader, run = OutcomeReader(), self.run
        self.reader.read.connect(lambda outcome: self._show(outcome, done, run, request))
        self.reader.failed.connect(lambda why: self._failed(why) if run is self.run else None)
        self.reader.start(done.workspace_file, self._journey, done.end)

    def _show(self, outcome: SimulationOutcome, done: Finished,
              run: SimulationRun | None, request: SimulationRequest) -> None:
        if run is not self.run:  # left (or replaced) while it was being read
            outcome.close()
            return
        self.outcome, self._done = outcome, done
        self.canvas.show(outcome)
        self.badge.ready()
        self._to_view = True
        self._in_sight()
        self.panel.show_outcome(outcome)
        if done.compare is not None and request.compare is not None:
            self.panel.show_comparison(replace(Comparison.from_dict(done.compare),
                                               labels=(request.label, request.compare.label)),
                                       b_showable=request.compare.bundle is None)
        changes = changes_said(request, outcome, done.summary.get("lifecycle"))
        self.strip.finished(f"Simulated {outcome.start:%d %b %H:%M} → "
                            f"{outcome.end:%d %b %H:%M} (UTC){changes}")
        self.strip.set_notes(done.notes)  # e.g. replay rows left out
        self._say("Simulation finished: its counts and flows are on the canvas")

    def show_b(self, on: bool) -> None:
        """Comparing: B's simulation on the canvas and in the panel instead of A's (the
        same people and period, so the slider's moment and the chosen person carry over)."""
        if self.outcome is None or self._done is None:
            return
        if on and self.outcome_b is None:
            self.strip.reading()
            self.reader, run = OutcomeReader(), self.run
            self.reader.read.connect(lambda outcome: self._b_read(outcome, run))
            self.reader.failed.connect(lambda why: self._say(f"B cannot be shown: {why}"))
            self.reader.start(self._done.other_file, self._journey, self.outcome.end)
            return
        self._on_canvas(self.outcome_b if on else self.outcome)

    def _b_read(self, outcome: SimulationOutcome, run: SimulationRun | None) -> None:
        self.strip.finished(self.strip.text.text())
        if run is not self.run:
            outcome.close()
            return
        self.outcome_b = outcome
        self._on_canvas(outcome if self.panel.comparison.b_on_canvas.isChecked()
                        else self.outcome)

    def _on_canvas(self, outcome: SimulationOutcome) -> None:
        self.panel.show_side(outcome, outcome is self.outcome_b)
        self.canvas.show(outcome)
        self.canvas.at_moment(self.panel.slider.moment())
        self.canvas.show_person(self.panel.person)

    def _failed(self, why: str, details: str = "") -> None:
        self.strip.idle("The simulation failed: see the message")
        self.badge.idle()
        if self.run is not None:
            self.run.discard()
            self.run = None
        self.window.prompts.error("The simulation failed", why, details)

    def cancel(self) -> None:
        if self.run is not None:
            self.run.cancel()
            self.run = None
            self.strip.idle("Simulation cancelled")
            self.badge.idle()

    def leave(self) -> None:
        """The results go: off the canvas, out of the panel, their folder removed."""
        self.canvas.clear()
        self.panel.clear()
        for outcome in (self.outcome, self.outcome_b):
            if outcome is not None:
                outcome.close()
        self.outcome = self.outcome_b = self._done = None
        self.badge.idle()
        self._to_view = False
        if self.run is not None:
            if self.run.running:
                self.run.cancel()
            self.run.discard()
            self.run = None
        self.strip.idle("No simulation shown: Journey → Simulate… (Ctrl+Shift+M)")

    def close(self) -> None:
        """The window closes: nothing of a simulation stays behind."""
        self.leave()

    def put_away_if_empty(self) -> None:
        """The dock closed when it shows no results (none are kept between sessions)."""
        if self.outcome is None and (self.run is None or not self.run.running):
            self.dock.close()
            self.window.properties_dock.raise_()
            self._narrow_back()

    def _narrow_back(self) -> None:
        """The right docks as wide as before the results widened them (seen in a real
        1366 px window: Properties kept the Simulation dock's 460 px after a restart, and
        the canvas lost 100 px), unless the person has resized them since."""
        before, self._widened = self._widened, None
        properties = self.window.properties_dock
        if before is not None and abs(properties.width() - DOCK_WIDTH) <= 4:
            self.window.resizeDocks([properties], [before], Qt.Orientation.Horizontal)

    # --- the window -----------------------------------------------------------------

    def _journey_opened(self) -> None:
        session = self.session
        self.action.setEnabled(session.info is not None)
        if self._journey is None:
            return
        if self._journey != session.journey_id:
            self.leave()  # its results are of another journey's tiles
        elif self._version != session.viewed_version:  # of another version's tiles
            self.leave()
            self.strip.idle("The results shown were of another version: simulate again "
                            "(Ctrl+Shift+M) for this one's")
        else:
            return
        self._journey = None

    def _dock_shown(self, shown: bool) -> None:
        self._dock_in_front = shown
        self._in_sight()

    def _in_sight(self) -> None:
        """The status bar's badge says what the dock says only while the dock is out of
        sight; results that arrived are brought into view once the canvas shows."""
        on_journeys = self.window.pages.current == JOURNEYS
        self.badge.in_sight(on_journeys and self._dock_in_front)
        if on_journeys and self._to_view:
            self._to_view = False
            # once the docks are laid out (not once the view is gone)
            QTimer.singleShot(0, self.window.view, self._journey_into_view)

    def _journey_into_view(self) -> None:
        """The whole journey in view if it fits at a readable size, else its start: the
        counts are under the tiles, and with the dock opened beside the canvas the start
        was cut off at the left and its end out of sight (seen in a real window). A view
        that shows every tile already is left as the person put it."""
        view = self.window.view
        bounds = view.tiles_bounds()
        seen = view.mapToScene(view.viewport().rect()).boundingRect()
        if self.outcome is not None and not bounds.isNull() and not seen.contains(bounds):
            view.show_journey()

    def _show_dock(self) -> None:
        # The results are on the canvas: from another page (the Journey menu is on every
        # page) the dock opened over that page, and "its counts and flows are on the
        # canvas" pointed at a canvas out of sight.
        before = self.window.properties_dock.width()
        self.window.pages.bring_forward(self.dock)
        if self.dock.width() < DOCK_WIDTH:  # the people table's four columns readable
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
            if self._widened is None and 0 < before < DOCK_WIDTH:
                self._widened = before

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)


def _sample_spec(samples: list[Path], journey_id: str) -> Path | None:
    """The audience spec shipped beside the sample of this journey, if it is one."""
    for path in samples:
        spec = path.with_name(f"{path.stem}.audience.json")
        if spec.is_file() and read_bundle(path).journey.id == journey_id:
            return spec
    return None


CHANGED = {"pause": "paused", "resume": "resumed", "stop": "stopped"}


def changes_said(request: SimulationRequest, outcome: SimulationOutcome,
                 lifecycle: list[dict] | None = None) -> str:
    """The journey's changes during the simulation, when: " · paused 23 Nov 15:00,
    stopped 14 Dec 15:00 (journey paused for more than 21 days)" (the held reasons below
    say who waited). `lifecycle`: what the command says happened, the changes the
    journey's rules made too (the 21 days' pause that stops a version; the studio's
    audiences pause, resume and stop, publishing is a written scenario's); without it
    (a comparison), the changes asked for."""
    if lifecycle:
        said = [f"{m['lifecycle']} {datetime.fromisoformat(m['time']):%d %b %H:%M}"
                f"{' (' + m['reason'] + ')' if m.get('reason') else ''}" for m in lifecycle]
    else:
        changes = request.spec.get("journey", []) if request.spec else []
        said = [f"{CHANGED.get(c['action'], c['action'])} "
                f"{when(c['at'], outcome.start):%d %b %H:%M}" for c in changes]
    return f" · {', '.join(said)}" if said else ""
