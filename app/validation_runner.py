"""Validation after each edit, without blocking the UI.

It runs on the GUI thread after a short pause (debounce): validating is fast (about
10 ms at 300 tiles, 25 ms at 1,000), and a burst of edits — a paste, a drag, typing —
is validated once, when it ends. A worker thread would have to copy the journey first
(pydantic models are not safe to read while the GUI thread edits them), which costs
about as much as validating it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.editor import JourneyEditor
from engine.delivery.settings import DeliverySettings
from engine.validation import ValidationProblem, validate

DEBOUNCE_MS = 120


class ValidationRunner(QObject):
    validated = Signal(list)  # list[ValidationProblem]

    def __init__(self, editor: JourneyEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.problems: list[ValidationProblem] = []
        # The workspace's delivery settings (no credentials): commercial email is checked
        # against its sender profile, as publishing checks it. None: not checked.
        self.delivery: DeliverySettings | None = None
        self.last_ms = 0.0
        # Whether a journey is open: with none the editor holds an empty one nobody sees,
        # and its "This tile leads nowhere" is nobody's problem (the window says).
        self.has_journey: Callable[[], bool] = lambda: True
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_now)
        editor.document.changed.sub(self.schedule)

    def schedule(self) -> None:
        self._timer.start()

    def run_now(self) -> list[ValidationProblem]:
        self._timer.stop()
        start = time.perf_counter()
        self.problems = validate(self.editor.journey, self.editor.catalog, publish=True,
                                 delivery=self.delivery) if self.has_journey() else []
        self.last_ms = (time.perf_counter() - start) * 1000
        self.validated.emit(self.problems)
        return self.problems
