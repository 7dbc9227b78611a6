"""Where the docks that watch the engine sit in the window: tabbed with Problems at the
bottom, each following the engine only while it is on screen; View toggles every dock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from app.store import StoreError

from .activity import ActivityDock
from .names import JourneyNames
from .outbox import OutboxDock

if TYPE_CHECKING:
    from app.main_window import MainWindow

READABLE_HEIGHT = 340  # a dock brought forward is made at least this tall


class EngineDocks:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.names = JourneyNames()  # what the two docks show ids by
        self.activity = ActivityDock(window.engine, names=self.names)
        self.outbox = OutboxDock(window.engine, names=self.names)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.activity_dock = window._dock("Activity", "activityDock", self.activity, bottom)
        self.outbox_dock = window._dock("Outbox", "outboxDock", self.outbox, bottom)
        for dock in (self.activity_dock, self.outbox_dock):
            dock.visibilityChanged.connect(dock.widget().set_on_screen)
            # its tab clicked, as much as View's toggle: tall enough to read (seen in a
            # real window: the Activity tab clicked in a new window's 150 px showed one
            # row of five under its filters, the filters' chips cut in half)
            dock.visibilityChanged.connect(
                lambda shown, d=dock: shown and QTimer.singleShot(0, d, lambda: self._readable(d)))
            window.tabifyDockWidget(window.problems_dock, dock)
        window.problems_dock.raise_()
        window.pages.keep_beside([self.activity_dock, self.outbox_dock])
        window.actions_.add_panel_toggles([
            (window.journeys_dock, None), (window.palette_dock, None),
            (window.properties_dock, None), (window.problems_dock, None),
            (window.test_dock, None), (self.activity_dock, "Ctrl+Shift+A"),
            (self.outbox_dock, "Ctrl+Shift+O")],
            self.toggle)
        window.session.journeys_changed.connect(self._journeys)
        self.activity.tile_chosen.connect(self.show_tile)

    def toggle(self, dock: QDockWidget, show: bool) -> None:
        """A dock on screen goes away; one closed or behind another's tab comes to the
        front, tall enough to read."""
        if not show:
            dock.close()
            return
        dock.show()
        dock.raise_()
        self._readable(dock)

    def _readable(self, dock: QDockWidget) -> None:
        """A bottom dock on screen made READABLE_HEIGHT tall when it is much less."""
        if dock.isVisible() and dock.widget().height() < READABLE_HEIGHT - 100 and \
                self.window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea:
            self.window.resizeDocks([dock], [READABLE_HEIGHT], Qt.Orientation.Vertical)

    def show_tile(self, journey_id: str, tile_id: str) -> None:
        """An Activity item's tile, on the canvas (its journey opened first)."""
        session = self.window.session
        if journey_id == session.journey_id or session.open_journey(journey_id):
            self.window.reveal_tile(tile_id)

    def _journeys(self, journeys: list, _open: str | None) -> None:
        named = [(j.id, j.name) for j in journeys]
        self.activity.filters.set_journeys(named)
        store = self.window.session.store
        triggers = {t.name: t.title or t.name for t in store.catalog().triggers.values()} \
            if store is not None else {}
        self.names.set_journeys(named, self._journey, triggers)
        for dock in (self.activity, self.outbox):  # their rows read the names anew
            dock.table.viewport().update()

    def _journey(self, journey_id: str):
        """The journey as saved, for its tiles' names (None: it cannot be read)."""
        store = self.window.session.store
        try:
            return store.load(journey_id) if store is not None else None
        except StoreError:
            return None
