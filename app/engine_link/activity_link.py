"""The activity feed's part of the engine link: the Activity dock follows the feed with a
filter while it is on screen, and pages back with "Load older"."""

from __future__ import annotations

from PySide6.QtCore import Signal

from .activity_feed import ActivityBatch, ActivityFilter, older
from .link_part import LinkPart


class ActivityLink(LinkPart):
    arrived = Signal(object)  # ActivityBatch from the poll thread
    older_loaded = Signal(object)  # ActivityBatch answering `load_older`
    older_failed = Signal(str)

    def __init__(self, link) -> None:
        super().__init__(link)
        self.filter: ActivityFilter | None = None  # None: not followed
        self.generation = 0

    def follow(self, wanted: ActivityFilter | None) -> None:
        """Follow the feed with this filter (None: stop following); the newest page
        comes first, then what is new."""
        self.filter = wanted
        self.generation += 1
        if self.session is not None:
            self.session.probe.follow_activity(wanted, self.generation)
            self.nudge()

    def deliver(self, batch: ActivityBatch) -> None:
        """From the link (GUI thread): a batch of the filter followed now goes on."""
        if batch.generation == self.generation and self.filter is not None:
            self.arrived.emit(batch)

    def load_older(self, before) -> None:
        """The page below `before` (the last row's `below` cursor), off the GUI thread."""
        session, wanted, generation = self.session, self.filter, self.generation
        if session is None or wanted is None:
            self.older_failed.emit("no engine is running")
            return

        def read() -> ActivityBatch:
            with session.workspace.db.connect() as conn:
                return older(conn, wanted, before, generation)

        self.off_gui(read, self._older, lambda error: self.older_failed.emit(str(error)))

    def _older(self, batch: ActivityBatch) -> None:
        if batch.generation == self.generation:
            self.older_loaded.emit(batch)
