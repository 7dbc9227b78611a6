"""The condition builder: conditions of attribute, comparator and value, joined by
all/any, in groups within groups (up to the model's MAX_GROUP_DEPTH).

The comparators offered follow the attribute's type (numbers compare, text matches, dates
fall before or after...), and the value editor follows the comparator, so every row is a
valid condition at every moment. Dates are edited in the journey's time zone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.icons import icon
from app.properties.condition_values import carried_value, default_value, value_widgets
from app.properties.fields import PathCombo, ValueCombo
from engine.model import (
    MAX_GROUP_DEPTH,
    OP_LABELS,
    OPS_BY_TYPE,
    AttributeType,
    Catalog,
    Condition,
    ConditionGroup,
    Op,
    Source,
)

SOURCE_LABELS = {Source.TRIGGER: "Trigger", Source.CONTACT: "Contact", Source.SEGMENT: "Segment"}
JOINS = [("All of these are true", "and"), ("Any of these is true", "or")]
EVERYONE = "No conditions: everyone qualifies."


class AttributeChoices:
    """What a condition can read here: trigger attributes, contact attributes, segments."""

    def __init__(self, catalog: Catalog, trigger: str | None, sources: tuple[Source, ...],
                 zone: str = "UTC"):
        self.catalog, self.zone = catalog, zone  # zone: where dates are shown and edited
        self.sources = tuple(s for s in sources if s != Source.TRIGGER or trigger)
        definition = catalog.triggers.get(trigger or "")
        trigger_attrs = catalog.trigger_attributes(definition) if definition else []
        contact_attrs = list(catalog.contact_attributes.values())
        self._paths = {
            Source.TRIGGER: catalog.attribute_paths(trigger_attrs),
            Source.CONTACT: catalog.attribute_paths(contact_attrs),
        }
        self._titles = {Source.TRIGGER: catalog.attribute_titles(trigger_attrs),
                        Source.CONTACT: catalog.attribute_titles(contact_attrs)}
        # A record trigger fires when these change: what a new condition most likely reads.
        record = definition.record if definition else None
        self._watched = [f"{record.table}.{column}" for column in record.columns] \
            if record else []

    def attributes(self, source: Source) -> list[tuple[str, str]]:
        """(label, path): an attribute by its title, as the Contacts and Triggers pages
        show it ("First name", "Case › Status"; the names, firstname and case.status, were
        listed), by its path only when two share a title."""
        if source == Source.SEGMENT:
            return [(s.name, s.id) for s in self.catalog.segments.values()]
        titles = self._titles[source]
        shared = {t for t, n in Counter(titles.values()).items() if n > 1}
        return [(titles.get(path, path) if titles.get(path) not in shared else
                 f"{titles[path]} ({path})", path) for path, _kind in self._paths[source]]

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
                path = self._likely(source, [path for _label, path in attributes])
                op = self.ops(source, path, None)[0]
                return Condition(source=source, attribute=path, op=op,
                                 value=default_value(op, self.zone))
        return None

    def _likely(self, source: Source, paths: list[str]) -> str:
        """Where a new condition starts: a record trigger's first watched column, else
        the first attribute that holds a value. It started on the first, which for a
        record trigger is the whole record ("Support ticket equals …")."""
        if source == Source.TRIGGER:
            watched = next((path for path in self._watched if path in paths), None)
            if watched is not None:
                return watched
        return next((path for path in paths
                     if self.type_of(source, path) != AttributeType.ENTITY), paths[0])


class ConditionRow(QFrame):
    """One condition; `edited(condition, typing)` when the user changes it."""

    edited = Signal(object, bool)
    removed = Signal()

    def __init__(self, condition: Condition, choices: AttributeChoices) -> None:
        super().__init__()
        self.setObjectName("conditionRow")
        self.choices, self.condition = choices, condition
        self.source = ValueCombo([(SOURCE_LABELS[s], s) for s in choices.sources])
        self.attribute = PathCombo()
        self.op = ValueCombo()
        remove = QToolButton(icon=icon("remove"), toolTip="Remove this condition")
        remove.setObjectName("removeCondition")
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
        for widget in value_widgets(self.condition, self.choices.zone, self._value_edited):
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
        value = self.condition.value if op == self.condition.op \
            else default_value(op, self.choices.zone)
        self._replace(source=source, attribute=path, op=op, value=value)
        self._fill()

    def _op_chosen(self, op: Op) -> None:
        value = carried_value(self.condition.value, self.condition.op, op, self.choices.zone)
        self._replace(op=op, value=default_value(op, self.choices.zone) if value is None
                      else value)
        self._fill_value()

    def _value_edited(self, value: Any, typing: bool = False) -> None:
        self._replace(typing=typing, value=value)




class GroupEditor(QFrame):
    """A group's join and its items: condition rows, and groups within it (framed).

    `edited(group, typing, rebuild)` after each change; `rebuild` when items came or went,
    so the builder lays the rows out again (typing never rebuilds: the field keeps focus).
    """

    edited = Signal(object, bool, bool)
    removed = Signal()

    def __init__(self, group: ConditionGroup, choices: AttributeChoices, depth: int = 1,
                 empty_text: str = EVERYONE) -> None:
        super().__init__()
        self.group, self.choices, self.depth = group, choices, depth
        self.setObjectName("conditionGroup" if depth > 1 else "conditionRoot")
        layout = QVBoxLayout(self)
        margin = 8 if depth > 1 else 0
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(6)
        layout.addLayout(self._header())
        if not group.items and depth == 1:
            empty = QLabel(empty_text)
            empty.setObjectName("hint")
            layout.addWidget(empty)
        for index, item in enumerate(group.items):
            layout.addWidget(self._item(index, item))
        layout.addLayout(self._footer())

    def groups(self) -> list[GroupEditor]:
        """The groups directly within this one, in order."""
        return [w for w in self.findChildren(GroupEditor) if w.parentWidget() is self]

    def _header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        header.setSpacing(6)
        self.join = ValueCombo(JOINS)
        self.join.setObjectName("conditionJoin")
        self.join.set_value(self.group.join)
        self.join.value_chosen.connect(self._join)
        self.join.setVisible(len(self.group.items) > 1)
        header.addWidget(self.join, 1)
        if self.depth > 1:
            if len(self.group.items) <= 1:
                header.addWidget(QLabel("Group"), 1)
            self.remove_button = QToolButton(icon=icon("remove"), toolTip="Remove this group")
            self.remove_button.setObjectName("removeGroup")
            self.remove_button.clicked.connect(self.removed.emit)
            header.addWidget(self.remove_button)
        return header

    def _footer(self) -> QHBoxLayout:
        footer = QHBoxLayout()
        footer.setSpacing(4)
        can_add = self.choices.first_condition() is not None
        add = self.add_button = _flat_button("Add condition", "addCondition",
                                             self._add_condition)
        group = self.group_button = _flat_button("Add group", "addGroup", self._add_group)
        add.setEnabled(can_add)
        group.setEnabled(can_add and self.depth < MAX_GROUP_DEPTH)
        group.setToolTip("Conditions joined the other way, inside this group" if
                         self.depth < MAX_GROUP_DEPTH else
                         f"Groups nest at most {MAX_GROUP_DEPTH} deep")
        footer.addWidget(add)
        footer.addWidget(group)
        footer.addStretch(1)
        return footer

    def _item(self, index: int, item: Condition | ConditionGroup) -> QWidget:
        if isinstance(item, ConditionGroup):
            inner = GroupEditor(item, self.choices, self.depth + 1)
            inner.edited.connect(lambda g, typing, rebuild, i=index:
                                 self._set_item(i, g, typing, rebuild))
            inner.removed.connect(lambda i=index: self._remove(i))
            return inner
        row = ConditionRow(item, self.choices)
        row.edited.connect(lambda c, typing, i=index: self._set_item(i, c, typing, False))
        row.removed.connect(lambda i=index: self._remove(i))
        return row

    def _emit(self, typing: bool, rebuild: bool, **changes: Any) -> None:
        self.group = self.group.model_copy(update=changes)
        self.edited.emit(self.group, typing, rebuild)

    def _join(self, join: str) -> None:
        self._emit(False, False, join=join)

    def _set_item(self, index: int, item: Any, typing: bool, rebuild: bool) -> None:
        items = list(self.group.items)
        items[index] = item
        self._emit(typing, rebuild, items=items)

    def _remove(self, index: int) -> None:
        self._emit(False, True, items=[c for i, c in enumerate(self.group.items) if i != index])

    def _add_condition(self) -> None:
        condition = self.choices.first_condition()
        if condition is not None:
            self._emit(False, True, items=[*self.group.items, condition])

    def _add_group(self) -> None:
        condition = self.choices.first_condition()
        if condition is not None and self.depth < MAX_GROUP_DEPTH:
            other_way = "or" if self.group.join == "and" else "and"
            inner = ConditionGroup(join=other_way, items=[condition])
            self._emit(False, True, items=[*self.group.items, inner])


def _flat_button(text: str, name: str, slot) -> QPushButton:
    button = QPushButton(icon("add"), text)
    button.setObjectName("flat")
    button.setProperty("role", name)
    button.clicked.connect(slot)
    return button


class ConditionBuilder(QWidget):
    """A group of conditions, groups within it; `changed(group, typing)` after every edit."""

    changed = Signal(object, bool)

    def __init__(self, choices: AttributeChoices, parent: QWidget | None = None,
                 empty_text: str = EVERYONE) -> None:
        super().__init__(parent)
        self.choices, self.empty_text = choices, empty_text
        self.group_value: ConditionGroup | None = ConditionGroup()
        self.root: GroupEditor | None = None
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.set_group(None)

    def set_group(self, group: ConditionGroup | None) -> None:
        """Show `group` (laid out again: after an undo, a load or a structural edit)."""
        self.group_value = group or ConditionGroup()
        if self.root is not None:
            self.box.removeWidget(self.root)
            self.root.deleteLater()
        self.root = GroupEditor(self.group_value, self.choices, empty_text=self.empty_text)
        self.root.edited.connect(self._edited)
        self.box.addWidget(self.root)

    def _edited(self, group: ConditionGroup, typing: bool, rebuild: bool) -> None:
        self.group_value = group
        self.changed.emit(group, typing)
        if rebuild:
            self.set_group(group)
