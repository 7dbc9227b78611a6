"""The fire dialog's form for a trigger Waymark raises when a contact is saved ("Contact
created", "Contact email updated"…): the contact, saved as an integration would save it
(`ContactSave`: PUT /v1/contacts/ID, the whole contact), so that the trigger fires.

A welcome journey starts on Contact created; the dialog offered only the triggers a
website sends, so such a journey could not be test-fired at all. Before anything is sent
the form says what would fire something else: an id already taken (saving it is an
update), an update for someone who is not a contact yet, an email or phone left as it is.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QLineEdit

from app.engine_link import ContactSave, FireResult
from engine.model import (
    BUILTIN_TRIGGERS,
    CONTACT_MADE,
    CONTACT_TRIGGERS,
    Contact,
    DocumentError,
    TriggerDefinition,
)
from engine.snippets import contact_fires

_TITLES = {t.name: t.title for t in BUILTIN_TRIGGERS}
_FIELDS = {"email": "Email", "phone": "Phone"}


class ContactForm:
    """The fields of a contact trigger's form, and the contact they save."""

    def __init__(self, definition: TriggerDefinition) -> None:
        self.definition = definition
        self.kind, self.watched = CONTACT_TRIGGERS[definition.name]
        self.makes = definition.name in CONTACT_MADE
        self.email = QLineEdit(objectName="field:email")
        self.email.setPlaceholderText("name@example.com (optional)")
        self.phone = QLineEdit(objectName="field:phone")
        self.phone.setPlaceholderText("+31600000000 (optional)")
        self.firstname = QLineEdit(objectName="field:attributes.firstname")
        self.lastname = QLineEdit(objectName="field:attributes.lastname")
        self.test = QCheckBox("Test contact: the only people a journey's test lets in",
                              objectName="field:test")
        self.test.setChecked(self.makes)
        if self.watched:
            field = getattr(self, self.watched)
            field.setPlaceholderText(f"the new {_FIELDS[self.watched].lower()}: the trigger "
                                     "fires when it changes")
        self._stored: Contact | None = None  # the contact an update starts from
        self._filled_for: str | None = None

    def rows(self) -> list[tuple[str, Any]]:
        """(label, widget) of the form's rows under the id."""
        return [("Email", self.email), ("Phone", self.phone), ("First name", self.firstname),
                ("Last name", self.lastname), ("", self.test)]

    def about(self) -> str:
        """What fires the trigger (as its snippet says it), and what Fire does."""
        return (f"{contact_fires(self.definition.name)} Fire saves the {self.kind} through "
                "the engine's socket (PUT /v1/contacts/ID), as your system would.")

    def show(self, contact_id: str, stored: Contact | None) -> None:
        """The id typed is `stored`'s (None: nobody's): an update starts from what the
        workspace holds, so that saving it changes only what is typed here."""
        self._stored = stored
        if self.makes or stored is None or self._filled_for == contact_id:
            return
        self._filled_for = contact_id
        self.email.setText(stored.email or "")
        self.phone.setText(stored.phone or "")
        self.firstname.setText(str(stored.attributes.get("firstname") or ""))
        self.lastname.setText(str(stored.attributes.get("lastname") or ""))
        self.test.setChecked(stored.test)

    def note(self, contact_id: str, stored: Contact | None) -> tuple[str, str]:
        """The line under the id: (kind, text), kind "ok", "warning" or "info"."""
        title = self.definition.title
        if not contact_id:
            return "info", (f"The new {self.kind}'s id: one nobody has yet." if self.makes
                            else "The contact to change: pick one as you type.")
        if self.makes and stored is not None:
            return "warning", (f"Already a {stored.kind}: saving them again fires Contact "
                               f"updated, not {title}. Give an id nobody has.")
        if not self.makes and stored is None:
            return "warning", ("Not a contact of this workspace: saving them would fire "
                               f"Contact created, not {title}. Pick a contact.")
        if self.makes:
            return "ok", f"Nobody has this id: saving them fires {title}."
        kind = "A test contact" if stored.test else "A contact"
        return "info", f"{kind}{f' · {stored.email}' if stored.email else ''}"

    def contact(self, contact_id: str) -> Contact:
        """The contact as Fire saves it: what the workspace holds (an update), with what
        is typed here. Raises `DocumentError` naming the field."""
        base = self._stored if not self.makes and self._stored is not None else None
        attributes = dict(base.attributes) if base is not None else {}
        for name, field in (("firstname", self.firstname), ("lastname", self.lastname)):
            if text := field.text().strip():
                attributes[name] = text
            else:
                attributes.pop(name, None)
        data: dict[str, Any] = {
            **(base.model_dump(exclude={"consents"}) if base is not None else {}),
            "id": contact_id, "kind": base.kind if base is not None else self.kind,
            "email": self.email.text().strip() or None,
            "phone": self.phone.text().strip() or None,
            "attributes": attributes, "test": self.test.isChecked()}
        return Contact.from_data(data)

    def change(self, contact_id: str) -> ContactSave:
        contact = self.contact(contact_id)
        values = contact.model_dump(exclude={"id", "consents"}, exclude_none=True)
        return ContactSave(contact_id, values)

    def problem(self, contact_id: str, stored: Contact | None
                ) -> tuple[str, str | None] | None:
        """Why not to send, and the field it is about; None: nothing."""
        title = self.definition.title
        if not contact_id:
            return "Contact: the id of the contact to save", "id"
        if self.makes and stored is not None:
            return (f"Contact: {contact_id} is already a {stored.kind}, so saving them fires "
                    f"Contact updated, not {title}: give an id nobody has", "id")
        if not self.makes and stored is None:
            return (f"Contact: {contact_id} is not a contact yet, so saving them fires "
                    f"Contact created, not {title}: pick a contact", "id")
        try:
            contact = self.contact(contact_id)
        except DocumentError as error:
            return error.detail, error.path.removeprefix("$.") or None
        if not self.makes and stored is not None and not self.watched and \
                contact.model_dump(exclude={"consents"}) == stored.model_dump(
                    exclude={"consents"}):
            return (f"Nothing changed: change a field. {title} fires when a contact "
                    "changes, not when it is saved as it was", "email")
        if self.watched and stored is not None and \
                getattr(contact, self.watched) == getattr(stored, self.watched):
            label = _FIELDS[self.watched]
            return (f"{label}: give it a new value. {title} fires when the contact's "
                    f"{label.lower()} changes", self.watched)
        return None

    def widget_for(self, path: str | None) -> Any:
        fields = {"email": self.email, "phone": self.phone, "test": self.test,
                  "attributes.firstname": self.firstname,
                  "attributes.lastname": self.lastname}
        return fields.get(path or "")


def saved_outcome(definition: TriggerDefinition, result: FireResult) -> str:
    """After the engine's answer to a contact saved for `definition`: the triggers saving
    fired, or why this one did not (an id taken by then fires an update)."""
    name, title = definition.name, definition.title
    who = f"{CONTACT_TRIGGERS.get(name, ('contact', None))[0]} {result.answer.get('id', '')}"
    if name in result.triggers:
        others = len(result.triggers) - 1
        return (f"{who} saved · fired {title}" +
                (f" and {others} other trigger{'s' if others > 1 else ''}" if others else ""))
    fired = ", ".join(_TITLES.get(name, name) for name in result.triggers)
    return f"{who} saved · {title} did not fire (saving fired {fired or 'nothing'})"
