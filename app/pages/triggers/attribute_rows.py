"""An editable list of typed attributes — a custom trigger's, or a new record table's
columns: name, type (a record table for references), required, description; add,
remove, move up and down."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.properties.fields import ValueCombo, hint, quiet
from engine.model import AttributeDef

TYPES = [("Text", "text"), ("Number", "number"), ("True/false", "boolean"),
         ("Date/time", "datetime"), ("Record (reference)", "entity")]


class AttributeRow(QFrame):
    """One attribute: name, type and table on the first line, description below."""

    changed = Signal()
    moved = Signal(object, int)  # the row, -1 up or +1 down
    removed = Signal(object)

    def __init__(self, with_required: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attributeRow")
        self.kept: dict[str, Any] = {}  # what the form does not edit (a title) stays as it was
        self.name = QLineEdit(placeholderText="name, e.g. cart_total")
        self.type = ValueCombo(TYPES)
        self.type.setMinimumContentsLength(16)
        self.table = ValueCombo()
        self.table.setToolTip("The record table this attribute refers to")
        self.required = QCheckBox("Required")
        self.required.setVisible(with_required)
        self.description = QLineEdit(placeholderText="What it holds, for the people who "
                                                     "build journeys with it")
        self.tools = [self._tool("up", "Move up", lambda: self.moved.emit(self, -1)),
                      self._tool("down", "Move down", lambda: self.moved.emit(self, 1)),
                      self._tool("remove", "Remove", lambda: self.removed.emit(self))]
        self._lay_out()
        for signal in (self.name.textEdited, self.description.textEdited,
                       self.required.toggled, self.type.value_chosen, self.table.value_chosen):
            signal.connect(lambda *_: self.changed.emit())
        self.type.value_chosen.connect(lambda _v: self._type_chosen())
        self._type_chosen()

    def _tool(self, name: str, tip: str, slot) -> QToolButton:
        button = QToolButton(icon=icon(name), toolTip=tip, autoRaise=True)
        button.clicked.connect(slot)
        return button

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 8, 6, 8)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.type, 0, 1)
        middle = QHBoxLayout()  # the table shows for references only; nothing moves then
        middle.addWidget(self.table, 1)
        middle.addWidget(self.required)
        grid.addLayout(middle, 0, 2)
        tools = QHBoxLayout()
        tools.setSpacing(0)
        for button in self.tools:
            tools.addWidget(button)
        grid.addLayout(tools, 0, 3)
        grid.addWidget(self.description, 1, 0, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(2, 2)

    def _type_chosen(self) -> None:
        self.table.setVisible(self.type.value() == "entity")

    def set_tables(self, choices: list[tuple[str, str]]) -> None:
        self.table.set_choices(choices)

    def set_attribute(self, attribute: AttributeDef) -> None:
        with quiet(self.name, self.description, self.required):
            self.name.setText(attribute.name)
            self.description.setText(attribute.description)
            self.required.setChecked(attribute.required)
        self.type.set_value(attribute.type.value)
        self.table.set_value(attribute.entity, missing_label=f"{attribute.entity} (missing)")
        self.kept = {"title": attribute.title} if attribute.title else {}
        self._type_chosen()

    def data(self) -> dict[str, Any]:
        kind = self.type.value()
        return {**self.kept, "name": self.name.text().strip(), "type": kind,
                "entity": self.table.value() if kind == "entity" else None,
                "required": self.required.isChecked(),
                "description": self.description.text().strip()}

    def part(self, name: str) -> QWidget:
        """The widget an error about `name` (name, type, entity...) belongs beside."""
        return {"type": self.type, "entity": self.table, "required": self.required,
                "description": self.description}.get(name, self.name)

    def set_editable(self, editable: bool) -> None:
        for widget in (self.name, self.type, self.table, self.required, self.description):
            widget.setEnabled(editable)
        for tool in self.tools:  # a built-in trigger's: not there, rather than greyed
            tool.setVisible(editable)


class AttributeList(QWidget):
    """The rows, a count ("3 of 29 attributes") and Add; at most `limit` rows."""

    changed = Signal()

    def __init__(self, noun: str = "attribute", limit: int | None = None,
                 with_required: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun, self.limit, self.with_required = noun, limit, with_required
        self.rows: list[AttributeRow] = []
        self.tables: list[tuple[str, str]] = []
        self.editable = True
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.add_button = QPushButton(icon("add"), f"Add {noun}")
        self.add_button.clicked.connect(lambda: self.add().name.setFocus())
        self.empty = hint(f"No {noun}s yet — Add {noun}.")
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        header = QHBoxLayout()
        header.addWidget(self.count, 1)
        header.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body)
        layout.addWidget(self.empty)
        layout.addLayout(header)
        self._counted()

    def set_tables(self, choices: list[tuple[str, str]]) -> None:
        self.tables = choices
        for row in self.rows:
            row.set_tables(choices)

    def set_attributes(self, attributes: list[AttributeDef]) -> None:
        for row in list(self.rows):
            self._drop(row)
        for attribute in attributes:
            self.add(attribute, announce=False)
        self._counted()

    def add(self, attribute: AttributeDef | None = None, announce: bool = True) -> AttributeRow:
        row = AttributeRow(self.with_required)
        row.set_tables(self.tables)
        if attribute is not None:
            row.set_attribute(attribute)
        row.set_editable(self.editable)
        row.changed.connect(self.changed)
        row.moved.connect(self._move)
        row.removed.connect(self._remove)
        self.rows.append(row)
        self.body.addWidget(row)
        row.show()  # now, not at the next turn of the event loop: its name takes the focus
        self._counted()
        if announce:
            self.changed.emit()
        return row

    def data(self) -> list[dict[str, Any]]:
        return [row.data() for row in self.rows]

    def part(self, index: int, name: str) -> QWidget | None:
        return self.rows[index].part(name) if 0 <= index < len(self.rows) else None

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for row in self.rows:
            row.set_editable(editable)
        self._counted()

    def _move(self, row: AttributeRow, step: int) -> None:
        index = self.rows.index(row)
        target = index + step
        if not 0 <= target < len(self.rows):
            return
        self.rows.insert(target, self.rows.pop(index))
        self.body.removeWidget(row)
        self.body.insertWidget(target, row)
        self._counted()
        self.changed.emit()

    def _remove(self, row: AttributeRow) -> None:
        self._drop(row)
        self._counted()
        self.changed.emit()

    def _drop(self, row: AttributeRow) -> None:
        self.rows.remove(row)
        self.body.removeWidget(row)
        row.deleteLater()

    def _counted(self) -> None:
        count = len(self.rows)
        limit = f" of {self.limit}" if self.limit and self.editable else ""
        self.count.setText(f"{count}{limit} {self.noun}{'' if count == 1 and not limit else 's'}")
        full = self.limit is not None and count >= self.limit
        self.add_button.setEnabled(self.editable and not full)
        self.add_button.setVisible(self.editable)  # a built-in trigger's are Waymark's
        self.add_button.setToolTip(f"At most {self.limit} {self.noun}s" if full else "")
        self.empty.setVisible(count == 0)
        for index, row in enumerate(self.rows):
            row.tools[0].setEnabled(self.editable and index > 0)
            row.tools[1].setEnabled(self.editable and index < count - 1)
