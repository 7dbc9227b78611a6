"""File → New journey…: the journey's name and the trigger it starts on.

It asked for a name alone, and a new journey then stood on the canvas as a start tile
with no trigger, which the properties panel asked for next. Now the trigger is chosen
here too (or left for later, on the start tile: a segment-based journey is made there);
while the name has not been typed, it follows the trigger ("Abandoned cart").
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from app.dialogs.column import dialog_column
from app.properties.fields import hint

LATER = "Choose later, on the start tile"


class NewJourneyDialog(QDialog):
    def __init__(self, triggers: list[tuple[str, str]], name: str, trigger: str | None,
                 parent: QWidget | None = None) -> None:
        """`triggers`: (title, name) a journey may start on; `trigger`: the one chosen."""
        super().__init__(parent)
        self.setObjectName("newJourney")
        self.setWindowTitle("New journey")
        self.name = QLineEdit(name, objectName="journeyName")
        self.name.setMinimumWidth(360)
        self.name.setMaxLength(150)
        self.name.selectAll()
        self.trigger = QComboBox(objectName="journeyTrigger")
        self.trigger.addItem(LATER, None)
        for title, value in triggers:
            self.trigger.addItem(title, value)
        self.trigger.setCurrentIndex(max(0, self.trigger.findData(trigger)))
        # the name follows the trigger until one is typed (a default is not typed)
        self._typed = name not in ("New journey", self.trigger.currentText())
        about = hint("People enter when the trigger fires for them. A journey for a segment "
                     "on a schedule is chosen on the start tile.")
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Starts when:", self.trigger)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textEdited.connect(self._name_typed)
        self.trigger.currentIndexChanged.connect(self._trigger_chosen)
        dialog_column(self, form, about, self.buttons)
        self.create.setEnabled(bool(name.strip()))

    def _name_typed(self, text: str) -> None:
        self._typed = True
        self.create.setEnabled(bool(text.strip()))

    def _trigger_chosen(self, _index: int) -> None:
        if not self._typed and self.trigger.currentData() is not None:
            self.name.setText(self.trigger.currentText())
            self.name.selectAll()

    def chosen(self) -> tuple[str, str | None]:
        return self.name.text().strip(), self.trigger.currentData()
