"""The line at the top of the Simulation dock: what runs and how far it got (a progress
bar from the command's progress lines) and Cancel while it runs; what it was, after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.simulation.runner import Progress

STEPS = 1000  # the bar's resolution
STAGES = {"audience": "preparing the audience…", "finishing": "counting the results…"}


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
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelSimulation")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.idle()

    def idle(self, text: str | None = None) -> None:
        if text is not None:
            self.text.setText(text)
        self.bar.hide()
        self.cancel.hide()

    def running(self, what: str) -> None:
        self.text.setText(f"Simulating {what}…")
        self.bar.setRange(0, STEPS)
        self.bar.setValue(0)
        self.bar.setFormat("starting…")
        self.bar.show()
        self.cancel.show()

    def reading(self) -> None:
        self.bar.setRange(0, 0)  # busy: how long the reading takes is not known
        self.bar.setFormat("reading the results…")
        self.cancel.hide()

    def progressed(self, progress: Progress) -> None:
        which = {"a": "A: ", "b": "B: "}.get(progress.run or "", "")
        if progress.stage is not None:  # busy: how long it takes is not known
            self.bar.setRange(0, 0)
            self.bar.setFormat(which + STAGES.get(progress.stage, f"{progress.stage}…"))
            return
        self.bar.setRange(0, STEPS)
        self.bar.setValue(round(progress.overall * STEPS))
        self.bar.setFormat(f"{which}{progress.share:.0%} · {progress.steps:,} steps")

    def finished(self, text: str) -> None:
        self.text.setText(text)
        self.bar.hide()
        self.cancel.hide()
