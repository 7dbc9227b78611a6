"""The journey paused, resumed or stopped during a simulation, set in the Simulate dialog
(issue 15: "so the documented rules — people held while paused, a pause over 21 days
stopping the version — can be simulated and seen"): a row per change, "Pause  after
6 hours", "Resume  after 2 days", written into the spec's `journey` list. Publishing
another version takes a bundle file: a written scenario's journey item
(`waymark simulate BUNDLE --scenario`). A change the journey's state does not allow then
(a resume with nothing paused) is refused when the simulation is asked for, naming it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton, QWidget

from app.icons import icon
from app.properties.fields import DurationEdit, ValueCombo, row_grid
from engine.model.durations import format_duration
from engine.simulation.audience import MAX_JOURNEY_CHANGES
from engine.simulation.scenario import when

ACTIONS = (("Pause", "pause"), ("Resume", "resume"), ("Stop", "stop"))
FIRST_AFTER = timedelta(hours=6)
MOST = MAX_JOURNEY_CHANGES  # rows, as many as a spec may have: the column scrolls


class JourneyChanges(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("journeyChanges")
        self.grid = row_grid(self, stretch=2)
        self.rows: list[tuple[ValueCombo, DurationEdit]] = []
        self.touched = False
        self.add = QPushButton(icon("add"), "Add a pause, resume or stop")
        self.add.setObjectName("flat")
        self.add.setToolTip("Pause, resume or stop the journey at a simulated time: people "
                            "are held while it is paused; a pause over 21 days stops it")
        self.add.clicked.connect(self._add_clicked)
        self._lay_out()

    def show_spec(self, spec: dict | None) -> None:
        """The spec's changes as rows, each as long after the spec's start (a time given
        as a date too: rows written back would have dropped it)."""
        self.rows = []
        for change in (spec or {}).get("journey", []):
            try:
                start = datetime.fromisoformat(spec["start"])
                after = when(change.get("at", ""), start) - start
            except (KeyError, TypeError, ValueError):
                continue  # a spec that does not read: refused when run, naming it
            self._row(change.get("action", "pause"), after)
        self.touched = False
        self._lay_out()

    def applied(self, spec: dict) -> dict:
        """`spec` with the rows as its `journey` changes, once any was changed here."""
        if not self.touched:
            return spec
        spec = copy.deepcopy(spec)
        spec["journey"] = [{"at": format_duration(after.value()), "action": action.value()}
                           for action, after in self.rows]
        if not spec["journey"]:
            del spec["journey"]
        return spec

    def _add_clicked(self) -> None:
        last = self.rows[-1] if self.rows else None
        action = "resume" if last is not None and last[0].value() == "pause" else "pause"
        after = last[1].value() + timedelta(days=1) if last is not None else FIRST_AFTER
        self._row(action, after)
        self._touch()
        self._lay_out()

    def _row(self, action: str, after: timedelta) -> None:
        combo = ValueCombo(ACTIONS)
        combo.set_value(action)
        combo.setAccessibleName("what happens to the journey")
        field = DurationEdit()
        field.set_value(after)
        field.setToolTip("how long after the start of the simulation")
        combo.value_chosen.connect(lambda _v: self._touch())
        field.changed.connect(lambda _v: self._touch())
        self.rows.append((combo, field))

    def remove(self, index: int) -> None:
        del self.rows[index]
        self._touch()
        self._lay_out()

    def _touch(self) -> None:
        self.touched = True
        self.changed.emit()

    def _lay_out(self) -> None:
        while (item := self.grid.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None and widget is not self.add and not any(
                    widget in row for row in self.rows):
                widget.deleteLater()
        for index, (combo, after) in enumerate(self.rows):
            remove = QToolButton(icon=icon("remove"),
                                 toolTip="Take this change out of the simulation")
            remove.setObjectName("removeJourneyChange")
            remove.clicked.connect(lambda _checked=False, i=index: self.remove(i))
            self.grid.addWidget(combo, index, 0)
            self.grid.addWidget(QLabel("after"), index, 1)
            self.grid.addWidget(after, index, 2)
            self.grid.addWidget(remove, index, 3)
        self.grid.addWidget(self.add, len(self.rows), 0, 1, 4, Qt.AlignmentFlag.AlignLeft)
        self.add.setEnabled(len(self.rows) < MOST)
