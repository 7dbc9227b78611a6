"""The trigger form: display name, API name, description, and the typed attributes
(custom) or the record source (record change). What it builds is checked by the engine
(`trigger_catalog.trigger_from_data`); a refusal is shown beside the field it names."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from app.dialogs.fire_fields import mark_invalid
from app.pages.triggers.attribute_rows import AttributeList
from app.pages.triggers.record_form import RecordSourceForm
from app.properties.fields import add_rows, form, hint, quiet, section
from engine import trigger_catalog
from engine.model import Catalog, RecordTable, TriggerDefinition, TriggerKind, TriggerState
from engine.model.catalog_items import MAX_TRIGGER_ATTRIBUTES
from engine.trigger_catalog import TriggerCatalogError

KIND_TITLES = {TriggerKind.CUSTOM: "Custom", TriggerKind.RECORD: "Record change",
               TriggerKind.BUSINESS: "Business", TriggerKind.INTERACTION: "Interaction"}
FIELD_TITLES = {"name": "Name", "title": "Display name", "description": "Description",
                "attributes": "Attributes", "record": "Record change", "table": "New table"}


def api_name(title: str) -> str:
    """A trigger name made from a display name: "Wi-Fi sign-up" → wi_fi_sign_up."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "_", ascii_title.lower()).strip("_")
    return (f"t_{name}" if name[:1].isdigit() else name)[:64]


class TriggerEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = TriggerKind.CUSTOM
        self.state = TriggerState.DRAFT
        self.new = True
        self._name_typed = False
        self._kept: list[Any] = []  # a record trigger's own attributes (from a bundle)
        self._marked: QWidget | None = None  # the field the shown error is about
        self._unmark = None  # the connection that clears it when that field is edited
        self._build()

    def _build(self) -> None:
        self.problem = QLabel()
        self.problem.setObjectName("formError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.title = QLineEdit(placeholderText="What marketers see, e.g. Wi-Fi sign-up")
        self.title.setObjectName("triggerTitle")
        self.name = QLineEdit(placeholderText="e.g. wifi_signup")
        self.name.setObjectName("triggerName")
        self.name_hint = hint("Used in the URL and the snippets: lowercase letters, digits "
                              "and _. It cannot change once the trigger is made.")
        self.description = QPlainTextEdit(placeholderText="When it happens and what it "
                                                          "carries, so others find it")
        self.description.setObjectName("triggerDescription")
        self.description.setFixedHeight(64)
        self.attributes = AttributeList("attribute", limit=MAX_TRIGGER_ATTRIBUTES)
        self.attributes_box = self._attributes_box()
        self.record = RecordSourceForm()
        self.record_box = _boxed(section("When a record changes"), self.record)
        fields = form()
        add_rows(fields, ("Display name", self.title), ("Name", self.name),
                 ("", self.name_hint), ("Description", self.description))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.problem)
        layout.addLayout(fields)
        layout.addWidget(self.attributes_box)
        layout.addWidget(self.record_box)
        layout.addStretch(1)
        self.title.textEdited.connect(self._title_edited)
        self.name.textEdited.connect(self._name_edited)
        self.description.textChanged.connect(self.changed)
        self.attributes.changed.connect(self.changed)
        self.record.changed.connect(self.changed)

    def _attributes_box(self) -> QWidget:
        return _boxed(section("Attributes"), hint(
            "What each event carries, for conditions, branches and personalisation. Every "
            "event also carries authId (the contact or lead) and may carry "
            "contactpoint_email, contactpoint_phone and bindingId."), self.attributes)

    # --- filling ---------------------------------------------------------------------------

    def start_new(self, kind: TriggerKind, catalog: Catalog) -> None:
        """An empty form for a new trigger of `kind` (custom or record change)."""
        self.load(TriggerDefinition(name="new", title="New"), catalog, editable=True)
        self.kind, self.new, self._name_typed = kind, True, False
        with quiet(self.name, self.title):
            self.name.clear()
            self.title.clear()
        self.name.setReadOnly(False)
        self.attributes_box.setVisible(kind != TriggerKind.RECORD)
        self.record_box.setVisible(kind == TriggerKind.RECORD)

    def load(self, trigger: TriggerDefinition, catalog: Catalog, editable: bool) -> None:
        self.clear_error()
        self.kind, self.state, self.new = trigger.kind, trigger.state, False
        self._kept = list(trigger.attributes) if trigger.kind == TriggerKind.RECORD else []
        with quiet(self.name, self.title, self.description):
            self.name.setText(trigger.name)
            self.title.setText(trigger.title)
            self.description.setPlainText(trigger.description)
        self.name.setReadOnly(True)
        self.attributes.set_tables([(f"{t.title or t.name} ({t.name})", t.name)
                                    for t in catalog.record_tables.values()])
        self.attributes.set_attributes(list(trigger.attributes))
        self.record.set_catalog(catalog)
        self.record.load(trigger.record)
        self.attributes_box.setVisible(trigger.kind != TriggerKind.RECORD)
        self.record_box.setVisible(trigger.kind == TriggerKind.RECORD)
        for widget in (self.title, self.description):
            widget.setReadOnly(not editable)
        self.attributes.set_editable(editable)
        self.record.set_editable(editable)

    def _title_edited(self, text: str) -> None:
        if self.new and not self._name_typed:
            self.name.setText(api_name(text))
        self.changed.emit()

    def _name_edited(self, _text: str) -> None:
        self._name_typed = True
        self.changed.emit()

    # --- reading ---------------------------------------------------------------------------

    def definition(self) -> tuple[TriggerDefinition, RecordTable | None]:
        """The trigger the form describes (and a new record table), as the engine reads
        them; a `TriggerCatalogError` names the field that is wrong."""
        data: dict[str, Any] = {
            "name": self.name.text().strip(), "title": self.title.text().strip(),
            "description": self.description.toPlainText().strip(),
            "kind": self.kind.value, "state": self.state.value}
        table = None
        if self.kind == TriggerKind.RECORD:
            data["record"], table_data = self.record.data()
            data["attributes"] = [a.model_dump(mode="json") for a in self._kept]
            if table_data is not None:
                table = trigger_catalog.record_table_from_data(table_data)
        else:
            data["attributes"] = self.attributes.data()
        return trigger_catalog.trigger_from_data(data), table

    # --- errors ----------------------------------------------------------------------------

    def show_error(self, error: TriggerCatalogError) -> None:
        """The message above the form, and the field it names outlined."""
        self.clear_error()
        widget = self.part(error.field)
        if widget is not None:
            mark_invalid(widget, True)
            widget.setFocus()
        self._marked = widget
        if widget is not None:  # fixing the field takes the message away
            self._unmark = _when_edited(widget, self.clear_error)
        place = self._place(error.field)
        self.problem.setText(f"{place}: {error.detail}" if place else error.detail)
        self.problem.show()

    def clear_error(self) -> None:
        if self._marked is not None:
            mark_invalid(self._marked, False)
        if self._unmark is not None:
            QObject.disconnect(self._unmark)
        self._marked = self._unmark = None
        self.problem.hide()

    def _place(self, field: str) -> str:
        """A field path as a person says it: attributes[0].type → Attribute “cart_total”."""
        found = re.match(r"(attributes|table\.columns)\[(\d+)\]", field)
        if found is None:
            return FIELD_TITLES.get(re.split(r"[.\[]", field)[0], "")
        noun = "Attribute" if found.group(1) == "attributes" else "Column"
        widget = self.part(f"{found.group(0)}.name")
        name = widget.text() if isinstance(widget, QLineEdit) else ""
        return f"{noun} “{name}”" if name else f"{noun} {int(found.group(2)) + 1}"

    def part(self, field: str) -> QWidget | None:
        """The widget for an engine field path: name, attributes[2].type, record.table…"""
        if field.startswith("attributes["):
            index, _, rest = field.removeprefix("attributes[").partition("]")
            return self.attributes.part(int(index), rest.lstrip(".") or "name")
        if field.startswith(("record", "table")):
            return self.record.part(field)
        return {"name": self.name, "title": self.title, "description": self.description,
                "attributes": self.attributes.add_button}.get(field)


def _when_edited(widget: QWidget, slot) -> QMetaObject.Connection | None:
    """Connect `slot` to the signal a person's edit of `widget` gives (if it has one)."""
    for name in ("textEdited", "textChanged", "currentIndexChanged", "clicked"):
        signal = getattr(widget, name, None)
        if signal is not None:
            return signal.connect(lambda *_: slot())
    return None


def _boxed(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 6, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box

