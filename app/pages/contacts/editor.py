"""Add or edit one contact: its id and kind, where to reach it, its time zone, its
attributes (typed) and its consent per channel, purpose and topic.

What is refused names the field, and that field is outlined: the contact model's own
checks (an unknown time zone, a number out of range), an email or phone number that is
not one, an attribute value of the wrong type. Saving runs off the GUI thread; a contact
saved fires the business triggers as `PUT /v1/contacts` does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.pages.background import Background
from app.properties.fields import ValueCombo, form, hint, section
from engine.model import Contact, DocumentError

from .data import ContactsData
from .editor_parts import AttributeRow, AttributeValueError, ConsentRow, RowList, TimeZoneBox

LABEL_WIDTH = 96


class ContactDialog(QDialog):
    saved = Signal(str)  # what was done, for the status bar

    def __init__(self, data: ContactsData, contact: Contact | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactDialog")
        self.setWindowTitle(f"Contact {contact.id}" if contact else "New contact")
        self.data, self.contact = data, contact
        self.background = Background("contact-save", self)
        self.declared = {a.name: a for a in data.attributes()}
        self._build()
        self._fill(contact)
        self.resize(620, 720)

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.id = QLineEdit(placeholderText="the id your systems know this person by")
        self.kind = ValueCombo([("Contact", "contact"), ("Lead", "lead")])
        self.test = QCheckBox("Test contact: the only people a journey's test lets in")
        self.email = QLineEdit(placeholderText="ann@example.com")
        self.phone = QLineEdit(placeholderText="+31 6 1234 5678")
        self.push_token = QLineEdit(placeholderText="the app's push token")
        self.timezone = TimeZoneBox()
        self.fields: dict[str, QWidget] = {
            "id": self.id, "kind": self.kind, "email": self.email, "phone": self.phone,
            "push_token": self.push_token, "timezone": self.timezone}
        self.attributes = RowList("Add attribute", lambda name="", value=None: AttributeRow(
            self.declared, name, value))
        self.consents = RowList("Add consent", lambda consent=None: ConsentRow(consent))
        self.problem = QLabel(objectName="fieldProblem", wordWrap=True)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primaryButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self._scrolled_form(), 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _scrolled_form(self) -> QScrollArea:
        body = QWidget(objectName="contactForm")
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 4, 16, 12)
        column.addWidget(section("Person"))
        column.addLayout(_rows(("ID", self.id), ("Kind", self.kind), ("", self.test)))
        column.addWidget(section("Where to reach them"))
        column.addLayout(_rows(("Email", self.email), ("Phone", self.phone),
                               ("Push token", self.push_token), ("Time zone", self.timezone)))
        column.addWidget(section("Attributes"))
        column.addWidget(hint("Typed as the workspace declares them; a new name is a free "
                              "attribute of the type you choose."))
        column.addWidget(self.attributes)
        column.addWidget(section("Consent"))
        column.addWidget(hint("Per channel, purpose and topic (empty: every topic), for "
                              "this contact's email, phone or push token. Consent belongs "
                              "to the address and stays when the contact is deleted."))
        column.addWidget(self.consents)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        return scroll

    def _fill(self, contact: Contact | None) -> None:
        if contact is None:
            return
        self.id.setText(contact.id)
        self.id.setReadOnly(True)
        self.id.setToolTip("A contact's id cannot change; add a new contact instead")
        self.kind.set_value(contact.kind)
        self.test.setChecked(contact.test)
        for field in ("email", "phone", "push_token"):
            self.fields[field].setText(getattr(contact, field) or "")
        self.timezone.set_value(contact.timezone)
        for name, value in contact.attributes.items():
            self.attributes.add(name, value)
        for consent in contact.consents:
            self.consents.add(consent)

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        self._mark(None)
        try:
            contact = self.contact_entered()
        except (DocumentError, AttributeValueError) as error:
            self._refused(error)
            return
        self.save_button.setEnabled(False)
        data = self.data
        self.background.run("save", lambda: data.save(contact),
                            lambda done: self._done(contact, done), self._refused)

    def contact_entered(self) -> Contact:
        """The contact as entered; DocumentError (or AttributeValueError) naming the field."""
        attributes = dict(item for row in self.attributes.rows if (item := row.item()))
        text = {f: self.fields[f].text().strip() or None
                for f in ("id", "email", "phone", "push_token")}
        data: dict[str, Any] = {
            **text, "id": text["id"] or "", "kind": self.kind.value(),
            "timezone": self.timezone.value(), "test": self.test.isChecked(),
            "attributes": {k: v for k, v in attributes.items() if v is not None},
            "consents": [row.data() for row in self.consents.rows]}
        return Contact.from_data(data, source=f"contact {data['id'] or '(new)'}")

    def _done(self, contact: Contact, done) -> None:
        fired = f"; fired {', '.join(done.events)}" if done.events else ""
        verb = "Added" if done.created else "Saved"
        self.saved.emit(f"{verb} contact {contact.id}{fired}")
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        field, message = _place(error)
        self._mark(field)
        label = {"push_token": "push token", "timezone": "time zone"}.get(field, field)
        self.problem.setText(f"{label}: {message}" if label else message)
        self.problem.show()

    def _mark(self, field: str | None) -> None:
        """Outline the field refused (`invalid`, as the fire dialog's fields are)."""
        rows = {f"attributes.{r.name.currentText().strip()}": r.value
                for r in self.attributes.rows}
        for name, widget in {**self.fields, **rows}.items():
            widget.setProperty("invalid", name == field)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        if field is None:
            self.problem.hide()
        elif (widget := {**self.fields, **rows}.get(field)) is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)


def _place(error: Exception) -> tuple[str, str]:
    """(the field refused — "timezone", "attributes.age" —, why)."""
    if isinstance(error, AttributeValueError):
        return (f"attributes.{error.name}" if error.name else "attributes"), str(error)
    if isinstance(error, DocumentError):
        parts = error.path.removeprefix("$.").split(".") if error.path else []
        field = ".".join(parts[:2]) if parts[:1] == ["attributes"] else (parts[0] if parts
                                                                         else "")
        return field, error.detail
    return "", f"{type(error).__name__}: {error}"


def _rows(*rows: tuple[str, QWidget]) -> QFormLayout:
    """Label and field side by side, labels one width in every section, so they line up."""
    layout = form()
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    for label, widget in rows:
        if label:
            text = QLabel(label)
            text.setFixedWidth(LABEL_WIDTH)
            layout.addRow(text, widget)
        else:
            layout.addRow(widget)
    return layout
