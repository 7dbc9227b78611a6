"""The condition builder: rows of attribute, comparator, value, joined by all/any.

The comparators offered follow the attribute's type (numbers compare, text matches, dates
fall before or after...), and the value editor follows the comparator, so every row is a
valid condition at every moment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QDateEdit,
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
from app.properties.fields import NumberField, ValueCombo
from engine.model import (
    OP_LABELS,
    OPS_BY_TYPE,
    AttributeType,
    Catalog,
    Condition,
    ConditionGroup,
    Op,
    Source,
)

NO_VALUE = {Op.IS_EMPTY, Op.IS_TRUE, Op.IS_FALSE, Op.EXISTS, Op.NOT_EXISTS, Op.IN_SEGMENT,
            Op.NOT_IN_SEGMENT}
NUMBER = {Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE}
DATE = {Op.BEFORE, Op.ON, Op.AFTER}
DAYS = {Op.WITHIN_LAST, Op.WITHIN_NEXT}
SOURCE_LABELS = {Source.TRIGGER: "Trigger", Source.CONTACT: "Contact", Source.SEGMENT: "Segment"}


def default_value(op: Op) -> Any:
    if op in NO_VALUE:
        return None
    if op in NUMBER:
        return 0
    if op == Op.BETWEEN:
        return [0, 100]
    if op in DATE:
        return date.today().isoformat()
    if op in DAYS:
        return 7
    return ""


class AttributeChoices:
    """What a condition can read here: trigger attributes, contact attributes, segments."""

    def __init__(self, catalog: Catalog, trigger: str | None, sources: tuple[Source, ...]):
        self.catalog = catalog
        self.sources = tuple(s for s in sources if s != Source.TRIGGER or trigger)
        self._paths = {
            Source.TRIGGER: catalog.trigger_attribute_paths(trigger) if trigger else [],
            Source.CONTACT: catalog.attribute_paths(list(catalog.contact_attributes.values())),
        }

    def attributes(self, source: Source) -> list[tuple[str, str]]:
        if source == Source.SEGMENT:
            return [(s.name, s.id) for s in self.catalog.segments.values()]
        return [(path, path) for path, _kind in self._paths[source]]

    def type_of(self, source: Source, path: str) -> AttributeType | None:
        return next((k for p, k in self._paths.get(source, []) if p == path), None)

    def ops(self, source: Source, path: str, current: Op | None) -> list[Op]:
        if source == Source.SEGMENT:
            return [Op.IN_SEGMENT, Op.NOT_IN_SEGMENT]
        kind = self.type_of(source, path)
        if kind is None:
            return list(dict.fromkeys([*([current] if current else []), Op.EXISTS,
                                       Op.NOT_EXISTS]))
        return list(OPS_BY_TYPE[kind])

    def first_condition(self) -> Condition | None:
        for source in self.sources:
            attributes = self.attributes(source)
            if attributes:
                path = attributes[0][1]
                op = self.ops(source, path, None)[0]
                return Condition(source=source, attribute=path, op=op, value=default_value(op))
        return None


class ConditionRow(QFrame):
    """One condition; `edited(condition, typing)` when the user changes it."""

    edited = Signal(object, bool)
    removed = Signal()

    def __init__(self, condition: Condition, choices: AttributeChoices) -> None:
        super().__init__()
        self.setObjectName("conditionRow")
        self.choices, self.condition = choices, condition
        self.source = ValueCombo([(SOURCE_LABELS[s], s) for s in choices.sources])
        self.attribute = ValueCombo()
        self.op = ValueCombo()
        remove = QToolButton(icon=icon("remove"), toolTip="Remove this condition")
        remove.clicked.connect(self.removed.emit)
        self.value_box = QHBoxLayout()
        self.value_box.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 8, 8, 8)
        grid.setSpacing(6)
        grid.addWidget(self.source, 0, 0)
        grid.addWidget(self.attribute, 0, 1)
        grid.addWidget(remove, 0, 2)
        grid.addWidget(self.op, 1, 0)
        grid.addLayout(self.value_box, 1, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        self.source.value_chosen.connect(self._source_chosen)
        self.attribute.value_chosen.connect(self._attribute_chosen)
        self.op.value_chosen.connect(self._op_chosen)
        self._fill()

    def _fill(self) -> None:
        c = self.condition
        self.source.set_value(c.source, missing_label=SOURCE_LABELS[c.source])
        self.attribute.set_choices(self.choices.attributes(c.source))
        self.attribute.set_value(c.attribute, missing_label=f"{c.attribute} (unknown)")
        self.op.set_choices([(OP_LABELS[o], o) for o in self.choices.ops(c.source, c.attribute,
                                                                        c.op)])
        self.op.set_value(c.op, missing_label=OP_LABELS[c.op])
        self._fill_value()

    def _fill_value(self) -> None:
        while self.value_box.count():
            self.value_box.takeAt(0).widget().deleteLater()
        for widget in _value_widgets(self.condition, self._value_edited):
            self.value_box.addWidget(widget, 1)

    def _replace(self, typing: bool = False, **changes: Any) -> None:
        data = {**self.condition.model_dump(), **changes}
        self.condition = Condition.model_validate(data)
        self.edited.emit(self.condition, typing)

    def _source_chosen(self, source: Source) -> None:
        attributes = self.choices.attributes(source)
        path = attributes[0][1] if attributes else "attribute"
        self._attribute_chosen(path, source)

    def _attribute_chosen(self, path: str, source: Source | None = None) -> None:
        source = source or self.condition.source
        ops = self.choices.ops(source, path, None)
        op = self.condition.op if self.condition.op in ops and source == self.condition.source \
            else ops[0]
        value = self.condition.value if op == self.condition.op else default_value(op)
        self._replace(source=source, attribute=path, op=op, value=value)
        self._fill()

    def _op_chosen(self, op: Op) -> None:
        same_kind = _value_kind(op) == _value_kind(self.condition.op)
        self._replace(op=op, value=self.condition.value if same_kind else default_value(op))
        self._fill_value()

    def _value_edited(self, value: Any, typing: bool = False) -> None:
        self._replace(typing=typing, value=value)


def _value_kind(op: Op) -> str:
    for name, ops in (("none", NO_VALUE), ("number", NUMBER), ("date", DATE), ("days", DAYS)):
        if op in ops:
            return name
    return "between" if op == Op.BETWEEN else "text"


def _value_widgets(condition: Condition, edited) -> list[QWidget]:
    kind, value = _value_kind(condition.op), condition.value
    if kind == "none":
        return [QLabel("")]
    if kind == "number":
        return [_number(value, edited)]
    if kind == "between":
        low, high = value
        bounds = [low, high]

        def edit_bound(index: int, number: float, typing: bool = True) -> None:
            bounds[index] = number
            edited(list(bounds), typing)

        low_box = _number(low, lambda v, typing=True: edit_bound(0, v, typing))
        high_box = _number(high, lambda v, typing=True: edit_bound(1, v, typing))
        return [low_box, QLabel("and"), high_box]
    if kind == "days":
        days = NumberField(1, 3650)
        days.setText(str(value))
        days.value_changed.connect(lambda v: edited(v, True))
        return [days, QLabel("days")]
    if kind == "date":
        when = QDateEdit(QDate.fromString(str(value)[:10], "yyyy-MM-dd"), calendarPopup=True)
        when.setDisplayFormat("d MMM yyyy")
        when.dateChanged.connect(lambda d: edited(d.toString("yyyy-MM-dd")))
        return [when]
    text = QLineEdit(str(value), placeholderText="value")
    text.textEdited.connect(lambda t: edited(t, True))
    return [text]


def _number(value: float, edited) -> QLineEdit:
    box = QLineEdit(f"{value:g}")
    box.setValidator(QDoubleValidator(box))
    box.textEdited.connect(lambda text: _number_edited(text, edited))
    return box


def _number_edited(text: str, edited) -> None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return  # still typing ("-", "")
    edited(int(number) if number.is_integer() else number, True)


class ConditionBuilder(QWidget):
    """A group of conditions; `changed(group, typing)` after every edit."""

    changed = Signal(object, bool)

    def __init__(self, choices: AttributeChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self.group_value = ConditionGroup()
        self.join = ValueCombo([("All of these are true", "and"),
                                ("Any of these is true", "or")])
        self.join.value_chosen.connect(lambda j: self._emit(join=j))
        self.rows = QVBoxLayout()
        self.rows.setSpacing(6)
        add = QPushButton(icon("add"), "Add condition")
        add.setObjectName("flat")
        add.clicked.connect(self._add)
        self.empty = QLabel("No conditions: everyone qualifies.")
        self.empty.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.join)
        layout.addWidget(self.empty)
        layout.addLayout(self.rows)
        layout.addWidget(add)

    def set_group(self, group: ConditionGroup | None) -> None:
        self.group_value = group or ConditionGroup()
        self.join.set_value(self.group_value.join)
        while self.rows.count():
            self.rows.takeAt(0).widget().deleteLater()
        for index, item in enumerate(self.group_value.items):
            self.rows.addWidget(self._row(index, item))
        self.empty.setVisible(not self.group_value.items)
        self.join.setVisible(len(self.group_value.items) > 1)

    def _row(self, index: int, item: Condition | ConditionGroup) -> QWidget:
        if isinstance(item, ConditionGroup):
            label = QLabel(f"({item.describe()})")
            label.setWordWrap(True)
            label.setToolTip("A nested group; edit it in the bundle's JSON.")
            return label
        row = ConditionRow(item, self.choices)
        row.edited.connect(lambda c, typing, i=index: self._set_item(i, c, typing))
        row.removed.connect(lambda i=index: self._remove(i))
        return row

    def _emit(self, typing: bool = False, **changes: Any) -> None:
        self.group_value = self.group_value.model_copy(update=changes)
        self.changed.emit(self.group_value, typing)

    def _set_item(self, index: int, condition: Condition, typing: bool) -> None:
        items = list(self.group_value.items)
        items[index] = condition
        self._emit(typing, items=items)

    def _remove(self, index: int) -> None:
        items = [c for i, c in enumerate(self.group_value.items) if i != index]
        self._emit(items=items)
        self.set_group(self.group_value)

    def _add(self) -> None:
        condition = self.choices.first_condition()
        if condition is not None:
            self._emit(items=[*self.group_value.items, condition])
            self.set_group(self.group_value)
