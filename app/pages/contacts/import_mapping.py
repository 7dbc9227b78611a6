"""The import dialog's first step: the file's first rows, and what each column becomes —
a contact field, an attribute (named and typed: declared, inferred by the engine from
the first 1,000 rows, or chosen here), or nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app import theme
from app.properties.fields import ValueCombo
from engine.contacts_csv import Column
from engine.contacts_import import CsvPreview
from engine.model import AttributeType

FIELD_CHOICES = [("ID", "id"), ("Email", "email"), ("Phone", "phone"),
                 ("Push token", "push_token"), ("Time zone", "timezone"), ("Kind", "kind"),
                 ("Attribute", "attribute"), ("Skip", "skip")]
TYPE_CHOICES = [("Text", AttributeType.TEXT), ("Number", AttributeType.NUMBER),
                ("True/false", AttributeType.BOOLEAN), ("Date/time", AttributeType.DATETIME)]
HOW = {"declared": "as the workspace declares it", "inferred": "inferred from the first rows",
       "mapped": "as chosen here"}
COLUMN, SAMPLE, BECOMES, NAME, TYPE = range(5)


def spec_of(field: str, name: str = "", kind: AttributeType | None = None) -> str:
    """What the engine's mapping calls it: a field, `skip`, or `attr[.NAME][:TYPE]` (no
    name: named after the header; no type: inferred)."""
    if field != "attribute":
        return field
    return "attr" + (f".{name}" if name else "") + (f":{AttributeType(kind).value}" if kind else "")


class MappingTable(QTableWidget):
    """One row per column of the file; `mapped(header, spec)` when a person changes one."""

    mapped = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setObjectName("mappingTable")
        self.setHorizontalHeaderLabels(["Column", "First values", "Becomes", "Attribute",
                                        "Type"])
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.verticalHeader().setDefaultSectionSize(38)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((COLUMN, 140), (SAMPLE, 200), (BECOMES, 130), (NAME, 150)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(TYPE, QHeaderView.ResizeMode.Stretch)
        self.columns: list[Column] = []

    def show_columns(self, preview: CsvPreview) -> None:
        self.columns = preview.columns
        self.setRowCount(len(preview.columns))
        for row, column in enumerate(preview.columns):
            samples = [r.values[column.index] for r in preview.first_rows
                       if r.values is not None and r.values[column.index].strip()]
            self._text(row, COLUMN, column.header)
            self._text(row, SAMPLE, ", ".join(samples[:3]), muted=True)
            self._editors(row, column)

    def _text(self, row: int, column: int, text: str, muted: bool = False) -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        if muted:
            item.setForeground(QColor(theme.current().muted))
        self.setItem(row, column, item)

    def _editors(self, row: int, column: Column) -> None:
        becomes = ValueCombo(FIELD_CHOICES)
        becomes.set_value(column.field)
        name = QLineEdit(column.attribute or "", placeholderText="named after the column")
        kind = ValueCombo(TYPE_CHOICES)
        kind.set_value(column.type)
        is_attribute = column.field == "attribute"
        if not is_attribute:
            kind.setCurrentIndex(-1)  # a field has no type to show
        name.setEnabled(is_attribute)
        kind.setEnabled(is_attribute)
        kind.setToolTip(f"Typed {HOW.get(column.how, '')}" if is_attribute else "")
        becomes.value_chosen.connect(lambda _v, r=row: self._changed(r))
        name.editingFinished.connect(lambda r=row: self._changed(r))
        kind.value_chosen.connect(lambda _v, r=row: self._changed(r))
        for index, widget in ((BECOMES, becomes), (NAME, name), (TYPE, kind)):
            self.setCellWidget(row, index, widget)

    def _changed(self, row: int) -> None:
        becomes, name, kind = (self.cellWidget(row, c) for c in (BECOMES, NAME, TYPE))
        column, field = self.columns[row], becomes.value()
        if field != "attribute":
            if field != column.field:
                self.mapped.emit(column.header, field)
            return
        was_attribute = column.field == "attribute"
        chosen = (name.text().strip(), kind.value() if was_attribute else None)
        if not was_attribute or chosen != (column.attribute, column.type):
            self.mapped.emit(column.header, spec_of(field, *chosen))

    def becomes(self, header: str) -> str:
        """What the column now becomes, as shown (for tests and the summary)."""
        row = next(i for i, c in enumerate(self.columns) if c.header == header)
        return self.cellWidget(row, BECOMES).value()


MAX_PREVIEW_COLUMN = 320  # px: a long value is cut beyond it (its tooltip is the cell)


class PreviewTable(QTableWidget):
    """The file's first rows as the engine read them; a broken row says why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewTable")
        self.verticalHeader().setDefaultSectionSize(26)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(False)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                                                    | Qt.AlignmentFlag.AlignVCenter)

    def show_rows(self, preview: CsvPreview) -> None:
        self.clear()
        self.setColumnCount(len(preview.columns))
        self.setHorizontalHeaderLabels([c.header for c in preview.columns])
        self.setRowCount(len(preview.first_rows))
        self.setVerticalHeaderLabels([f"row {r.row}" for r in preview.first_rows])
        for line, row in enumerate(preview.first_rows):
            if row.values is None:
                item = QTableWidgetItem(f"broken: {row.problem}")
                item.setForeground(QColor(theme.current().error))
                self.setItem(line, 0, item)
                self.setSpan(line, 0, 1, max(1, len(preview.columns)))
                continue
            for index, value in enumerate(row.values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                self.setItem(line, index, cell)
        # As wide as the few rows shown need (an email address was cut at 120 px while
        # the table's right half stayed empty), within reason for a very long value.
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(self.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column), 80),
                                             MAX_PREVIEW_COLUMN))

