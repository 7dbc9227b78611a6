"""The line at the top of the Simulation dock: what runs and how far it got (a progress
bar from the command's progress lines) and Cancel while it runs; what it was, after.

Before and after the steps (the audience being made, the results counted and read) the
bar is busy, and a line under it says what it is doing: a busy bar draws no text."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.simulation.runner import Progress
from app.window_layout import resize_within_screen
from engine.simulation.shards import STAGES

STEPS = 1000  # the bar's resolution
NOTES_SIZE = QSize(820, 420)  # the notes window at most
NOTES_LEAST, NOTES_CHROME = 160, 110  # its least height; its height beside the text
NOTES_MEASURED = 4000  # characters: more than NOTES_SIZE holds
NOTES_IN_TIP = 8  # a replay's 52 notes made a tooltip as tall as the screen


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
        self.stage = QLabel()  # what a busy bar stands for
        self.stage.setObjectName("simulationStage")
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelSimulation")
        # what the simulation said besides its figures (a replay's refused rows)
        self.notes_button = QPushButton()
        self.notes_button.setObjectName("simulationNotes")
        self.notes_button.setFlat(True)
        self.notes_button.clicked.connect(self.show_notes)
        self.notes: list[str] = []
        self.notes_dialog: NotesDialog | None = None
        # What runs and Cancel on a line, the bar the dock's width under them: beside
        # them (220 px) it left the text a quarter of a 400 px dock, four lines high.
        top = QHBoxLayout()
        top.addWidget(self.text, 1)
        top.addWidget(self.notes_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.stage)
        self.idle()

    def idle(self, text: str | None = None) -> None:
        if text is not None:
            self.text.setText(text)
            self.set_notes([])
        self._hide_progress()

    def set_notes(self, notes: list[str]) -> None:
        """The notes of the results shown: a button saying how many, its tooltip the
        first few, a click all of them in a window of their own."""
        self.notes = list(notes)
        count = len(notes)
        self.notes_button.setText(f"{count:,} note{'s' if count != 1 else ''}…")
        more = count - NOTES_IN_TIP
        self.notes_button.setToolTip("\n".join(notes[:NOTES_IN_TIP]) + (
            f"\n… and {more} more: click to read them all" if more > 0 else ""))
        self.notes_button.setVisible(bool(notes))
        if self.notes_dialog is not None:
            self.notes_dialog.close()

    def show_notes(self) -> None:
        if self.notes_dialog is None:
            self.notes_dialog = NotesDialog(self)
        self.notes_dialog.show_notes(self.notes)

    def running(self, what: str) -> None:
        self.set_notes([])
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


class NotesDialog(QDialog):
    """A simulation's notes, each on its line, to read, scroll and copy; not modal, so
    the canvas and the results stay in reach."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Simulation notes")
        self.text = QPlainTextEdit(readOnly=True)
        # wrapped, a blank line between notes: a replay's note ends with its advice
        # ("map total=cart_total/order_total"), which unwrapped was off to the right
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        resize_within_screen(self, NOTES_SIZE, parent)

    def show_notes(self, notes: list[str]) -> None:
        """The notes, in a window as tall as they need up to NOTES_SIZE (one short note
        had a window of 820 × 420 px, nearly all of it empty)."""
        text = "\n\n".join(notes)
        self.text.setPlainText(text)
        room = NOTES_SIZE.width() - 60  # less the window's and the text box's margins
        # measured on its start alone: more than fills the window (10,000 notes took 0.2 s)
        tall = self.text.fontMetrics().boundingRect(
            0, 0, room, 100_000, int(Qt.TextFlag.TextWordWrap), text[:NOTES_MEASURED]).height()
        resize_within_screen(self, QSize(NOTES_SIZE.width(), min(
            NOTES_SIZE.height(), max(NOTES_LEAST, tall + NOTES_CHROME))), self.parentWidget())
        self.show()
        self.raise_()
        self.activateWindow()
