"""A record-change trigger's source: the record table (one of the workspace's, or a new
one with its columns), the column holding the person, created / updated / either, and
the columns whose change counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.pages.triggers.attribute_rows import AttributeList
from app.properties.fields import ValueCombo, add_rows, form, hint, quiet, section
from engine.model import Catalog, RecordSource, RecordTable

NEW_TABLE = ""  # the table combo's value for "New table…"
ACTIONS = [("Created", "created"), ("Updated", "updated"), ("Created or updated", "either")]


class RecordSourceForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tables: dict[str, RecordTable] = {}
        self.table = ValueCombo()
        self.table.setObjectName("recordTable")
        self.new_table = self._new_table_box()
        self.person = ValueCombo()
        self.person.setObjectName("personColumn")
        self.actions = QButtonGroup(self)
        action_row = QHBoxLayout()
        action_row.setSpacing(18)
        for index, (label, _value) in enumerate(ACTIONS):
            button = QRadioButton(label)
            self.actions.addButton(button, index)
            action_row.addWidget(button)
        action_row.addStretch(1)
        self.columns = QListWidget()
        self.columns.setObjectName("changedColumns")
        self.columns.setMaximumHeight(150)
        layout = form()
        add_rows(layout, ("Record table", self.table), ("", self.new_table),
                 ("Column holding the person", self.person))
        layout.addRow("When a record is", action_row)
        add_rows(layout, ("Columns whose change counts", self.columns),
                 ("", hint("Updates count only when one of the ticked columns changed; "
                           "none ticked: any change counts.")))
        # How records come in, beside the form: what a system must call (the Integration
        # tab has the code once the trigger is saved; a longer line here pushed the new
        # table's Add button out of reach).
        self.arrival = hint("")
        self.arrival.setObjectName("recordArrival")
        self.arrival.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        add_rows(layout, ("", self.arrival))
        self.setLayout(layout)
        self.table.value_chosen.connect(lambda _v: self._table_chosen())
        self.person.value_chosen.connect(lambda _v: self.changed.emit())
        self.actions.idClicked.connect(lambda _i: self._action_chosen())
        self.columns.itemChanged.connect(lambda _i: self.changed.emit())

    def _new_table_box(self) -> QFrame:
        box = QFrame()
        box.setObjectName("newTable")
        self.new_name = QLineEdit(placeholderText="e.g. ticket, as in /v1/records/ticket")
        self.new_title = QLineEdit(placeholderText="e.g. Support ticket")
        self.new_columns = AttributeList("column", with_required=False)
        for signal in (self.new_name.textEdited, self.new_title.textEdited):
            signal.connect(lambda _t: self.changed.emit())
        self.new_name.textEdited.connect(lambda _t: self._say_arrival())
        self.new_columns.changed.connect(self._columns_edited)
        fields = form()
        add_rows(fields, ("Name", self.new_name), ("Display name", self.new_title),
                 ("Columns", self.new_columns))
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(section("New record table"))
        layout.addLayout(fields)
        return box

    # --- filling ---------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog) -> None:
        self.tables = dict(catalog.record_tables)
        choices = [(f"{t.title or t.name} ({t.name})", t.name) for t in self.tables.values()]
        self.table.set_choices([*choices, ("New table…", NEW_TABLE)])
        references = [(f"{t.title or t.name} ({t.name})", t.name) for t in self.tables.values()]
        self.new_columns.set_tables(references)

    def load(self, source: RecordSource | None) -> None:
        self.new_name.clear()
        self.new_title.clear()
        self.new_columns.set_attributes([])
        first = next(iter(self.tables), NEW_TABLE)
        self.table.set_value(source.table if source else first,
                             missing_label=f"{source.table} (missing)" if source else None)
        action = source.action.value if source else "either"
        self.actions.button([v for _l, v in ACTIONS].index(action)).setChecked(True)
        self._table_chosen(source, announce=False)

    def _table_chosen(self, source: RecordSource | None = None, announce: bool = True) -> None:
        self.new_table.setVisible(self.table.value() == NEW_TABLE)
        self._say_arrival()
        self._fill_columns(source)
        if announce:
            self.changed.emit()

    def _say_arrival(self) -> None:
        new = self.table.value() == NEW_TABLE
        table = (self.new_name.text().strip() or "TABLE") if new else self.table.value()
        self.arrival.setText(
            f"Records come in with an ingestion key: POST /v1/records/{table} creates one, "
            f"PATCH /v1/records/{table}/ID changes it (or `waymark records create|update "
            f"{table} …`); this trigger fires when they do.")

    def _columns_edited(self) -> None:
        self._fill_columns(None)
        self.changed.emit()

    def _fill_columns(self, source: RecordSource | None) -> None:
        """The person and changed-column choices follow the chosen (or new) table."""
        columns = self._table_columns()
        keep_person = source.person_column if source else self.person.value()
        if source is None and keep_person not in columns:  # another table: its own columns
            keep_person = None
        ticked = set(source.columns) if source else self._ticked()
        table = self.tables.get(self.table.value())
        people = [c for c in columns if table and c in table.person_columns]
        people += [c for c in columns if c not in people]
        self.person.set_choices([(name, name) for name in people])
        self.person.set_value(keep_person, missing_label=f"{keep_person} (missing)"
                              if keep_person else None)
        with quiet(self.columns):
            self.columns.clear()
            for name in columns:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in ticked
                                   else Qt.CheckState.Unchecked)
                self.columns.addItem(item)
        self._action_chosen(announce=False)

    def _table_columns(self) -> list[str]:
        if self.table.value() == NEW_TABLE:
            return [c["name"] for c in self.new_columns.data() if c["name"]]
        table = self.tables.get(self.table.value())
        return [c.name for c in table.columns] if table else []

    def _ticked(self) -> set[str]:
        return {self.columns.item(i).text() for i in range(self.columns.count())
                if self.columns.item(i).checkState() == Qt.CheckState.Checked}

    def _action_chosen(self, announce: bool = True) -> None:
        self.columns.setEnabled(self.isEnabled() and self._action() != "created")
        if announce:
            self.changed.emit()

    def _action(self) -> str:
        return ACTIONS[max(self.actions.checkedId(), 0)][1]

    # --- reading ---------------------------------------------------------------------------

    def data(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The trigger's `record` and, for a new table, the table's JSON."""
        new = self.table.value() == NEW_TABLE
        name = self.new_name.text().strip() if new else self.table.value()
        ticked = self._ticked() if self._action() != "created" else set()
        record = {"table": name, "person_column": self.person.value() or "",
                  "action": self._action(),
                  "columns": [c for c in self._table_columns() if c in ticked]}
        if not new:
            return record, None
        table = {"name": name, "title": self.new_title.text().strip(),
                 "person_columns": [record["person_column"]] if record["person_column"] else [],
                 "columns": self.new_columns.data()}
        return record, table

    def part(self, field: str) -> QWidget | None:
        """The widget for an engine field path: record.person_column, table.columns[2].name…"""
        if field.startswith("table.columns["):
            index, _, rest = field.removeprefix("table.columns[").partition("]")
            return self.new_columns.part(int(index), rest.lstrip(".") or "name")
        return {"record.table": self.table, "record.person_column": self.person,
                "record.columns": self.columns, "table.name": self.new_name,
                "table.title": self.new_title, "table.columns": self.new_columns.add_button,
                "table.person_columns": self.person}.get(field.split("[")[0])

    def set_editable(self, editable: bool) -> None:
        self.setEnabled(editable)
        self._action_chosen(announce=False)

