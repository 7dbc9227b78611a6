"""Test mode in the window: Test journey starts the journey on the canvas as a test (saved
first; refused with its design problems listed), the banner and the canvas say so, the
test panel lists the test people with "Next step now", and Stop test removes the test
runs. Whether a journey is being tested is the engine's word (`tests_changed`), so a
test started from the command line, or before the studio was restarted, shows too.

The writes (`start_test`, `stop_test`, `next_step_now`) run on the link's worker thread,
which then wakes the engine.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from app.engine_link import EngineMode, PeopleQuery, RunningTest
from app.pages.host import JOURNEYS
from app.test_mode.counts import WATCHING, CanvasCounts
from engine.runtime.version import TestOptions
from engine.store.journeys_store import TEST_VERSION
from engine.workspace import Workspace

DEFAULT_OPTIONS = TestOptions(wait_seconds=10)


class TestControl(QObject):
    __test__ = False
    message = Signal(str)  # for the status bar
    refused = Signal(list)  # the design problems that stopped a test
    changed = Signal()  # the open journey's test started or ended

    def __init__(self, window, counts: CanvasCounts) -> None:
        """`window`: the main window; its link, session, banner, test panel and actions."""
        super().__init__(window)
        self.window, self.counts = window, counts
        self.link, self.session = window.engine, window.session
        self.tests: dict[str, RunningTest] = {}
        self.options = DEFAULT_OPTIONS
        self.action = window.actions_["test_journey"]
        self.action.toggled.connect(self._toggled)
        window.actions_["next_step"].triggered.connect(self.next_step_of_followed)
        window.test_banner.stop.clicked.connect(self.stop)
        window.test_banner.start_engine.clicked.connect(
            lambda: self.link.start(window.engine_control.port))
        window.test_panel.people.next_step.connect(self.next_step)
        self.link.tests_changed.connect(self._tests_changed)
        self.link.status_changed.connect(lambda _s: self._update())
        self.session.opened.connect(self._update)
        self.followed: str | None = None  # FollowControl keeps it up to date
        self._journey: str | None = None  # the journey open at the last update
        self._update()

    @property
    def testing(self) -> RunningTest | None:
        """The open journey's test, while it runs."""
        return self.tests.get(self.session.journey_id or "")

    # --- what the person asks for ------------------------------------------------------

    def _toggled(self, on: bool) -> None:
        self._sync_action()  # the engine's answer decides; until then nothing changes
        if on and self.testing is None:
            self.start()
        elif not on and self.testing is not None:
            self.stop()

    def start(self) -> None:
        session = self.session
        if session.viewed_version is not None and not session.show_version(None):
            return  # an earlier version on the canvas: the test is of the newest draft
        if session.info is None or (not session.editor.undo_stack.isClean()
                                    and not session.save()):
            return
        options = self.session.prompts.test_options(session.info.name, self.options)
        if options is None:
            return
        self.options, journey_id = options, session.info.id
        # the test's banner, people and problems are on the journey page
        self.window.pages.show_page(JOURNEYS)
        if self.link.status.mode == EngineMode.STOPPED:
            self.link.start(self.window.engine_control.port)
        self.message.emit(f"Starting a test of “{session.info.name}”…")
        self.link.ask(functools.partial(_start, journey_id, options),
                      functools.partial(self._started, journey_id, options), wake=True)

    def stop(self) -> None:
        journey_id = self.session.journey_id
        if journey_id is not None:
            self.link.ask(lambda workspace: workspace.stop_test(journey_id),
                          functools.partial(self._stopped, journey_id), wake=True)

    def next_step(self, contact_id: str) -> None:
        journey_id = self.session.journey_id
        self.link.ask(lambda workspace: workspace.next_step_now(contact_id=contact_id,
                                                                journey_id=journey_id),
                      functools.partial(self._stepped, contact_id), wake=True)

    def next_step_of_followed(self) -> None:
        if self.followed is None:
            self.message.emit("Follow a test person first (the test panel lists them)")
        else:
            self.next_step(self.followed)

    # --- the answers ---------------------------------------------------------------------

    def _started(self, journey_id: str, options: TestOptions, result, error) -> None:
        if error is not None:
            self.message.emit(f"Not tested: {error}")
            self.session.prompts.error("The test could not start", str(error))
        elif not result.started:
            count = len(result.problems)
            self.message.emit(f"Not tested: {count} problem{'s' if count != 1 else ''} to "
                              "fix first (see Problems)")
            self.refused.emit(result.problems)
        else:
            self.tests[journey_id] = RunningTest(journey_id, datetime.now(UTC), options)
            self.message.emit("Testing: fire a test trigger for a test contact "
                              "(Journey → Fire test trigger…)")
        self._update()

    def _stopped(self, journey_id: str, removed, error) -> None:
        self.tests.pop(journey_id, None)
        if error is None:
            self.message.emit(f"Test stopped: {removed} test run{'s' if removed != 1 else ''} "
                              "removed")
        self._update()

    def _stepped(self, contact_id: str, moved, error) -> None:
        if error is not None:
            self.message.emit(f"{contact_id} not moved on: {error}")
        else:
            self.message.emit(f"{contact_id} moves on now" if moved else
                              f"{contact_id} is not waiting")

    def _tests_changed(self, tests: tuple[RunningTest, ...]) -> None:
        self.tests = {test.journey_id: test for test in tests}
        self._update()

    # --- showing it ----------------------------------------------------------------------

    def _update(self) -> None:
        test, window = self.testing, self.window
        opened, self._journey = self._journey != self.session.journey_id, \
            self.session.journey_id
        if opened and test is None and self.session.journey_id is not None and \
                window.test_dock.isVisible() and not window.test_dock.visibleRegion().isEmpty():
            # another journey, not under test: its tiles' properties in front of the test
            # panel (seen in a real window: a new journey's Start, clicked, showed nothing,
            # the last test's panel still over Properties); left alone when in front
            # already, as raising it again lays the panel out anew
            window.pages.bring_forward(window.properties_dock, go=False)
        version = TEST_VERSION if test is not None else None
        if version != self.counts.test_version:
            self.counts.test_version = version
            self.counts.watch()
            self.changed.emit()
            if test is not None:  # its test people, and soon their steps
                # not over another page: a test may be started elsewhere (the CLI)
                window.pages.bring_forward(window.test_dock, go=False)
        if test is None:
            window.test_banner.hide()
        else:
            window.test_banner.show_test(test.options, self.link.status.mode in WATCHING)
        window.test_panel.show_testing(test is not None)
        entry = window.editor.journey.entry() if self.session.info else None
        self.link.watch_people(PeopleQuery(test.journey_id, TEST_VERSION, entry.id, "inflow")
                               if test is not None and entry is not None else None)
        self._sync_action()

    def _sync_action(self) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(self.testing is not None)
        self.action.blockSignals(False)
        self.action.setEnabled(self.session.info is not None)
        self.window.actions_["next_step"].setEnabled(self.testing is not None)


def _start(journey_id: str, options: TestOptions, workspace: Workspace):
    return workspace.start_test(journey_id, wait_seconds=options.wait_seconds,
                                bypass_entry_conditions=options.bypass_entry_conditions)
