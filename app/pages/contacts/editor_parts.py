"""The contact editor's parts: a searchable time zone box, attribute rows typed from the
workspace's catalog (or chosen, for a free attribute), and consent rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.properties.fields import ValueCombo
from app.wheel_guard import SteadyCombo
from engine.contacts_csv import typed
from engine.model import AttributeDef, AttributeType, ConsentRecord
from engine.model.people import time_zones

TYPES = [("Text", AttributeType.TEXT), ("Number", AttributeType.NUMBER),
         ("True/false", AttributeType.BOOLEAN), ("Date/time", AttributeType.DATETIME)]
CHANNELS = [("Email", "email"), ("SMS", "sms"), ("Push", "push")]
PURPOSES = [("Commercial", "commercial"), ("Transactional", "transactional")]
STATUSES = [("Opted in", "opted_in"), ("Opted out", "opted_out")]


class AttributeValueError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class TimeZoneBox(SteadyCombo):
    """Every IANA zone this machine knows; type any part of a name to find it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItems(["", *sorted(time_zones())])
        self.lineEdit().setPlaceholderText("None: the journey's time zone is used")
        finder = QCompleter(self.model(), self)
        finder.setFilterMode(Qt.MatchFlag.MatchContains)
        finder.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        finder.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(finder)

    def value(self) -> str | None:
        return self.currentText().strip() or None

    def set_value(self, zone: str | None) -> None:
        self.setCurrentText(zone or "")


def _row_frame(*widgets: QWidget, stretch: tuple[int, ...]) -> tuple[QFrame, QToolButton]:
    frame = QFrame(objectName="editorRow")
    remove = QToolButton(icon=icon("remove"), toolTip="Remove", autoRaise=True)
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(6, 4, 4, 4)
    layout.setSpacing(6)
    for widget, factor in zip(widgets, stretch, strict=True):
        layout.addWidget(widget, factor)
    layout.addWidget(remove)
    return frame, remove


class AttributeRow(QWidget):
    """name, type, value: typed as the catalog declares the name, else as chosen."""

    removed = Signal(object)

    def __init__(self, declared: dict[str, AttributeDef], name: str = "", value: Any = None):
        super().__init__()
        self.declared = declared
        self.name = SteadyCombo(editable=True)
        self.name.addItems(sorted(declared))
        self.name.setCurrentText(name)
        self.name.lineEdit().setPlaceholderText("attribute")
        self.type = ValueCombo(TYPES)
        self.value = QLineEdit("" if value is None else _text(value))
        frame, remove = _row_frame(self.name, self.type, self.value, stretch=(3, 2, 4))
        remove.clicked.connect(lambda: self.removed.emit(self))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.name.currentTextChanged.connect(self._typed_by_name)
        self._typed_by_name(name, value)

    def _typed_by_name(self, name: str, value: Any = None) -> None:
        known = self.declared.get(name.strip())
        if known is not None and known.type != AttributeType.ENTITY:
            self.type.set_value(known.type)
        elif value is not None:
            self.type.set_value(_type_of(value))
        self.type.setEnabled(known is None)
        self.type.setToolTip("Declared in the workspace" if known else "A free attribute")
        self.value.setPlaceholderText(_placeholder(self.type.value()))

    def item(self) -> tuple[str, Any] | None:
        """(name, typed value); None for an empty row; AttributeValueError naming it."""
        name, text = self.name.currentText().strip(), self.value.text()
        if not name and not text.strip():
            return None
        if not name:
            raise AttributeValueError("", "an attribute with a value needs a name")
        try:
            return name, typed(text, self.type.value()) if text.strip() else None
        except ValueError as error:
            raise AttributeValueError(name, str(error)) from None


class ConsentRow(QWidget):
    removed = Signal(object)

    def __init__(self, consent: ConsentRecord | None = None) -> None:
        super().__init__()
        self.channel = ValueCombo(CHANNELS)
        self.purpose = ValueCombo(PURPOSES)
        self.topic = QLineEdit(placeholderText="every topic")
        self.status = ValueCombo(STATUSES)
        if consent is not None:
            self.channel.set_value(str(consent.channel))
            self.purpose.set_value(str(consent.purpose))
            self.topic.setText(consent.topic)
            self.status.set_value(consent.status)
        frame, remove = _row_frame(self.channel, self.purpose, self.topic, self.status,
                                   stretch=(2, 3, 3, 2))
        remove.clicked.connect(lambda: self.removed.emit(self))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)

    def data(self) -> dict[str, Any]:
        return {"channel": self.channel.value(), "purpose": self.purpose.value(),
                "topic": self.topic.text().strip(), "status": self.status.value()}


class RowList(QWidget):
    """Rows with an "Add …" button under them."""

    def __init__(self, add_text: str, make_row) -> None:
        super().__init__()
        self.make_row = make_row
        self.rows: list[QWidget] = []
        self.box = QVBoxLayout()
        self.box.setSpacing(4)
        add = QPushButton(icon("add"), add_text, objectName="flat")
        add.clicked.connect(lambda: self.add())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self.box)
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)

    def add(self, *args: Any) -> QWidget:
        row = self.make_row(*args)
        row.removed.connect(self._remove)
        self.rows.append(row)
        self.box.addWidget(row)
        return row

    def _remove(self, row: QWidget) -> None:
        self.rows.remove(row)
        row.deleteLater()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _type_of(value: Any) -> AttributeType:
    if isinstance(value, bool):
        return AttributeType.BOOLEAN
    if isinstance(value, int | float):
        return AttributeType.NUMBER
    return AttributeType.TEXT


def _placeholder(kind: AttributeType | None) -> str:
    return {AttributeType.NUMBER: "a number", AttributeType.BOOLEAN: "true or false",
            AttributeType.DATETIME: "2025-03-01 or 2025-03-01T09:30:00+01:00"}.get(kind, "text")
