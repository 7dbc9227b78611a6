"""Whom the preview is for: a contact of the workspace (searched as you type) and the
trigger data, which starts as the data of their latest event of the trigger (else of
anyone's, else the trigger's typed placeholders), says which, and can be edited as JSON."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.fire_fields import mark_invalid
from app.dialogs.fire_person import ContactChooser
from app.elided_label import ElidedLabel
from app.properties.fields import ValueCombo
from engine.model import Contact
from engine.model.json_values import TOO_DEEP_TO_READ

from .data import ContentLibrary

NO_TRIGGER = ""


class PreviewContext(QWidget):
    """`changed` when the contact, the trigger or the data changes."""

    changed = Signal()

    def __init__(self, library: ContentLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewContext")
        self.library = library
        self._contact: Contact | None = None
        self._person: str | None = None  # the id chosen, a contact's or not
        self._data: dict[str, Any] = {}
        self._edited = False  # the data was typed here: a contact chosen keeps it
        self.contacts = ContactChooser(library.store)
        self.contacts.setObjectName("previewContact")
        self.contacts.lineEdit().setPlaceholderText("a contact, to see their message")
        self.contacts.chosen.connect(self._contact_chosen)
        self.contacts.lineEdit().editingFinished.connect(
            lambda: self._contact_chosen(self.contacts.contact_id()))
        self.trigger = ValueCombo()
        self.trigger.setObjectName("previewTrigger")
        self.trigger.value_chosen.connect(lambda _name: self.reset_data())
        self.data_button = QToolButton()
        self.data_button.setText("Edit data")
        self.data_button.setCheckable(True)
        self.data_button.setToolTip("The trigger's data the preview uses (JSON)")
        self.data_edit = QPlainTextEdit()
        self.data_edit.setObjectName("previewData")
        self.data_edit.setMaximumHeight(120)
        self.data_edit.hide()
        self.data_button.toggled.connect(self.data_edit.setVisible)
        # One line, cut with "…", the whole in its tooltip: wrapped, in a laptop's window
        # with the Outbox open, its three lines were given the room of two and ran over
        # the Trigger data field above.
        self.data_source = ElidedLabel()
        self.data_source.setObjectName("hint")
        self.data_source.setTextFormat(Qt.TextFormat.PlainText)  # it names a person's id
        self.data_problem = QLabel()
        self.data_problem.setObjectName("dataProblem")
        self.data_problem.hide()
        self._parse = QTimer(self, singleShot=True, interval=300)
        self._parse.timeout.connect(self._data_typed)
        self.data_edit.textChanged.connect(self._parse.start)
        self._layout()

    def _layout(self) -> None:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        form.addRow("Preview for", self.contacts)
        form.addRow("Trigger data", self.trigger)
        # the button beside where the data comes from, not beside the trigger: there, in
        # a laptop's window, it left "Form submitted" as "Form submi"
        # (under both columns: the line has the panel's width before it is cut)
        source = QHBoxLayout()
        source.setContentsMargins(0, 0, 0, 0)
        source.setSpacing(6)
        source.addWidget(self.data_source, 1)
        source.addWidget(self.data_button)
        form.addRow(source)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.data_edit)
        layout.addWidget(self.data_problem)

    # --- what the preview uses ------------------------------------------------------

    def contact(self) -> Contact | None:
        return self._contact

    def trigger_name(self) -> str | None:
        return self.trigger.value() or None

    def data(self) -> dict[str, Any]:
        return dict(self._data)

    def set_triggers(self, used: list[str]) -> None:
        """The triggers of the journeys that send the content first, then the others."""
        others = [(title, name) for title, name in self.library.triggers() if name not in used]
        titles = self.library.trigger_titles()  # a journey may start on any trigger
        choices = [(titles.get(n, n), n) for n in used]
        choices += [("no trigger data", NO_TRIGGER), *others] if not used else others
        current = self.trigger.value()
        self.trigger.set_choices(choices)
        self.trigger.set_value(current if current in {c[1] for c in choices} else
                               choices[0][1] if choices else NO_TRIGGER)
        self.reset_data(quietly=True)

    def reset_data(self, quietly: bool = False) -> None:
        """Start the data again from the contact's latest event of the trigger (else
        anyone's, else the trigger's typed placeholders)."""
        found = self.library.preview_data(self.trigger_name(), self._person)
        self._data, self._edited = found.data, False
        self._source(found.source)
        self.data_edit.blockSignals(True)
        self.data_edit.setPlainText(json.dumps(self._data, indent=2, ensure_ascii=False))
        self.data_edit.blockSignals(False)
        self._say(None)
        if not quietly:
            self.changed.emit()

    def choose_contact(self, contact_id: str) -> None:
        self.contacts.set_contact_id(contact_id)
        self._contact_chosen(contact_id)

    def _contact_chosen(self, contact_id: str) -> None:
        """A contact's attributes and their latest event's data; an id that is no contact
        (someone who only ever sent events) has the event's data alone."""
        person = contact_id.strip() or None
        if person != self._person:
            self._person, self._contact = person, self.library.contact(person or "")
            if not self._edited:  # their own event's data, when they have one
                self.reset_data(quietly=True)
            self.changed.emit()

    def _data_typed(self) -> None:
        text = self.data_edit.toPlainText()
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError as error:
            self._say(f"Data, line {error.lineno}, column {error.colno}: {error.msg}")
            return
        except RecursionError:
            self._say(f"Data: {TOO_DEEP_TO_READ}")
            return
        if not isinstance(data, dict):
            self._say("Data must be a JSON object: {\"name\": value, …}")
            return
        self._say(None)
        self._data, self._edited = data, True
        self._source("Edited here: choosing a trigger starts again from its events")
        self.changed.emit()

    def _source(self, text: str) -> None:
        self.data_source.setText(text)
        self.data_source.setToolTip(text)  # shown even empty: the row holds Edit data

    def _say(self, problem: str | None) -> None:
        self.data_problem.setText(problem or "")
        self.data_problem.setVisible(bool(problem))
        mark_invalid(self.data_edit, bool(problem))

