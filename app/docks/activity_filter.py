"""The Activity dock's filter bar: a journey, a person, the kinds to show."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QToolButton, QWidget

from app.engine_link import ActivityFilter
from app.flow_layout import FlowLayout
from app.icons import icon

from .activity_model import KIND_GROUPS

TYPING_PAUSE_MS = 300  # the person search asks the engine once typing stops


class ActivityFilterBar(QWidget):
    changed = Signal(object)  # ActivityFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activityFilters")
        self.journey = QComboBox()
        self.journey.setObjectName("activityJourney")
        self.journey.setToolTip("Show what happened in one journey")
        self.journey.addItem("All journeys", None)
        self.journey.setMinimumContentsLength(12)
        self.journey.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.person = QLineEdit()
        self.person.setObjectName("activityPerson")
        self.person.setPlaceholderText("Person (contact id)")
        self.person.setClearButtonEnabled(True)
        self.person.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.person.setToolTip("Show one person's activity: their contact id, exactly "
                               "(Ctrl+F)")
        self.person.setMinimumWidth(150)
        self.kinds: dict[str, QToolButton] = {name: _toggle(name) for name in KIND_GROUPS}
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._changed)
        # One line when the dock is wide enough, else the chips wrap onto the next: in a
        # row they set the window's minimum width (886 px of it).
        layout = FlowLayout(self, spacing=4)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.journey)
        layout.add_widget(self.person, stretch=True)
        for number, button in enumerate(self.kinds.values()):
            layout.add_widget(button, new_line=number == 0)
        self.journey.currentIndexChanged.connect(self._changed)
        self.person.textEdited.connect(lambda _text: self._typing.start())
        self.person.returnPressed.connect(self._changed)
        for button in self.kinds.values():
            button.toggled.connect(self._changed)

    def current(self) -> ActivityFilter:
        chosen = [name for name, button in self.kinds.items() if button.isChecked()]
        kinds = None if len(chosen) == len(self.kinds) else \
            frozenset().union(*(KIND_GROUPS[name] for name in chosen))
        return ActivityFilter(self.journey.currentData(), self.person.text().strip() or None,
                              kinds)

    def set_journeys(self, journeys: list[tuple[str, str]]) -> None:
        """(id, name) of the workspace's journeys; the chosen one stays chosen."""
        chosen = self.journey.currentData()
        self.journey.blockSignals(True)
        self.journey.clear()
        self.journey.addItem("All journeys", None)
        for journey_id, name in journeys:
            self.journey.addItem(icon("journey"), name, journey_id)
        found = self.journey.findData(chosen)
        self.journey.setCurrentIndex(max(found, 0))
        self.journey.blockSignals(False)
        if found < 0 and chosen is not None:
            self._changed()

    def show_person(self, person: str) -> None:
        self.person.setText(person)
        self._changed()

    def _changed(self) -> None:
        self._typing.stop()
        self.changed.emit(self.current())


def _toggle(name: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName("kindToggle")
    button.setText(name)
    button.setCheckable(True)
    button.setChecked(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setToolTip(f"Show or hide {name.lower()}: {', '.join(sorted(KIND_GROUPS[name]))}")
    return button
