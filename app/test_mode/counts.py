"""Which counts the canvas shows, and when: the live version's while an engine runs or is
observed (the test version's while the journey is being tested); a draft that was never
published shows none. View → Show counts hides them."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from app.canvas.scene import JourneyScene
from app.engine_link import EngineLink, EngineMode, EngineStatus
from app.session import JourneySession

WATCHING = (EngineMode.RUNNING, EngineMode.OBSERVING)


class CanvasCounts(QObject):
    def __init__(self, link: EngineLink, session: JourneySession, scene: JourneyScene,
                 toggle: QAction) -> None:
        super().__init__(link)
        self.link, self.session, self.scene = link, session, scene
        self.test_version: int | None = None  # set while the open journey is tested
        self._latest: dict | None = None  # the link's last counts of the open journey
        link.tile_counts_changed.connect(self._counts_arrived)
        link.status_changed.connect(self._status_changed)
        session.opened.connect(self.watch)
        toggle.toggled.connect(scene.overlay.set_visible)

    @property
    def version(self) -> int | None:
        """The version whose counts the canvas shows (None: none)."""
        if self.test_version is not None:
            return self.test_version
        if self.session.viewed_version is not None:  # an earlier one, its people finishing
            return self.session.viewed_version
        info = self.session.info
        return info.version if self.session.is_live else None

    def watch(self) -> None:
        """The open journey changed, or which of its versions the canvas shows."""
        self._latest = None
        self.scene.overlay.show_counts(None)
        version = self.version
        self.link.watch_journey(self.session.journey_id if version is not None else None,
                                version)

    def _counts_arrived(self, journey_id: str, by_version: dict) -> None:
        if journey_id != self.session.journey_id or self.version not in by_version:
            return  # counts of what the canvas showed a moment ago
        self._latest = by_version
        self._show()

    def _show(self) -> None:
        version = self.version
        if version is None or self._latest is None or self.link.status.mode not in WATCHING:
            self.scene.overlay.show_counts(None)
            return
        stats = self._latest.get(version)
        self.scene.overlay.show_counts(stats.tiles if stats else {},
                                       testing=self.test_version is not None)

    def _status_changed(self, status: EngineStatus) -> None:
        if status.mode not in WATCHING:
            self._latest = None
        self._show()
