"""Trying a journey in the window: live counts on the canvas, test mode and following a
person, built on the window's engine link, session, canvas, banner and test panel."""

from __future__ import annotations

from app.test_mode.control import TestControl
from app.test_mode.counts import CanvasCounts
from app.test_mode.follow import FollowControl


class TryOut:
    def __init__(self, window) -> None:
        self.counts = CanvasCounts(window.engine, window.session, window.scene,
                                   window.actions_["show_counts"])
        self.tests = TestControl(window, self.counts)
        self.follow = FollowControl(window, self.counts, self.tests)
        status = window.statusBar()
        self.tests.message.connect(lambda text: status.showMessage(text, 10000))
        window.session.workspace_opened.connect(self._workspace_opened)
        self.window = window

    def _workspace_opened(self, _location: str) -> None:
        self.tests.tests.clear()
        self.follow.follow(None)
        self.window.test_panel.set_store(self.window.session.store)
