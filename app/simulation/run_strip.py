"""The line at the top of the Simulation dock: what runs and how far it got (a progress
bar from the command's progress lines) and Cancel while it runs; what it was, after.

Before and after the steps (the audience being made, the results counted and read) the
bar is busy, and a line under it says what it is doing: a busy bar draws no text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.simulation.runner import Progress
from engine.simulation.shards import STAGES

STEPS = 1000  # the bar's resolution


class RunStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simulationStrip")
        self.text = QLabel("No simulation yet: Journey → Simulate… (Ctrl+Shift+M)")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, STEPS)
        self.bar.setTextVisible(True)
        self.bar.setFixedWidth(220)
        self.stage = QLabel()  # what a busy bar stands for
        self.stage.setObjectName("simulationStage")
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelSimulation")
        progress = QVBoxLayout()
        progress.setSpacing(2)
        progress.addWidget(self.bar)
        progress.addWidget(self.stage)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addLayout(progress)
        layout.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignTop)
        self.idle()

    def idle(self, text: str | None = None) -> None:
        if text is not None:
            self.text.setText(text)
        self._hide_progress()

    def running(self, what: str) -> None:
        self.text.setText(f"Simulating {what}…")
        self._busy("starting…")
        self.bar.show()
        self.cancel.show()

    def reading(self) -> None:
        self._busy("reading the results…")
        self.cancel.hide()

    def progressed(self, progress: Progress) -> None:
        which = {"a": "A: ", "b": "B: "}.get(progress.run or "", "")
        if progress.stage is not None:
            self._busy(f"{which}{STAGES.get(progress.stage, progress.stage)}…")
            return
        self.stage.hide()
        self.bar.setRange(0, STEPS)
        self.bar.setValue(round(progress.overall * STEPS))
        self.bar.setFormat(f"{which}{progress.share:.0%} · {progress.steps:,} steps")

    def finished(self, text: str) -> None:
        self.text.setText(text)
        self._hide_progress()

    def _busy(self, doing: str) -> None:
        """How long it takes is not known: a busy bar, and what it is doing under it."""
        self.bar.setRange(0, 0)
        self.stage.setText(doing)
        self.stage.show()

    def _hide_progress(self) -> None:
        self.bar.hide()
        self.stage.hide()
        self.cancel.hide()
