"""One typed field per trigger attribute, for the fire dialog.

Each field gives the JSON value it holds (None: not given) and the path the engine's
payload checks name it by (`attributes.cart_total`, `attributes.case.status`), so a
refusal can be shown on the very widget. A value that does not parse (letters in a
number) is passed on as typed: the engine's check then says what was expected.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.wheel_guard import SteadyCombo, SteadyDateTimeEdit
from engine.model import AttributeDef, AttributeType, Catalog
from engine.model.catalog import MAX_ENTITY_DEPTH


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Draw the widget's border in the error colour (`[invalid="true"]` in the QSS)."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class AttributeField:
    """A field: `widget` to place, `value()` to send, `path` the engine names it by."""

    def __init__(self, attr: AttributeDef, path: str, widget: QWidget) -> None:
        self.attr, self.path, self.widget = attr, path, widget
        tip = attr.description or attr.title or attr.name
        widget.setToolTip(f"{tip}\n{_type_text(attr)}{' · required' if attr.required else ''}")
        widget.setObjectName(f"field:{path}")

    def value(self) -> Any:
        raise NotImplementedError

    def state(self) -> Any:
        """What is in the field as typed, to be put back (`restore`) in a form rebuilt."""
        return self.widget.text()

    def restore(self, state: Any) -> None:
        self.widget.setText(state)

    def fields(self) -> list[AttributeField]:
        """This field and those inside it (an entity's columns)."""
        return [self]

    def focus(self) -> None:
        self.widget.setFocus(Qt.FocusReason.OtherFocusReason)


class TextField(AttributeField):
    def __init__(self, attr: AttributeDef, path: str) -> None:
        super().__init__(attr, path, QLineEdit())
        self.widget.setPlaceholderText("text")

    def value(self) -> Any:
        return self.widget.text() or None


class NumberField(AttributeField):
    def __init__(self, attr: AttributeDef, path: str) -> None:
        super().__init__(attr, path, QLineEdit())
        self.widget.setPlaceholderText("a number, e.g. 80 or 12.5")

    def value(self) -> Any:
        text = self.widget.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return self.widget.text()  # refused by the payload check, which names the type
        return int(number) if number.is_integer() and "." not in text else number


class BooleanField(AttributeField):
    CHOICES = (("not given", None), ("true", True), ("false", False))

    def __init__(self, attr: AttributeDef, path: str) -> None:
        box = SteadyCombo()
        for text, data in self.CHOICES:
            box.addItem(text, data)
        super().__init__(attr, path, box)

    def value(self) -> Any:
        return self.widget.currentData()

    def state(self) -> Any:
        return self.widget.currentIndex()

    def restore(self, state: Any) -> None:
        self.widget.setCurrentIndex(state)


class DateTimeField(AttributeField):
    """A date/time picker; a checkbox says whether the value is sent at all."""

    def __init__(self, attr: AttributeDef, path: str) -> None:
        row = QWidget()
        self.given = QCheckBox()
        self.given.setChecked(attr.required)
        self.given.setToolTip("Send this date/time")
        self.picker = SteadyDateTimeEdit(QDateTime.currentDateTime())
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.picker.setEnabled(attr.required)
        self.given.toggled.connect(self.picker.setEnabled)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.given)
        layout.addWidget(self.picker, 1)
        super().__init__(attr, path, row)

    def value(self) -> Any:
        if not self.given.isChecked():
            return None
        return self.picker.dateTime().toUTC().toString(Qt.DateFormat.ISODate)  # ...Z

    def state(self) -> Any:
        return self.given.isChecked(), self.picker.dateTime()

    def restore(self, state: Any) -> None:
        given, when = state
        self.given.setChecked(given)
        self.picker.setDateTime(when)

    def focus(self) -> None:
        self.picker.setFocus(Qt.FocusReason.OtherFocusReason)


class EntityField(AttributeField):
    """A record (an order, a case): its id and the record table's columns, in a group."""

    def __init__(self, attr: AttributeDef, path: str, catalog: Catalog, depth: int) -> None:
        group = QGroupBox(attr.title or attr.name)
        group.setObjectName("entityGroup")
        form = QFormLayout(group)
        self.id = QLineEdit()
        self.id.setPlaceholderText("the record's id")
        form.addRow("id", self.id)
        table = catalog.record_tables.get(attr.entity or "")
        self.columns = build_fields(table.columns if table else [], catalog, path, depth + 1)
        for field in self.columns:
            form.addRow(field_label(field.attr), field.widget)
        super().__init__(attr, path, group)

    def value(self) -> Any:
        values = {f.attr.name: v for f in self.columns if (v := f.value()) is not None}
        if self.id.text().strip():
            values = {"id": self.id.text().strip(), **values}
        return values or None

    def state(self) -> Any:
        return self.id.text()  # its columns are fields of their own

    def restore(self, state: Any) -> None:
        self.id.setText(state)

    def fields(self) -> list[AttributeField]:
        return [self, *(inner for f in self.columns for inner in f.fields())]


def build_fields(attrs: list[AttributeDef], catalog: Catalog, path: str = "attributes",
                 depth: int = 0) -> list[AttributeField]:
    """A field for each attribute, named `path.name` (`name` with no path: a record's
    columns)."""
    kinds = {AttributeType.TEXT: TextField, AttributeType.NUMBER: NumberField,
             AttributeType.BOOLEAN: BooleanField, AttributeType.DATETIME: DateTimeField}
    fields: list[AttributeField] = []
    for attr in attrs:
        if attr.type == AttributeType.ENTITY:
            if depth < MAX_ENTITY_DEPTH:
                fields.append(EntityField(attr, _path(path, attr), catalog, depth))
        else:
            fields.append(kinds[attr.type](attr, _path(path, attr)))
    return fields


def _path(path: str, attr: AttributeDef) -> str:
    """Where the engine names the field: `attributes.cart_total` in an event, a record's
    column by its name (`status`)."""
    return f"{path}.{attr.name}" if path else attr.name


def field_label(attr: AttributeDef) -> QLabel:
    """The attribute's title; a required one is marked with an accent asterisk."""
    title = attr.title or attr.name
    label = QLabel(f"{title} <span style='color: palette(highlight)'>*</span>"
                   if attr.required else title)
    label.setToolTip(f"{attr.name}: {_type_text(attr)}"
                     f"{' (required)' if attr.required else ''}")
    return label


def _type_text(attr: AttributeDef) -> str:
    if attr.type == AttributeType.ENTITY:
        return f"a record of {attr.entity}"
    return {AttributeType.TEXT: "text", AttributeType.NUMBER: "a number",
            AttributeType.BOOLEAN: "true or false",
            AttributeType.DATETIME: "a date and time"}[attr.type]
