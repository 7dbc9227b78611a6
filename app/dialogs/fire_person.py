"""Who a test trigger is for: a contact of the workspace, searched as you type, or a test
contact made on the spot; and what the event does for them while a journey is tested."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from app.dialogs.column import dialog_column
from app.properties.fields import hint
from app.store import StudioStore
from engine.model import Contact

SEARCH_LIMIT = 50
SEARCH_DELAY_MS = 150


class ContactChooser(QComboBox):
    """An editable combo: the id typed (any id: an event for someone unknown is taken in,
    their messages going to its contactpoint_email / _phone), with the workspace's
    contacts whose id or email starts with it as completions."""

    chosen = Signal(str)  # an id picked from the list

    def __init__(self, store: StudioStore) -> None:
        super().__init__()
        self.store = store
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(18)
        self.lineEdit().setPlaceholderText("contact or lead id")
        self.matches = QStringListModel(self)
        completer = QCompleter(self.matches, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCompleter(completer)
        self._search = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search.timeout.connect(self.refresh)
        self.lineEdit().textEdited.connect(lambda _t: self._search.start())
        # Enter is the person's answer: a search still under way must not open its list
        # over what Enter did (seen in a real window: Follow's path under the list).
        self.lineEdit().returnPressed.connect(self._settled)
        completer.activated[str].connect(self._picked)
        self.activated.connect(lambda i: self._picked(self.itemText(i)))
        self.addItems([_entry(i, e) for i, e in store.search_contacts("", SEARCH_LIMIT)])
        self.setEditText("")

    def contact_id(self) -> str:
        return self.currentText().split("  ·  ")[0].strip()

    def set_contact_id(self, contact_id: str) -> None:
        self.setEditText(contact_id)

    def refresh(self) -> None:
        """The first SEARCH_LIMIT matches of what is typed, as completions."""
        typed = self.contact_id()
        self.matches.setStringList([_entry(i, e) for i, e in
                                    self.store.search_contacts(typed, SEARCH_LIMIT)])
        if self.lineEdit().hasFocus() and typed and self.matches.rowCount():
            self._complete()
        elif not self.matches.rowCount():
            # Left open, the list showed as an empty box that took the next click (meant
            # for the field under it) just to close itself.
            self.completer().popup().hide()

    def _complete(self) -> None:
        """The list, as wide as its entries (at the field's width a narrow field, Test
        and follow's, cut "dana  ·  dana@example.com" to "dana  ·  dana@e…"), under the
        whole box: under the text field inside it, the list covered the box's lower edge
        and the bottom of the id typed (seen in a real window)."""
        popup, field = self.completer().popup(), self.lineEdit()
        wanted = popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() \
            + 2 * popup.frameWidth() + 8
        # in the box's terms: it is the completer's widget (QComboBox.setCompleter)
        self.completer().complete(QRect(0, 0, max(field.width(), self.width(), wanted),
                                        self.height()))

    def _settled(self) -> None:
        self._search.stop()
        self.completer().popup().hide()

    def _picked(self, text: str) -> None:
        contact_id = text.split("  ·  ")[0].strip()
        self.setEditText(contact_id)
        self.chosen.emit(contact_id)


@dataclass(frozen=True)
class TestedJourney:
    """A journey on the fired trigger that is being tested."""

    __test__ = False  # not a pytest test class
    name: str
    live: bool  # its live version lets in the people who are not test contacts


EMPTY_NOTE = ("Who the event is about: a contact's id (pick one as you type) or a new id, "
              "for someone not yet known.")


def person_note(contact_id: str, contact: Contact | None, tested: list[TestedJourney],
                record: str | None = None) -> tuple[str, str]:
    """The line under Contact, (kind, text), kind "ok", "warning" or "info": who the
    person is, and while a journey on this trigger is tested, whether the event takes
    them into the test (test contacts only) or past it. With `record` (its noun, "case"),
    the line under a record's person: a change of the record, with no address of its
    own to fall back on."""
    event = f"this change of the {record}" if record else "this event"
    if not contact_id:  # the room the notes keep, with what to put in the field
        return "info", (EMPTY_NOTE if not record else
                        f"Who the {record} is about: a contact's id (pick one as you type), "
                        "or a test contact made with the button beside it.")
    if tested:
        tests = f"the test{'s' if len(tested) > 1 else ''} of {names_of(tested)}"
        if contact is not None and contact.test:
            return "ok", f"A test contact: {event} takes them into {tests}."
        live = live_instead_of_test(contact, tested)
        into = ("no journey" if not live else "its live version" if len(tested) == 1
                else f"the live version of {names_of(live)}")
        where = ", where messages go out for real" if live else ""
        return "warning", (f"Not a test contact: {tests} lets in test contacts only, so "
                           f"{event} takes them into {into}{where}. Make a test contact "
                           "with the button beside the id.")
    if contact is None and record:
        return "warning", ("Not a contact of this workspace: journeys take them in by this "
                           "id, with no address to send to. Make a test contact with the "
                           "button beside the id.")
    if contact is None:
        return "info", ("Not a contact of this workspace: journeys take them in by this "
                        "id, and their messages can go only to the email or phone below.")
    kind = "A test contact" if contact.test else "A contact"
    return "info", f"{kind}{f' · {contact.email}' if contact.email else ''}"


def live_instead_of_test(contact: Contact | None, tested: list[TestedJourney]
                         ) -> list[TestedJourney]:
    """The tested journeys whose live version the event would take this person into."""
    if contact is not None and contact.test:
        return []
    return [t for t in tested if t.live]


def names_of(journeys: list[TestedJourney]) -> str:
    """“Cart” and “Welcome”, as the note and the question name them."""
    return " and ".join(f"“{j.name}”" for j in journeys)


def _entry(contact_id: str, email: str | None) -> str:
    return f"{contact_id}  ·  {email}" if email else contact_id


class NewContactDialog(QDialog):
    """A test contact made on the spot: id, email, phone. It is saved as a test contact
    (`Contact.test`): the only people a journey being tested lets in, and never counted
    in a journey's analytics. Its id starts with "test-" by default, to tell it apart."""

    def __init__(self, parent: QWidget | None = None, suggested_id: str = "test-1") -> None:
        super().__init__(parent)
        self.setObjectName("newTestContact")
        self.setWindowTitle("New test contact")
        self.contact_id = QLineEdit(suggested_id)
        self.email = QLineEdit()
        self.email.setPlaceholderText("name@example.com")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("+31600000000")
        form = QFormLayout()
        form.addRow("Id:", self.contact_id)
        form.addRow("Email:", self.email)
        form.addRow("Mobile phone:", self.phone)
        about = hint("Saved as a test contact of this workspace: a journey being tested "
                     "lets in test contacts only. Messages to it go to the outbox unless "
                     "delivery is set up otherwise.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.contact_id.textChanged.connect(self._check)
        dialog_column(self, form, about, self.buttons)

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(
            bool(self.contact_id.text().strip()))

    def contact(self) -> Contact:
        return Contact(id=self.contact_id.text().strip(),
                       email=self.email.text().strip() or None,
                       phone=self.phone.text().strip() or None, test=True)
