"""Insert personalisation: the contact's attributes, the trigger's, and the message's own
(unsubscribe and preferences links, the sender's postal address), from what the
workspace really has."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from app.icons import icon
from engine.delivery.template_check import CONTACT_FIELDS
from engine.model import AttributeType, Catalog

MESSAGE_VALUES = [("Unsubscribe link", "unsubscribe_url"),
                  ("Preferences link", "preferences_url"),
                  ("Sender's postal address", "sender.postal_address"),
                  ("Sender's name", "sender.display_name"),
                  ("Journey name", "journey.name")]
TYPE_WORDS = {AttributeType.TEXT: "text", AttributeType.NUMBER: "number",
              AttributeType.BOOLEAN: "true/false", AttributeType.DATETIME: "date-time",
              AttributeType.ENTITY: "record"}


def placeholder(path: str) -> str:
    return "{{ " + path + " }}"


class PersonaliseButton(QToolButton):
    """A button with the menu; `chosen` gives the text to insert, `{{ contact.firstname }}`."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personaliseButton")
        self.setText("Personalise")
        self.setIcon(icon("braces"))
        self.setToolTip("Insert a contact's or the trigger's value at the cursor")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))

    def set_names(self, catalog: Catalog, triggers: list[str]) -> None:
        menu = self.menu()
        menu.clear()
        self._contact(menu.addMenu(icon("contact_add"), "Contact"), catalog)
        for name in triggers:
            trigger = catalog.triggers.get(name)
            if trigger is not None:
                title = f"Trigger: {trigger.title}" if len(triggers) > 1 else "Trigger"
                self._paths(menu.addMenu(icon("trigger"), title), "trigger",
                            catalog.trigger_attribute_paths(name))
        if not triggers:
            menu.addAction("Trigger: choose one in the preview to list its attributes"
                           ).setEnabled(False)
        message = menu.addMenu(icon("email"), "Message")
        for label, path in MESSAGE_VALUES:
            self._add(message, f"{label}  ·  {path}", path)

    def _contact(self, menu: QMenu, catalog: Catalog) -> None:
        attributes = catalog.attribute_paths(list(catalog.contact_attributes.values()))
        known = {path for path, _kind in attributes}
        fields = [(name, AttributeType.TEXT) for name in CONTACT_FIELDS if name not in known]
        self._paths(menu, "contact", attributes + fields)

    def _paths(self, menu: QMenu, root: str, paths: list[tuple[str, AttributeType]]) -> None:
        for path, kind in paths:
            if kind != AttributeType.ENTITY:
                self._add(menu, f"{path}  ·  {TYPE_WORDS[kind]}", f"{root}.{path}")
        if menu.isEmpty():
            menu.addAction("(no attributes)").setEnabled(False)

    def _add(self, menu: QMenu, label: str, path: str) -> None:
        action = menu.addAction(label)
        action.setData(path)
        action.triggered.connect(lambda _on=False, p=path: self.chosen.emit(placeholder(p)))
