"""How everyone's simulation ended, at a glance, above the people table: "Completed
4,687 · Exited 3,585 · Kept out 1,654 · Still in 74". Each is a toggle that lists only
those people; clicking it again lists everyone. Only kinds someone has are shown; the
chips wrap onto a second line in a narrow dock (`FlowLayout`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QToolButton, QWidget

from app.flow_layout import FlowLayout

from .people_model import KINDS

TIPS = {
    "completed": "reached an end tile",
    "exited": "left before the end: a goal met, an exit condition, a time limit…",
    "failed": "were set aside after an error",
    "kept out": "were not let in (the trigger's conditions, re-entry, a segment…)",
    "still in": "were still in the journey when the simulated period ended",
    "never entered": "took no step in this journey",
}


class OutcomeKinds(QWidget):
    chosen = Signal(object)  # the kind whose people alone are listed, or None: everyone

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("simOutcomeKinds")
        self._layout = FlowLayout(self, spacing=4)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QToolButton] = {}

    def show_counts(self, counts: dict[str, int], chosen: str | None) -> None:
        """A toggle per kind someone has, `chosen` checked (when it is among them); the
        same kinds again (the filter's text changed) keep their buttons, with new counts."""
        if list(counts) != list(self.buttons):
            for button in self.buttons.values():
                self._layout.removeWidget(button)
                button.deleteLater()
            self.buttons = {}
            for kind in counts:
                button = QToolButton(self, objectName="kindToggle", checkable=True)
                button.toggled.connect(lambda on, kind=kind: self._toggled(kind, on))
                self._layout.add_widget(button)
                self.buttons[kind] = button
        for kind, count in counts.items():
            button = self.buttons[kind]
            button.setText(f"{KINDS[kind]} {count:,}")
            button.setToolTip(f"List only the {count:,} who {TIPS[kind]}; click again "
                              "to list everyone")
            button.blockSignals(True)
            button.setChecked(kind == chosen)
            button.blockSignals(False)
        self.setVisible(bool(counts))

    def let_go(self, but: str | None = None) -> None:
        """No kind checked (or only `but`), without saying so."""
        for kind, button in self.buttons.items():
            if kind != but and button.isChecked():
                button.blockSignals(True)
                button.setChecked(False)
                button.blockSignals(False)

    def _toggled(self, kind: str, on: bool) -> None:
        if on:  # one kind at a time
            self.let_go(but=kind)
        self.chosen.emit(kind if on else None)
