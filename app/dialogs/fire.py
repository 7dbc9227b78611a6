"""Fire a test trigger: a form generated from the trigger's definition that sends one
event through the engine's real socket, shows the answer, and keeps a history.

The form builds the very JSON body an integration would send and checks it with the
engine's own payload checks (`engine.ingestion.payload.parse_event`) before sending, so
the form and the socket never disagree. Sending goes through the engine link (off the GUI
thread, with the studio's test key, which is never shown); the curl command offered for
copying reads `$WAYMARK_KEY` instead.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.dialogs.fire_contact import ContactForm, saved_outcome
from app.dialogs.fire_curl import contact_curl, curl_command, record_curl
from app.dialogs.fire_fields import AttributeField, build_fields, field_label, mark_invalid
from app.dialogs.fire_history import Fired, FireHistory
from app.dialogs.fire_person import (
    ContactChooser,
    NewContactDialog,
    TestedJourney,
    live_instead_of_test,
    names_of,
    person_note,
)
from app.dialogs.fire_record import RecordForm
from app.engine_link import ContactSave, EngineLink, EngineStatus, FireResult, RecordChange
from app.icons import icon
from app.prompts import Prompts
from app.reserved_label import ReservedLabel
from app.store import StoreError, StudioStore
from app.wheel_guard import SteadyCombo
from engine.ingestion.payload import PayloadError, parse_event
from engine.model import (
    CONTACT_TRIGGERS,
    AttributeDef,
    Contact,
    DocumentError,
    TriggerDefinition,
    TriggerKind,
)

READY = "Fill in the event and press Fire (Ctrl+Return)."


class FireDialog(QDialog):
    start_engine = Signal()  # the person asked to start the engine from here
    message = Signal(str)  # for the status bar

    def __init__(self, link: EngineLink, store: StudioStore, parent: QWidget | None = None,
                 prompts: Prompts | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fireDialog")
        self.setWindowTitle("Fire test trigger")
        self.link, self.store = link, store
        self.prompts = prompts or Prompts(self)
        self.catalog = store.catalog()
        # what each trigger's journeys let in (`entry_asks`), read once per opening and per
        # change of tests: each journey is read to know it, on the GUI thread
        self._asks: dict[str, list[str]] | None = None
        self.fields: list[AttributeField] = []
        self.record: RecordForm | None = None  # a record trigger's form
        self.contact_form: ContactForm | None = None  # a contact trigger's (Contact created)
        self._remembered: dict = {}  # what was typed, by field, over the triggers shown
        self.history = FireHistory()
        self._build()
        link.status_changed.connect(self._engine_changed)
        link.fired.connect(self._answered)
        link.tests_changed.connect(self._tests_changed)  # a method: gone with the dialog
        self._engine_changed(link.status)
        self._show_answer("info", self.answer.text())
        self.resize(980, 720)

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = self._engine_banner()
        self.trigger = SteadyCombo()
        self.trigger.setObjectName("fireTrigger")
        self._fill_triggers()
        self.about = QLabel()
        self.about.setObjectName("hint")
        self.about.setWordWrap(True)
        self.form_host = QWidget()
        self.form_host.setObjectName("fireForm")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form_host)
        left = _column(_row(QLabel("Trigger:"), self.trigger, stretch=1), self.about, scroll)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self._history_column())
        splitter.setSizes([540, 420])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        body = _column(splitter, self._answer_line(), self._buttons(), margins=(18, 14, 18, 14))
        layout.addWidget(body, 1)
        self.trigger.currentIndexChanged.connect(lambda _i: self._build_form())
        QShortcut(QKeySequence("Ctrl+Return"), self, self.fire)
        self._build_form()

    def _engine_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("fireBanner")
        self.banner_icon = QLabel()
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.start_button = QPushButton(icon("resume", theme.current().accent_text),
                                        "Start engine")
        self.start_button.setObjectName("bannerButton")
        self.start_button.clicked.connect(self.start_engine)
        layout = QHBoxLayout(banner)
        layout.setContentsMargins(18, 9, 14, 9)
        layout.addWidget(self.banner_icon)
        layout.addWidget(self.banner_text, 1)
        layout.addWidget(self.start_button)
        return banner

    def _history_column(self) -> QWidget:
        title = QLabel("FIRED THIS SESSION")
        title.setObjectName("section")
        self.again = QPushButton(icon("redo"), "Fire again")
        self.again.setToolTip("Send the selected event again with a fresh messageId")
        self.again.clicked.connect(self.fire_again)
        self.history.itemSelectionChanged.connect(self._history_selected)
        column = _column(title, self.history, _row(self.again, stretch_first=True))
        column.setMinimumWidth(300)
        return column

    def _answer_line(self) -> QWidget:
        self.answer_icon = QLabel()
        self.answer_icon.setFixedSize(18, 18)
        self.answer = QLabel(READY)
        self.answer.setObjectName("fireAnswer")
        self.answer.setWordWrap(True)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        line = _row(self.answer_icon, self.answer, stretch=1)
        line.setObjectName("fireAnswerLine")
        return line

    def _buttons(self) -> QWidget:
        self.curl = QPushButton(icon("terminal"), "Copy as curl")
        self.curl.setToolTip("Copy this event as a curl command; the key is read from "
                             "$WAYMARK_KEY (waymark keys create makes one)")
        self.curl.clicked.connect(self.copy_curl)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self.fire_button = QPushButton(icon("fire", theme.current().accent_text), "Fire")
        self.fire_button.setObjectName("fireButton")
        self.fire_button.setDefault(True)
        self.fire_button.setToolTip("Send the event to the engine's socket (Ctrl+Return)")
        self.fire_button.clicked.connect(self.fire)
        return _row(self.curl, close, self.fire_button, stretch_first=False)

    def _build_form(self) -> None:
        """The fields of the chosen trigger: the person, its attributes, the event. What
        was typed in a field of the same name and type (this trigger's before, or
        another's) is put back."""
        self._remembered.update(self._typed())
        typed = self._remembered
        old = self.form_host.layout()
        if old is not None:
            QWidget().setLayout(old)  # re-parents the old layout and its widgets away
        definition = self.definition
        form = QFormLayout(self.form_host)
        form.setContentsMargins(0, 4, 8, 4)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.contact_form = None
        if definition is not None and definition.kind == TriggerKind.RECORD:
            self._record_rows(form, definition)
        elif definition is not None and definition.name in CONTACT_TRIGGERS:
            self._contact_rows(form, definition)
        else:
            self._event_rows(form, definition)
        self.fire_button.setEnabled(definition is not None)
        for field in (inner for f in self.fields for inner in f.fields()):
            if _kept_as(field) in typed:
                field.restore(typed[_kept_as(field)])
        making = self.contact_form is not None and self.contact_form.makes
        if typed.get("person") and not (making and self.store.contact(typed["person"])):
            self.person.set_contact_id(typed["person"])  # not a taken id for a new contact
        if self.contact_form is not None and not making and \
                self.store.contact(self.person.contact_id()) is None:
            self.person.set_contact_id(self._last_saved())  # an update needs a contact
        if self.record is not None and "record" in typed:
            self.record.id.setText(typed["record"])
        self._note_person()  # an update starts from the contact typed

    def _event_rows(self, form: QFormLayout, definition: TriggerDefinition | None) -> None:
        """A custom trigger's: the person, its attributes, the event's ids."""
        self.record = None
        self.about.setText(definition.description if definition else
                           "No trigger in this workspace to fire: make one on the "
                           "Triggers page.")
        self.fields = build_fields(definition.attributes if definition else [], self.catalog)
        self._person_rows(form)
        if self.fields:
            form.addRow(_section("ATTRIBUTES"))
        for field in self.fields:
            form.addRow(field_label(field.attr), field.widget)
        self._entry_rows(form)
        form.addRow(_section("EVENT"))
        self.binding = QLineEdit()
        self.binding.setPlaceholderText("Entity/id, such as Appointment/123 (optional)")
        self.message_id = QLineEdit(str(uuid.uuid4()))
        renew = QToolButton()
        renew.setIcon(icon("redo"))
        renew.setToolTip("A fresh messageId (the same one twice is applied once)")
        renew.clicked.connect(lambda: self.message_id.setText(str(uuid.uuid4())))
        form.addRow("Binding id", self.binding)
        form.addRow("Message id", _row(self.message_id, renew, stretch=0))

    def _record_rows(self, form: QFormLayout, definition: TriggerDefinition) -> None:
        """A record trigger's: the record's id, its person, its columns."""
        self.record = record = RecordForm(definition, self.catalog)
        self.about.setText(record.about())
        self.fields = record.fields
        form.addRow(_section(record.noun.upper()))
        form.addRow(field_label(AttributeDef(name="id", type="text", title="Id",
                                             required=True)), record.id)
        person = record.person_column
        self._person_rows(form, person.name, person.title or person.name, section=False)
        for field in self.fields:
            form.addRow(field_label(field.attr), field.widget)
        self._entry_rows(form)

    def _contact_rows(self, form: QFormLayout, definition: TriggerDefinition) -> None:
        """A trigger Waymark raises when a contact is saved: the contact to save."""
        self.record, self.fields = None, []
        self.contact_form = contact = ContactForm(definition)
        self.about.setText(contact.about())
        form.addRow(_section(contact.kind.upper()))
        self._person_rows(form, "id", "Id", section=False)
        if contact.makes and not self.person.contact_id():
            self.person.set_contact_id(self._free_test_id())
        for label, widget in contact.rows():
            form.addRow(label, widget)
        self._entry_rows(form)

    def _last_saved(self) -> str:
        """The contact this dialog saved last that is still one ("" for none): Contact
        created fired for test-1, then Contact email updated is for test-1 too."""
        for row in range(self.history.topLevelItemCount()):
            fired = self.history.topLevelItem(row).data(0, Qt.ItemDataRole.UserRole)
            if isinstance(fired.change, ContactSave) and fired.result is not None and \
                    fired.result.accepted and self.store.contact(fired.person) is not None:
                return fired.person
        return ""

    def _free_test_id(self) -> str:
        """test-1, test-2…: the first a contact of this workspace does not have, among
        the first 50 (a lookup each, on the GUI thread); then a random one."""
        for number in range(1, 51):
            if self.store.contact(f"test-{number}") is None:
                return f"test-{number}"
        return f"test-{uuid.uuid4().hex[:6]}"

    def _entry_rows(self, form: QFormLayout) -> None:
        # what the journeys this event can enter let in: "Espresso guide" for a journey
        # that lets in the French press guide's form was accepted and refused at its start
        self.entry_note = QLabel(objectName="entryNote", wordWrap=True)
        self.entry_note.setTextFormat(Qt.TextFormat.PlainText)  # it names journeys
        form.addRow("", self.entry_note)
        self._note_entry()

    def _typed(self) -> dict:
        """What the form holds now, by field (path and type), the person and the record."""
        typed: dict = {_kept_as(f): f.state() for outer in self.fields for f in outer.fields()}
        if getattr(self, "person", None) is not None:
            typed["person"] = self.person.contact_id()
        if self.record is not None:
            typed["record"] = self.record.id.text()
        return typed

    def _person_rows(self, form: QFormLayout, path: str = "authId", title: str = "Contact",
                     section: bool = True) -> None:
        """The person the event is about: an event's authId with its fallback contact
        points, or the record's person column."""
        if section:
            form.addRow(_section("PERSON"))
        self.person = ContactChooser(self.store)
        self.person.setObjectName(f"field:{path}")
        new = QToolButton()
        new.setIcon(icon("contact_add"))
        new.setToolTip("New test contact…")
        new.clicked.connect(self.new_test_contact)
        self.email = QLineEdit()
        self.email.setPlaceholderText("for someone not yet known (optional)")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("+31600000000 (optional)")
        person = QLabel(f"{_escape(title)} <span style='color: palette(highlight)'>*</span>")
        person.setToolTip(f"{path}: the contact or lead to save" if self.contact_form else
                          f"{path}: the contact or lead the "
                          f"{'event' if section else 'record'} is about")
        new.setVisible(self.contact_form is None)  # Fire saves the contact itself
        # Room for the longest note there is without a test running: the fields below
        # stayed put only until the id typed was, or stopped being, a contact's.
        noun = self.record.noun if self.record is not None else None
        self.person_note = ReservedLabel(person_note("?", None, [], noun)[1])
        self.person_note.setObjectName("personNote")
        self.person_note.setTextFormat(Qt.TextFormat.PlainText)  # it names journeys
        # Under the id, in the field's column: a form row of its own would be as high as
        # the note is at its narrowest, leaving gaps above and below it.
        field = QWidget()
        column = QVBoxLayout(field)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(_row(self.person, new, stretch=0))
        column.addWidget(self.person_note)
        form.addRow(person, field)
        noting = QTimer(self.person_note, singleShot=True, interval=150)
        noting.timeout.connect(self._note_person)
        self.person.editTextChanged.connect(lambda _t: noting.start())
        self._note_person()
        if section:
            form.addRow("Email", self.email)
            form.addRow("Phone", self.phone)

    def _fill_triggers(self) -> None:
        self.trigger.blockSignals(True)
        self.trigger.clear()
        for definition in self.store.fireable_triggers():
            self.trigger.addItem(icon("trigger"), definition.title, definition.name)
        self.trigger.blockSignals(False)

    def reload(self) -> None:
        """Read the workspace's triggers again (they may have changed since it was shown);
        the fired history and what was typed stay, the last answer goes with the old
        form."""
        chosen = self.trigger.currentData()
        self.catalog = self.store.catalog()
        self._asks = None  # journeys published or changed since
        self._fill_triggers()
        self.choose_trigger(chosen)
        self._build_form()  # what was typed stays
        self._show_answer("info", READY)

    # --- what the form holds ----------------------------------------------------------------

    @property
    def definition(self) -> TriggerDefinition | None:
        return self.catalog.triggers.get(self.trigger.currentData() or "")

    def choose_trigger(self, name: str | None) -> None:
        index = self.trigger.findData(name) if name else -1
        if index >= 0:
            self.trigger.setCurrentIndex(index)

    def body(self) -> dict[str, Any]:
        """The event as JSON, exactly as it is sent; fields left empty are left out. For
        a record trigger, the record's id and the columns it is given."""
        if self.record is not None:
            return self.record.change(self.person.contact_id()).body
        if self.contact_form is not None:
            return self.contact_form.change(self.person.contact_id()).body
        attributes = {f.attr.name: v for f in self.fields if (v := f.value()) is not None}
        special = {"authId": self.person.contact_id(), "contactpoint_email": self.email.text(),
                   "contactpoint_phone": self.phone.text(), "bindingId": self.binding.text(),
                   "messageId": self.message_id.text()}
        return {**{k: v.strip() for k, v in special.items() if v.strip()},
                "attributes": attributes}

    def widget_for(self, path: str | None) -> QWidget | None:
        if self.contact_form is not None:
            return self.person if path == "id" else self.contact_form.widget_for(path)
        special = {"id": self.record.id, self.record.source.person_column: self.person} \
            if self.record is not None else \
            {"authId": self.person, "contactpoint_email": self.email,
             "contactpoint_phone": self.phone, "bindingId": self.binding,
             "messageId": self.message_id}
        if path in special:
            return special[path]
        fields = {inner.path: inner for f in self.fields for inner in f.fields()}
        while path and path not in fields:  # "attributes.case.id": the case's group
            path = path.rpartition(".")[0]
        return fields[path].widget if path else None

    # --- firing -------------------------------------------------------------------------

    def fire(self) -> None:
        definition = self.definition
        if definition is None:
            return
        if self.record is not None:
            person = self.person.contact_id()
            problem = self.record.problem(person)
            if problem is not None:
                self._refused(*problem, sent=False)
                return
            self._send(definition, person, change=self.record.change(person))
            return
        if self.contact_form is not None:
            self._save_contact(definition, self.contact_form)
            return
        body = self.body()
        try:
            parse_event(definition, self.catalog, body)
        except PayloadError as refused:
            self._refused(refused.message, refused.field, sent=False)
            return
        self._send(definition, str(body.get("authId", "")), body=body)
        self.message_id.setText(str(uuid.uuid4()))  # the next one is a new event

    def fire_again(self) -> None:
        fired = self.history.selected()
        definition = self.catalog.triggers.get(fired.trigger) if fired else None
        if definition is None:
            return
        if fired.change is not None:  # the same change again (a body of its own)
            self._send(definition, fired.person, change=replace(fired.change))
        else:
            self._send(definition, fired.person,
                       body={**fired.body, "messageId": str(uuid.uuid4())})

    def _save_contact(self, definition: TriggerDefinition, form: ContactForm) -> None:
        contact_id = self.person.contact_id()
        stored = self.store.contact(contact_id) if contact_id else None
        problem = form.problem(contact_id, stored)
        if problem is not None:
            self._refused(*problem, sent=False)
            return
        self._send(definition, contact_id, change=form.change(contact_id),
                   saved=form.contact(contact_id))

    def _send(self, definition: TriggerDefinition, person: str,
              body: dict[str, Any] | None = None,
              change: RecordChange | ContactSave | None = None,
              saved: Contact | None = None) -> None:
        """Send an event (`body`), or change a record or save a contact (`change`) so
        that it fires; `saved`: the contact saved, as it will be (a test contact or not)."""
        self._clear_marks()
        if not self.link.status.can_fire:
            self._show_answer("error", "No engine is running: start it first.")
            return
        if not self._past_the_test(definition, person, saved):
            return
        self.history.add(Fired(definition.name, definition.title,
                               change.body if change is not None else body, person, change))
        self._show_answer("wait", f"Sending {_escape(definition.title)} for "
                          f"{_escape(person)}…")
        if change is not None:
            self.link.change_record(definition.name, change)
        else:
            self.link.fire(definition.name, body)

    def _answered(self, result: FireResult) -> None:
        fired = self.history.answered(result)
        if fired is None:
            return  # not one of this dialog's
        if result.accepted and fired.change is not None:
            saved = isinstance(fired.change, ContactSave)  # the outcome names the contact
            form = self.record if self.record is not None and \
                self.record.definition.name == fired.trigger else None
            definition = self.catalog.triggers.get(fired.trigger)
            said = saved_outcome(definition, result) if saved and definition else \
                form.outcome(result) if form is not None else result.message
            kind = "ok" if not (form or saved) or fired.trigger in result.triggers else "info"
            self._show_answer(kind, f"<b>{result.status} {result.outcome}</b> · "
                              f"{_escape(said)}" + ("" if saved else
                                                   f" · for {_escape(fired.person)}"))
            self.message.emit(said[:1].upper() + said[1:])
            if saved and self.contact_form is not None and self.contact_form.makes and \
                    self.person.contact_id() == fired.person:
                self.person.set_contact_id(self._free_test_id())  # the next one is new
                self._note_person()
        elif result.accepted:
            self._show_answer("ok", f"<b>{result.status} {result.outcome}</b> · "
                              f"event {result.event_id} · {_escape(fired.title)} for "
                              f"{_escape(fired.person)}")
            self.message.emit(f"Fired {fired.title}: {result.status} {result.outcome}")
        else:
            self._refused(result.message, result.field, sent=True)

    def _refused(self, message: str, field: str | None, sent: bool) -> None:
        self._clear_marks()
        where = self.widget_for(field)
        if where is not None:
            mark_invalid(where, True)
            where.setFocus(Qt.FocusReason.OtherFocusReason)
        prefix = ("Not sent" if not sent else "The engine refused the change"
                  if self.record is not None else "The engine refused the contact"
                  if self.contact_form is not None else "The engine refused the event")
        self._show_answer("error", f"<b>{prefix}:</b> {_escape(message)}")

    def _clear_marks(self) -> None:
        for widget in self.form_host.findChildren(QWidget):
            if widget.property("invalid"):
                mark_invalid(widget, False)

    def _show_answer(self, kind: str, text: str) -> None:
        current = theme.current()
        colour = {"ok": current.ok, "error": current.error}.get(kind, current.muted)
        name = {"info": "fire", "wait": "wait"}.get(kind, kind)
        self.answer_icon.setPixmap(icon(name, colour).pixmap(18, 18))
        self.answer.setText(text)
        self.answer.setProperty("kind", kind)

    # --- while a journey is tested ------------------------------------------------------

    def tested(self, trigger: str | None = None) -> list[TestedJourney]:
        """The journeys on `trigger` (the chosen one by default) being tested."""
        trigger = trigger if trigger is not None else self.trigger.currentData()
        found = []
        for test in self.link.tests:
            try:
                info, journey = (self.store.info(test.journey_id),
                                 self.store.load(test.journey_id))
            except (KeyError, StoreError):  # deleted since
                continue
            if journey.start.trigger == trigger:
                found.append(TestedJourney(info.name, info.state == "live"))
        return found

    def _tests_changed(self, _tests: tuple) -> None:
        self._asks = None
        self._note_person()
        self._note_entry()

    def entry_asks(self) -> list[str]:
        """What the journeys on the chosen trigger ask of its event to let the person in:
        those being tested (but a test letting test contacts in whatever they hold), or,
        with none, the live ones; one line each, for those with conditions."""
        if self._asks is None:
            self._asks = self._read_asks()
        return self._asks.get(self.trigger.currentData() or "", [])

    def _read_asks(self) -> dict[str, list[str]]:
        """`entry_asks` for every trigger, each journey read once."""
        tests = {test.journey_id: test for test in self.link.tests}
        tested: dict[str, list] = {}
        live: dict[str, list] = {}
        for info in self.store.journeys():
            test = tests.get(info.id)
            if test is None and info.state != "live":
                continue
            try:
                journey = (self.store.load(info.id) if test is not None else
                           self.store.version_bundle(info.id, info.version).journey)
            except (KeyError, StoreError):  # deleted since
                continue
            if journey.start.trigger:
                (tested if test is not None else live).setdefault(
                    journey.start.trigger, []).append((info, journey, test))
        asks: dict[str, list[str]] = {}
        for trigger in {*tested, *live}:
            for info, journey, test in tested.get(trigger) or live[trigger]:
                conditions = journey.start.conditions
                if (conditions is None or not conditions.items
                        or (test is not None and test.options.bypass_entry_conditions)):
                    continue
                asks.setdefault(trigger, []).append(
                    f"“{info.name}” lets in people whose "
                    f"{conditions.describe(self.catalog.condition_labels(trigger))}.")
        return asks

    def _note_entry(self) -> None:
        note = getattr(self, "entry_note", None)
        if note is None:
            return
        lines = self.entry_asks() if self.store is not None else []
        note.setText("\n".join(lines))
        note.setVisible(bool(lines))

    def _note_person(self) -> None:
        contact_id = self.person.contact_id()
        contact = self.store.contact(contact_id) if contact_id else None
        if self.contact_form is not None:
            self.contact_form.show(contact_id, contact)
            kind, text = self.contact_form.note(contact_id, contact)
        else:
            kind, text = person_note(contact_id, contact, self.tested(),
                                     self.record.noun if self.record is not None else None)
        self.person_note.setText(text)
        self.person_note.setProperty("kind", kind)
        self.person_note.style().unpolish(self.person_note)
        self.person_note.style().polish(self.person_note)

    def _past_the_test(self, definition: TriggerDefinition, contact_id: str,
                       saved: Contact | None = None) -> bool:
        """True to send: nobody is taken past a test into a live journey unasked."""
        live = live_instead_of_test(saved or self.store.contact(contact_id),
                                    self.tested(definition.name))
        if not live:
            return True
        names = names_of(live)
        if self.prompts.confirm(
                "Fire into the live journey?",
                f"{contact_id} is not a test contact. {names} "
                f"{'is' if len(live) == 1 else 'are'} being tested, and a test lets in test "
                "contacts only, so this event takes them into the live version instead: its "
                "messages go out for real.", "Fire into the live journey"):
            return True
        self._show_answer("info", f"Not sent: {_escape(contact_id)} is not a test contact. "
                          "Choose one, or make one with the button beside the id.")
        return False

    # --- the rest ------------------------------------------------------------------------

    def new_test_contact(self) -> None:
        typed = self.person.contact_id()  # an id nobody has yet is the one to make
        suggested = typed if typed and self.store.contact(typed) is None else \
            f"test-{uuid.uuid4().hex[:6]}"
        dialog = NewContactDialog(self, suggested)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_contact(dialog)

    def add_contact(self, dialog: NewContactDialog) -> None:
        contact = dialog.contact()
        self.store.save_contact(contact)
        self.person.set_contact_id(contact.id)
        self._note_person()
        self.message.emit(f"Made the test contact {contact.id}")

    def copy_curl(self) -> None:
        definition = self.definition
        if definition is None:
            return
        url = self.link.base_url or f"http://127.0.0.1:{self.link.port}"
        person = self.person.contact_id()
        if self.contact_form is not None:
            try:
                self.contact_form.contact(person)
            except DocumentError as error:
                self._refused(error.detail, error.path.removeprefix("$.") or None, sent=False)
                return
        QGuiApplication.clipboard().setText(
            record_curl(url, self.record.change(person)) if self.record is not None else
            contact_curl(url, self.contact_form.change(person))
            if self.contact_form is not None else
            curl_command(url, definition.name, self.body()))
        self.message.emit("Copied as curl: it reads the key from $WAYMARK_KEY")
        self._show_answer("ok", "Copied the curl command. It reads the key from "
                          "<code>$WAYMARK_KEY</code>: <code>waymark keys create --name "
                          "curl</code> makes one.")

    def _history_selected(self) -> None:
        self.again.setEnabled(self.history.selected() is not None
                              and self.link.status.can_fire)

    def _engine_changed(self, status: EngineStatus) -> None:
        self.banner.setVisible(not status.can_fire)
        self.banner_icon.setPixmap(icon("warning", theme.current().warning).pixmap(16, 16))
        self.banner_text.setText("No engine runs this workspace, so a test trigger cannot "
                                 "be sent." if not status.busy else "The engine is "
                                 f"{status.mode.value}…")
        self.start_button.setEnabled(not status.busy)
        self.fire_button.setEnabled(status.can_fire and self.definition is not None)
        self._history_selected()


def _kept_as(field: AttributeField) -> tuple:
    """What a field's value is kept by over the triggers shown: its name and type."""
    return field.path, field.attr.type, field.attr.entity


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("section")
    return label


def _row(*widgets: QWidget, stretch: int | None = None, stretch_first: bool = False
         ) -> QWidget:
    """Widgets side by side; `stretch` is the index that takes the room left."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(8)
    if stretch_first:
        layout.addStretch(1)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == stretch else 0)
    if stretch is None and not stretch_first:
        layout.insertStretch(0, 1)
    return row


def _column(*widgets: QWidget, margins: tuple[int, int, int, int] = (0, 0, 0, 0)
            ) -> QWidget:
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(*margins)
    layout.setSpacing(10)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QScrollArea | QSplitter | FireHistory)
                         else 0)
    return column


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
