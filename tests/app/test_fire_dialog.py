"""The fire dialog's form, generated from a trigger's definition: one typed field per
attribute, records as groups of their columns, the person searched as you type, and the
body it builds passing the engine's own checks."""

from __future__ import annotations

import time

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.dialogs.fire import READY, FireDialog
from app.dialogs.fire_person import (
    EMPTY_NOTE,
    TestedJourney,
    live_instead_of_test,
    person_note,
)
from app.engine_link import EngineMode
from engine.ingestion.payload import parse_event
from engine.model import AttributeDef, Contact, RecordTable, TriggerDefinition
from engine.resources import resource
from tests.app.studio_engine_support import field, type_into, wait_for_mode
from tests.app.test_studio_engine import studio  # noqa: F401 (fixture)

BOOKING = TriggerDefinition(
    name="booking_made", title="Booking made", state="ready", attributes=[
        AttributeDef(name="guests", type="number", title="Guests", required=True,
                     description="How many people the table is for"),
        AttributeDef(name="terrace", type="boolean", title="On the terrace"),
        AttributeDef(name="arrives", type="datetime", title="Arrives at", required=True),
        AttributeDef(name="venue", type="entity", entity="venue", title="Venue")])
VENUE = RecordTable(name="venue", title="Venue", columns=[
    AttributeDef(name="city", type="text", title="City"),
    AttributeDef(name="seats", type="number", title="Seats")])


def with_booking(store) -> None:
    """A trigger a website sends: the form is an event's (with none, the first trigger
    listed is Contact created, whose form is the contact to save)."""
    store.workspace.save_record_table(VENUE)
    store.workspace.save_trigger(BOOKING)


@pytest.fixture
def dialog(window, qtbot):
    store = window.session.store
    with_booking(store)
    made = FireDialog(window.engine, store, window)
    qtbot.addWidget(made)
    made.choose_trigger("booking_made")
    return made


def test_each_attribute_gets_a_typed_field_and_the_body_passes_the_engines_check(
        dialog, qtbot):
    assert field(dialog, "attributes.guests").toolTip().startswith(
        "How many people the table is for")
    venue = field(dialog, "attributes.venue")
    assert venue.title() == "Venue"  # a group with the record table's columns
    dialog.person.set_contact_id("ann")
    type_into(qtbot, field(dialog, "attributes.guests"), "4")
    field(dialog, "attributes.terrace").setCurrentIndex(1)  # true
    type_into(qtbot, field(dialog, "attributes.venue.city"), "Utrecht")
    type_into(qtbot, field(dialog, "attributes.venue.seats"), "12.5")
    body = dialog.body()
    assert body["authId"] == "ann" and len(body["messageId"]) == 36
    attributes = body["attributes"]
    assert (attributes["guests"], attributes["terrace"]) == (4, True)
    assert attributes["venue"] == {"city": "Utrecht", "seats": 12.5}
    assert attributes["arrives"].endswith("Z")  # a required date/time: sent, in UTC
    parse_event(BOOKING, dialog.catalog, body)  # what the socket would check


def test_without_an_engine_the_dialog_says_so_and_refuses_to_send(dialog, qtbot):
    assert dialog.banner.isVisibleTo(dialog) and not dialog.fire_button.isEnabled()
    assert "No engine runs this workspace" in dialog.banner_text.text()
    dialog.person.set_contact_id("ann")
    type_into(qtbot, field(dialog, "attributes.guests"), "2")
    dialog.fire()
    assert "No engine is running" in dialog.answer.text()
    assert dialog.history.topLevelItemCount() == 0


def test_start_engine_in_the_dialog_starts_it(qtbot, studio, tmp_path):  # noqa: F811
    window = studio()
    window.session.settings.setValue("engine/start_on_open", False)
    window.session.open_workspace(tmp_path / "shop.waymark")
    dialog = window.engine_control.open_fire_dialog()
    assert dialog.banner.isVisible()
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    assert not dialog.banner.isVisible()


def test_the_person_is_searched_as_you_type_fifty_at_most(window, qtbot):
    store = window.session.store
    for i in range(300):
        store.save_contact(Contact(id=f"c{i:03}", email=f"person{i}@example.com"))
    store.save_contact(Contact(id="zed", email="c-fan@example.com"))
    started = time.perf_counter()
    found = store.search_contacts("c1")
    took = time.perf_counter() - started
    assert [i for i, _ in found] == [f"c{i}" for i in range(100, 150)]  # 50, in order
    assert [i for i, _ in store.search_contacts("c-f")] == ["zed"]  # by email too
    assert took < 0.05
    with_booking(store)
    dialog = FireDialog(window.engine, store, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()  # X without a window manager does not: the list needs focus
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)  # waitActive() alone waits not
    dialog.person.setFocus()
    qtbot.keyClicks(dialog.person.lineEdit(), "c29")
    qtbot.waitUntil(lambda: dialog.person.matches.rowCount() == 10, timeout=2000)
    assert dialog.person.matches.stringList()[0] == "c290  ·  person290@example.com"
    popup = dialog.person.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    # under the whole box, not over its lower edge (seen in a real window: the list hid
    # the bottom of the id typed)
    box = dialog.person
    bottom = box.mapToGlobal(QPoint(0, box.height())).y()
    assert popup.mapToGlobal(QPoint(0, 0)).y() >= bottom - 1  # on its edge at most
    qtbot.keyClicks(dialog.person.lineEdit(), "x")  # matches nobody: no empty list left
    qtbot.waitUntil(lambda: dialog.person.matches.rowCount() == 0, timeout=2000)
    assert not popup.isVisible()


def test_enter_before_the_search_is_back_opens_no_list(window, qtbot):
    """Seen in a real window: an id typed and Enter at once (Follow, or Fire) and the
    search, back 150 ms later, opened its list over what Enter had done."""
    store = window.session.store
    for i in range(3):
        store.save_contact(Contact(id=f"dana{i}", email=f"dana{i}@example.com"))
    with_booking(store)
    dialog = FireDialog(window.engine, store, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)  # waitActive() alone waits not
    dialog.person.setFocus()
    qtbot.keyClicks(dialog.person.lineEdit(), "dana")
    qtbot.keyClick(dialog.person.lineEdit(), Qt.Key.Key_Return)
    qtbot.wait(400)
    assert not dialog.person.completer().popup().isVisible()
    qtbot.keyClicks(dialog.person.lineEdit(), "1")  # typing on searches again
    popup = dialog.person.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    dialog.person.setFixedWidth(90)  # as narrow as Test and follow's field: the list is not
    dialog.person.refresh()
    assert popup.viewport().width() >= popup.sizeHintForColumn(0)  # "dana1  ·  dana1@…"


def test_a_trigger_made_while_the_dialog_was_closed_is_there_when_it_opens_again(window):
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    assert dialog.trigger.findData("booking_made") == -1
    dialog.close()
    window.session.store.workspace.save_record_table(VENUE)
    window.session.store.workspace.save_trigger(BOOKING)
    window.actions_["fire"].trigger()
    assert dialog is window.engine_control.fire_dialog  # the same dialog, its history kept
    assert dialog.trigger.findData("booking_made") >= 0


def test_opened_again_the_dialog_keeps_the_person_and_drops_the_old_answer(window, qtbot):
    with_booking(window.session.store)
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    qtbot.keyClicks(dialog.person.lineEdit(), "ann")
    dialog._refused("attributes.cart_total: required", "attributes.cart_total", sent=False)
    dialog.close()
    window.actions_["fire"].trigger()
    assert dialog.person.contact_id() == "ann"
    assert dialog.answer.text() == READY  # not a refusal of a form no longer there
    assert dialog.person_note.text().startswith("Not a contact of this workspace")
    assert dialog.person_note.textFormat() == Qt.TextFormat.PlainText  # it names journeys


def test_the_line_under_the_person_says_where_the_event_takes_them():
    """While a journey on the trigger is tested, only test contacts enter its test: the
    line says where anyone else goes (its live version, or nowhere for a draft)."""
    ann, tess = Contact(id="ann", email="ann@example.com"), Contact(id="tess", test=True)
    live, draft = TestedJourney("Cart", live=True), TestedJourney("Cart", live=False)
    # no id yet: what to type there, in the room the notes keep (it was a blank gap)
    assert person_note("", None, [live]) == ("info", EMPTY_NOTE)
    assert EMPTY_NOTE.startswith("Who the event is about: a contact's id")
    assert person_note("ann", ann, []) == ("info", "A contact · ann@example.com")
    assert person_note("cy", None, [])[1].startswith("Not a contact of this workspace")
    kind, text = person_note("ann", ann, [live])
    assert kind == "warning" and "into its live version, where messages go out" in text
    kind, text = person_note("cy", None, [draft])
    assert kind == "warning" and "takes them into no journey." in text
    assert person_note("tess", tess, [live]) == (
        "ok", "A test contact: this event takes them into the test of “Cart”.")
    assert live_instead_of_test(ann, [live, draft]) == [live]
    assert live_instead_of_test(None, [live]) == [live]  # a lead made on the spot
    assert live_instead_of_test(tess, [live]) == []


@pytest.mark.parametrize(("typed", "suggested"), [("zed", "zed"), ("ann", "test-"), ("", "test-")])
def test_a_new_test_contact_takes_the_id_typed_when_nobody_has_it(dialog, qtbot, typed,
                                                                   suggested):
    dialog.store.save_contact(Contact(id="ann", email="ann@example.com"))
    dialog.person.set_contact_id(typed)
    seen = []

    def answer() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None or modal.objectName() != "newTestContact":
            QTimer.singleShot(20, answer)
            return
        seen.append(modal.contact_id.text())
        modal.reject()

    QTimer.singleShot(0, answer)
    dialog.new_test_contact()
    assert len(seen) == 1 and seen[0].startswith(suggested)
    assert dialog.person.contact_id() == typed  # cancelled: nothing changed


def test_the_dialog_of_a_workspace_closed_hears_no_more_of_its_tests(window, qtbot,
                                                                      tmp_path):
    """Opening another workspace deletes the fire dialog; the link's later news of tests
    must not reach it (a slot on a deleted dialog raised in the event loop)."""
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    assert dialog is not None
    assert window.session.open_workspace(tmp_path / "other.waymark")
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)
    window.engine.tests_changed.emit(())  # pytest-qt fails the test on a slot's error
    qtbot.wait(50)


def test_what_was_typed_stays_when_the_trigger_changes_and_back(dialog, qtbot, window):
    """It was lost: choosing another trigger, or opening the dialog again, rebuilt the
    form empty. A field of the same name and type keeps its value; the person stays."""
    window.session.store.workspace.save_trigger(TriggerDefinition(
        name="table_freed", title="Table freed", state="ready", attributes=[
            AttributeDef(name="guests", type="number", title="Guests"),
            AttributeDef(name="terrace", type="text", title="Terrace note")]))
    dialog.catalog = window.session.store.catalog()
    dialog.reload()
    dialog.choose_trigger("booking_made")
    dialog.person.set_contact_id("ann")
    type_into(qtbot, field(dialog, "attributes.guests"), "4")
    field(dialog, "attributes.terrace").setCurrentIndex(1)  # true
    type_into(qtbot, field(dialog, "attributes.venue.city"), "Utrecht")
    dialog.choose_trigger("table_freed")
    assert dialog.body()["attributes"] == {"guests": 4}  # the terrace is text here: not kept
    assert dialog.person.contact_id() == "ann"
    dialog.choose_trigger("booking_made")
    attributes = dialog.body()["attributes"]
    assert (attributes["guests"], attributes["venue"]) == (4, {"city": "Utrecht"})
    assert attributes["terrace"] is True  # this trigger's own, kept over the other
    dialog.reload()  # opened again
    assert dialog.body()["attributes"]["guests"] == 4 and dialog.body()["authId"] == "ann"


def test_names_in_questions_and_lines_are_shown_as_typed_not_as_markup(qtbot):
    """A journey or a contact id may hold "<b>" (nothing forbids it): Qt took such texts
    for markup in the studio's questions and in the line under the fire dialog's id."""
    from PySide6.QtWidgets import QMessageBox

    from app.prompts import Prompts

    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[tuple] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append((box.textFormat(), box.text()))
        box.reject()

    prompts = Prompts(parent)
    for ask in (lambda: prompts.confirm("Fire?", "<b>ann</b> is not a test contact", "Fire"),
                lambda: prompts.unsaved_changes("<i>Cart</i>"),
                lambda: prompts.error("Not done", "<b>x</b>")):
        QTimer.singleShot(0, answer)
        ask()
    assert [f for f, _ in seen] == [Qt.TextFormat.PlainText] * 3
    assert seen[0][1] == "<b>ann</b> is not a test contact"


@pytest.mark.parametrize("width", [460, 640])
def test_the_fields_below_the_person_stay_put_while_the_id_is_typed(dialog, qtbot, width):
    """The line under Contact changes as the id is typed (nothing, a contact's email, two
    lines for an id nobody has): the Email and Phone fields below it do not move."""
    dialog.store.save_contact(Contact(id="ann", email="ann@example.com"))
    dialog.resize(width, dialog.height())
    dialog.show()
    qtbot.waitExposed(dialog)
    where = []
    for typed in ("", "annie", "ann", ""):
        dialog.person.set_contact_id(typed)
        dialog._note_person()  # as the typing timer does
        QApplication.processEvents()
        where.append(dialog.email.mapTo(dialog, dialog.email.rect().topLeft()).y())
    assert len(set(where)) == 1, where


def test_the_dialog_says_what_the_journeys_on_the_trigger_let_in(window, qtbot):
    """Seen in a real window: "Espresso guide" typed as the form of Form submitted was
    accepted and then refused at the start of the brew guide, which lets in the French
    press guide's form only; nothing in the dialog said what the journey wanted."""
    from datetime import UTC, datetime

    from app.engine_link.journey_watch import RunningTest
    from engine.runtime.version import TestOptions

    window.session.open_sample(resource("samples", "brew_guide.json"))
    assert window.session.publish()
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    dialog.choose_trigger("form_submitted")
    # the attribute by its title, as the form above names it (it said form_name)
    said = "“Brew better at home” lets in people whose Form equals French press brew guide."
    assert dialog.entry_note.text() == said and not dialog.entry_note.isHidden()
    # the line is under the attributes, in the fields' column
    form = dialog.form_host.layout()
    row, _role = form.getWidgetPosition(dialog.entry_note)
    assert row > form.getWidgetPosition(field(dialog, "attributes.form_name"))[0]
    # another trigger's journeys are not this one's; choosing one reads no journey again
    store, read = window.session.store, []
    versions = store.version_bundle
    store.version_bundle = lambda *args: read.append(args) or versions(*args)
    dialog.choose_trigger("purchase_completed")
    assert dialog.entry_note.isHidden()
    dialog.choose_trigger("form_submitted")
    assert dialog.entry_note.text() == said and read == []
    del store.version_bundle
    # tested with its conditions, then letting test contacts in whatever they hold
    journey_id = window.session.info.id
    for bypass, shown in ((False, said), (True, "")):
        window.engine.tests = (RunningTest(journey_id, datetime.now(UTC),
                                           TestOptions(10, bypass)),)
        window.engine.tests_changed.emit(window.engine.tests)
        assert dialog.entry_note.text() == shown
        assert dialog.entry_note.isHidden() == (not shown)
    window.engine.tests = ()


CASE_MADE = TriggerDefinition(
    name="case_opened", title="Case opened", kind="record", state="ready",
    record={"table": "case", "person_column": "customer", "action": "created"})
CASE_CHANGED = TriggerDefinition(
    name="case_changed", title="Case changed", kind="record", state="ready",
    record={"table": "case", "person_column": "customer", "action": "either"})
CASE_RESOLVED = TriggerDefinition(
    name="case_resolved", title="Case resolved", kind="record", state="ready",
    record={"table": "case", "person_column": "customer", "action": "updated",
            "columns": ["status"]})


def test_a_record_trigger_is_fired_by_changing_a_record_typed_by_its_columns(window, qtbot):
    """A record trigger's form is the record: its id, its person, its columns, each typed
    and checked before anything is sent, and the change is the one its action needs."""
    store = window.session.store
    for trigger in (CASE_MADE, CASE_CHANGED, CASE_RESOLVED):
        store.workspace.save_trigger(trigger)
    dialog = FireDialog(window.engine, store, window)
    qtbot.addWidget(dialog)
    dialog.choose_trigger("case_resolved")
    assert dialog.about.text().endswith("the trigger fires when a case's status changes.")
    assert field(dialog, "status").placeholderText() == (
        "text: the trigger fires when it changes")
    assert dialog.findChild(QWidget, "field:customer") is dialog.person
    assert dialog.findChild(QWidget, "field:authId") is None  # no event's fields
    assert dialog.person_note.text().startswith("Who the case is about")
    type_into(qtbot, field(dialog, "id"), "CAS-9")
    dialog.person.set_contact_id("nobody-yet")
    dialog._note_person()
    # no address to fall back on, as an event's contactpoint_email is for a stranger
    assert dialog.person_note.property("kind") == "warning"
    assert "with no address to send to" in dialog.person_note.text()
    type_into(qtbot, field(dialog, "satisfaction"), "lots")
    type_into(qtbot, field(dialog, "status"), "Resolved")
    dialog.fire()
    assert "Not sent" in dialog.answer.text()
    assert "satisfaction: expected a number, got text" in dialog.answer.text()
    assert field(dialog, "satisfaction").property("invalid")
    type_into(qtbot, field(dialog, "satisfaction"), "4")
    change = dialog.record.change(dialog.person.contact_id())
    assert change.body == {"id": "CAS-9", "customer": "nobody-yet", "status": "Resolved",
                           "satisfaction": 4}
    assert change.make_first == {"customer": "nobody-yet"}  # made, then updated: it fires
    assert dialog.record.problem("nobody-yet") is None
    dialog.choose_trigger("case_opened")  # what was typed stays
    assert field(dialog, "status").text() == "Resolved" and field(dialog, "id").text() == "CAS-9"
    made = dialog.record.change("nobody-yet")
    assert made.make_only and made.make_first is None
    dialog.choose_trigger("case_changed")
    either = dialog.record.change("nobody-yet")
    assert not either.make_only and either.make_first is None  # changed, or made if new
    dialog.copy_curl()
    command = QApplication.clipboard().text()
    assert "-X PATCH http://127.0.0.1:" in command and "/v1/records/case/CAS-9 " in command
    assert "POST it, with its id, to" in command
