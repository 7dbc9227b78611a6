"""A journey on a trigger Waymark raises when a contact is saved (a welcome journey on
Contact created) is test-fired from the studio: the fire dialog offered only the
triggers a website sends and said "No trigger in this workspace to fire", so such a
journey could not be tried at all. Now its form is the contact, saved through the
engine's real socket (PUT /v1/contacts/ID), as an integration saves one.

End to end with real parts: the window offscreen, the engine's socket on a free port,
the outbox on disk.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.dialogs.fire import FireDialog
from app.engine_link import EngineMode
from engine.model import Contact, read_bundle, to_data
from engine.resources import resource
from tests.app.studio_engine_support import field, outbox_mail, type_into, wait_for_mode
from tests.app.test_studio_engine import studio  # noqa: F401 (fixture)
from tests.engine.serve_support import query, wait_until


def welcome_bundle(folder) -> str:
    """The cart sample made a welcome journey: Contact created → an email → done."""
    data = to_data(read_bundle(resource("samples", "abandoned_cart.json")))
    journey = data["journey"]
    journey.update(id="welcome", name="Welcome series", goal=None, exits=[])
    journey["start"].update(trigger="contact_created", conditions=None)
    journey["tiles"] = [t for t in journey["tiles"]
                        if t["id"] in ("start", "email-reminder", "exit-done")]
    journey["edges"] = [{"source": "start", "port": "next", "target": "email-reminder"},
                        {"source": "email-reminder", "port": "next", "target": "exit-done"}]
    email = data["content"][0]
    email.update(subject="Welcome, {{ contact.firstname | default('friend') }}",
                 html=email["html"].replace("{{ trigger.cart_total }}", ""))
    path = folder / "welcome.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_contact_triggers_fire_by_saving_the_contact_through_the_socket(
        qtbot, studio, tmp_path):  # noqa: F811
    window = studio()
    path = tmp_path / "shop.waymark"
    assert window.session.open_workspace(path)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    window.session.open_sample(welcome_bundle(tmp_path))
    window.actions_["publish"].trigger()
    assert window.session.info.state == "live"
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    qtbot.waitUntil(lambda: dialog.fire_button.isEnabled(), timeout=20000)
    assert dialog.definition.name == "contact_created"  # the open journey's trigger
    assert "Fire saves the contact through the engine's socket" in dialog.about.text()
    assert dialog.person.contact_id() == "test-1"  # an id nobody has
    assert dialog.person_note.text() == (
        "Nobody has this id: saving them fires Contact created.")
    assert field(dialog, "test").isChecked()
    type_into(qtbot, field(dialog, "phone"), "+31" * 20)  # what the socket refuses
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    assert "Not sent" in dialog.answer.text() and field(dialog, "phone").property("invalid")
    assert dialog.history.topLevelItemCount() == 0
    field(dialog, "phone").clear()
    type_into(qtbot, field(dialog, "email"), "ann@example.com")
    type_into(qtbot, field(dialog, "attributes.firstname"), "Ann")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "200 created" in dialog.answer.text(), timeout=10000)
    assert "contact test-1 saved · fired Contact created" in dialog.answer.text()
    assert dialog.history.topLevelItem(0).text(3) == "200 created"
    mail = wait_until(lambda: outbox_mail(path, "ann@example.com"), timeout=15)
    assert "Subject: Welcome, Ann" in mail[0]
    assert query(path, "SELECT test FROM contacts WHERE id = 'test-1'") == [(1,)]
    assert dialog.person.contact_id() == "test-2"  # the next one is new again
    dialog.person.set_contact_id("test-1")
    dialog._note_person()
    assert dialog.person_note.property("kind") == "warning"
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    assert "already a contact, so saving them fires Contact updated" in dialog.answer.text()
    assert dialog.history.topLevelItemCount() == 1  # refused before sending

    dialog.person.set_contact_id("test-2")  # as offered: nobody's
    dialog.choose_trigger("contact_email_updated")  # the contact saved last, as it is
    assert dialog.person.contact_id() == "test-1"
    assert field(dialog, "email").text() == "ann@example.com"
    assert field(dialog, "attributes.firstname").text() == "Ann"
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    assert "Email: give it a new value" in dialog.answer.text()
    type_into(qtbot, field(dialog, "email"), "ann@example.org")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "200 updated" in dialog.answer.text(), timeout=10000)
    assert ("contact test-1 saved · fired Contact email updated and 1 other trigger"
            in dialog.answer.text())
    # PUT replaces the contact: what the form did not show was sent as it was
    assert query(path, "SELECT email, test FROM contacts WHERE id = 'test-1'") == [
        ("ann@example.org", 1)]
    dialog.history.setCurrentItem(dialog.history.topLevelItem(1))  # Contact created
    qtbot.mouseClick(dialog.again, Qt.MouseButton.LeftButton)  # test-1 exists now
    qtbot.waitUntil(lambda: dialog.history.topLevelItemCount() == 3
                    and "200" in dialog.history.topLevelItem(0).text(3), timeout=10000)
    assert dialog.history.topLevelItem(0).text(3) == "200 not fired"
    assert ("Contact created did not fire (saving fired Contact updated, Contact email "
            "updated)") in dialog.answer.text()
    qtbot.mouseClick(dialog.curl, Qt.MouseButton.LeftButton)
    command = QGuiApplication.clipboard().text()
    assert f"-X PUT {window.engine.base_url}/v1/contacts/test-1 " in command
    assert '"email": "ann@example.org"' in command and "wmk_" not in command  # the form's

    dialog.choose_trigger("contact_updated")  # test-1 as the workspace holds them
    qtbot.waitUntil(lambda: field(dialog, "email").text() == "ann@example.com", timeout=5000)
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    assert "Nothing changed: change a field" in dialog.answer.text()
    assert dialog.history.topLevelItemCount() == 3  # refused before sending
    field(dialog, "attributes.lastname").setText("Archer")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "saved" in dialog.answer.text(), timeout=10000)
    assert "contact test-1 saved · fired Contact updated" in dialog.answer.text()


def test_the_id_offered_for_a_new_contact_takes_at_most_fifty_lookups(window, qtbot) -> None:
    """test-1, test-2… are tried one lookup each on the GUI thread: a workspace holding
    thousands of them (a CSV of test contacts) froze the dialog while it counted."""
    store = window.session.store
    for number in range(1, 51):
        store.save_contact(Contact(id=f"test-{number}", test=True))
    dialog = FireDialog(window.engine, store, window)
    qtbot.addWidget(dialog)
    dialog.choose_trigger("contact_created")
    offered = dialog.person.contact_id()
    assert offered.startswith("test-") and offered != "test-51"
    assert store.contact(offered) is None
