"""The Triggers page on its own: real widgets offscreen, a real workspace file."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.pages.triggers import TriggersPage
from app.store import StudioStore
from engine import trigger_catalog
from engine.ingestion import keys
from engine.model import AttributeType, TriggerDefinition, TriggerState, read_bundle
from engine.resources import resource
from engine.store.database import writing
from engine.store.events_store import NewEvent, insert_events
from tests.app.conftest import dispose

CART = read_bundle(resource("samples", "abandoned_cart.json"))


@pytest.fixture
def store(tmp_path):
    opened = StudioStore.open(tmp_path / "w.waymark")
    yield opened
    opened.close()


def on_screen(qtbot, page, width: int, height: int):
    """A page shown alone, offscreen (or on X), at a size like the window's."""
    qtbot.addWidget(page)
    page.resize(width, height)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # X without a window manager does not: shortcuts need it
    qtbot.waitUntil(page.isActiveWindow, timeout=5000)  # waitActive() alone waits not
    return page


@pytest.fixture
def page(qtbot, store, prompts, themes):
    shown = on_screen(qtbot, TriggersPage(store, prompts), 1500, 950)
    yield shown
    dispose(shown)


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(combo, value) -> None:
    """Pick a value as a person does (the combo announces the choice)."""
    combo.setCurrentIndex(combo.findData(value))
    combo.activated.emit(combo.currentIndex())


def add_attribute(qtbot, page, name: str, kind: str, required: bool = False) -> None:
    editor = page.detail.editor
    click(qtbot, editor.attributes.add_button)
    row = editor.attributes.rows[-1]
    qtbot.keyClicks(row.name, name)
    choose(row.type, kind)
    if required:
        row.required.setChecked(True)


def saved(store, name: str) -> TriggerDefinition:
    return trigger_catalog.trigger_entry(store.workspace, name).trigger


def test_a_custom_trigger_made_from_an_empty_workspace_gives_code_with_a_new_key(
        qtbot, page, store, prompts) -> None:
    assert "No triggers of your own yet" in page.empty.text()
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.detail.editor
    qtbot.keyClicks(editor.title, "Wi-Fi sign-up")
    assert editor.name.text() == "wi_fi_sign_up"  # made from the display name
    add_attribute(qtbot, page, "location", "text", required=True)
    add_attribute(qtbot, page, "visits", "number")
    add_attribute(qtbot, page, "signed_up_at", "datetime")
    qtbot.keyClick(editor.title, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    trigger = saved(store, "wi_fi_sign_up")
    assert [(a.name, a.type, a.required) for a in trigger.attributes] == [
        ("location", AttributeType.TEXT, True), ("visits", AttributeType.NUMBER, False),
        ("signed_up_at", AttributeType.DATETIME, False)]
    assert trigger.state == TriggerState.DRAFT and page.detail.chip.text() == "Draft"

    click(qtbot, page.detail.ready)
    assert "No event of “Wi-Fi sign-up” has arrived yet" in prompts.asked[-1][1]
    assert saved(store, "wi_fi_sign_up").state == TriggerState.READY
    assert page.detail.chip.text() == "Ready" and page.detail.stop.isVisible()

    page.detail.tabs.setCurrentIndex(1)
    snippets = page.detail.snippets
    click(qtbot, snippets.keys.create)
    plain = snippets.keys.shown.field.text()
    assert plain.startswith("wmk_") and snippets.keys.shown.isVisible()
    with store.workspace.db.connect() as conn:
        assert keys.verify(conn, plain).name == "Wi-Fi sign-up integration"
    python = snippets.tab_of["python"]
    snippets.tabs.setCurrentWidget(python)
    click(qtbot, python.copy)
    copied = QGuiApplication.clipboard().text()
    assert f'INGESTION_KEY = "{plain}"' in copied
    assert 'waymark_request("POST", "/v1/triggers/wi_fi_sign_up", event)' in copied
    assert '"visits": 0,  # visits (number, optional)' in copied

    page.hide()  # shown once: gone from the page and from the code
    page.show()
    assert not snippets.keys.shown.isVisible() and plain not in python.code.toPlainText()
    assert "YOUR_INGESTION_KEY" in python.code.toPlainText()


def test_a_second_trigger_of_the_same_name_is_refused_beside_the_name(qtbot, page, store
                                                                       ) -> None:
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    page.refresh()
    click(qtbot, page.new_custom)
    editor = page.detail.editor
    qtbot.keyClicks(editor.title, "Wifi signup")
    add_attribute(qtbot, page, "location", "text")
    click(qtbot, page.detail.save)
    assert editor.problem.isVisible()
    assert editor.problem.text() == ("Name: a trigger named 'wifi_signup' already exists; "
                                     "choose another name")
    assert editor.name.property("invalid") is True
    assert saved(store, "wifi_signup").attributes == []  # the first one is as it was
    assert page.creating and page.dirty  # the form keeps what was typed
    editor.name.clear()
    qtbot.keyClicks(editor.name, "wifi_signup_lobby")
    click(qtbot, page.detail.save)
    assert not editor.problem.isVisible() and editor.name.property("invalid") is False
    assert [a.name for a in saved(store, "wifi_signup_lobby").attributes] == ["location"]


def test_the_message_about_a_field_goes_when_that_field_is_fixed(qtbot, page) -> None:
    """Seen in a real window: "Attribute “Venue Name”: … not a name here" and the red
    outline stayed after the name was typed again, until the next Save."""
    click(qtbot, page.new_custom)
    editor = page.detail.editor
    qtbot.keyClicks(editor.title, "Wi-Fi sign-up")
    add_attribute(qtbot, page, "Venue Name", "text")
    click(qtbot, page.detail.save)
    name = editor.attributes.rows[-1].name
    assert editor.problem.text().startswith("Attribute “Venue Name”: 'Venue Name' is not a")
    assert name.property("invalid") is True
    qtbot.keyClicks(editor.description, "At the door")  # another field: the message stays
    assert editor.problem.isVisible() and name.property("invalid") is True
    qtbot.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(name, "venue")
    assert not editor.problem.isVisible() and name.property("invalid") is False
    click(qtbot, page.detail.save)
    assert not page.creating and not editor.problem.isVisible()


def test_a_type_change_that_would_break_a_live_journey_is_refused_naming_it(
        qtbot, page, store, prompts) -> None:
    store.publish(store.import_bundle(CART).id)
    page.refresh()
    page.list.select("abandoned_cart")
    editor = page.detail.editor
    cart_total = editor.attributes.rows[0]
    assert cart_total.name.text() == "cart_total"
    choose(cart_total.type, "text")
    click(qtbot, page.detail.save)
    problem = editor.problem.text()
    assert problem.startswith("Attribute “cart_total”: live or paused journeys read this "
                              "attribute, so it cannot change type or go")
    assert "“Abandoned cart reminders” version 1 reads cart_total (number → text) at " \
           "tile 'start': entry condition" in problem
    assert cart_total.type.property("invalid") is True
    assert saved(store, "abandoned_cart").attributes[0].type == AttributeType.NUMBER

    page.list.select("purchase_completed")  # leaving with the edit: asked, discarded
    assert page.entry.trigger.name == "purchase_completed" and not page.dirty
    page.list.select("abandoned_cart")
    assert editor.attributes.rows[0].type.value() == "number"
    page.detail.tabs.setCurrentIndex(2)
    assert [page.detail.journeys.item(i).text() for i in range(
        page.detail.journeys.count())] == [
        "“Abandoned cart reminders” (draft): entry",
        "“Abandoned cart reminders” (live, version 1): entry"]


def test_no_more_than_29_attributes_can_be_added(qtbot, page) -> None:
    click(qtbot, page.new_custom)
    attributes = page.detail.editor.attributes
    for _ in range(29):
        click(qtbot, attributes.add_button)
    assert attributes.count.text() == "29 of 29 attributes"
    assert not attributes.add_button.isEnabled()
    assert attributes.add_button.toolTip() == "At most 29 attributes"
    attributes.rows[0].removed.emit(attributes.rows[0])
    assert attributes.add_button.isEnabled()


def test_attributes_move_up_and_down_and_are_saved_in_that_order(qtbot, page, store) -> None:
    click(qtbot, page.new_custom)
    qtbot.keyClicks(page.detail.editor.title, "Order placed")
    for name in ("total", "coupon", "gift"):
        add_attribute(qtbot, page, name, "text")
    total, _coupon, gift = page.detail.editor.attributes.rows
    click(qtbot, gift.tools[0])  # up: total, gift, coupon
    click(qtbot, total.tools[1])  # down: gift, total, coupon
    assert not gift.tools[0].isEnabled()  # the first cannot go up
    click(qtbot, page.detail.save)
    assert [a.name for a in saved(store, "order_placed").attributes] == [
        "gift", "total", "coupon"]


def test_stopping_says_what_it_means_and_ready_takes_it_back(qtbot, page, store, prompts
                                                              ) -> None:
    store.publish(store.import_bundle(CART).id)
    page.refresh()
    page.list.select("abandoned_cart")
    click(qtbot, page.detail.stop)
    title, text = prompts.asked[-1]
    assert title == "Stop trigger"
    assert "the engine refuses its events (integrations get 409 trigger_stopped" in text
    assert "“Abandoned cart reminders” (live, version 1): entry" in text
    assert "You can make it ready again later" in text
    assert saved(store, "abandoned_cart").state == TriggerState.STOPPED
    assert page.detail.ready.text() == "Make ready again"
    click(qtbot, page.detail.ready)
    assert saved(store, "abandoned_cart").state == TriggerState.READY


def test_a_record_trigger_on_a_new_table_is_made_with_the_table(qtbot, page, store) -> None:
    click(qtbot, page.new_record)
    editor = page.detail.editor
    record = editor.record
    qtbot.keyClicks(editor.title, "Ticket changed")
    choose(record.table, "")  # New table…
    qtbot.keyClicks(record.new_name, "ticket")
    # what a system must call, as the table is named
    assert ("POST /v1/records/ticket creates one, PATCH /v1/records/ticket/ID changes it"
            in record.arrival.text())
    for name in ("requester", "state"):
        click(qtbot, record.new_columns.add_button)
        qtbot.keyClicks(record.new_columns.rows[-1].name, name)
    choose(record.person, "requester")
    record.actions.button(1).click()  # Updated
    record.columns.item(1).setCheckState(Qt.CheckState.Checked)  # state
    click(qtbot, page.detail.save)
    trigger = saved(store, "ticket_changed")
    assert (trigger.record.table, trigger.record.person_column, trigger.record.action,
            trigger.record.columns) == ("ticket", "requester", "updated", ["state"])
    table = store.catalog().record_tables["ticket"]
    assert [c.name for c in table.columns] == ["requester", "state"]
    assert table.person_columns == ["requester"]
    assert "PATCH /v1/records/ticket/ID" in page.detail.editor.record.arrival.text()
    # its code is for the system that keeps tickets, with a key made here
    assert page.detail.tabs.isTabVisible(1)
    page.detail.tabs.setCurrentIndex(1)
    snippets = page.detail.snippets
    click(qtbot, snippets.keys.create)
    key = snippets.keys.shown.field.text()
    curl = snippets.tab_of["curl"].code.toPlainText()
    assert key in curl and '"$WAYMARK_URL/v1/records/ticket/"' in curl
    assert '"state": "STATE"' in curl and "the trigger fires when it changes" in curl
    assert "fires when a ticket is updated and its state changes" in curl
    assert "runs this code where one is made or changes" in snippets.note.text()
    assert snippets.tab_of["javascript"].title.text() == "JavaScript (Node 18+, fetch)"
    # a phone app's tab, clicked, says why it has no code
    bar = snippets.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(list(snippets.tab_of).index("swift")).center())
    swift = snippets.tab_of["swift"]
    assert snippets.tabs.currentWidget() is swift and swift.code.toPlainText() == ""
    assert swift.code.placeholderText().startswith("No Swift code for a record trigger: "
                                                   "records change in the system that keeps")
    assert not swift.copy.isEnabled()


def test_search_and_the_kind_filter_narrow_the_list(qtbot, page, store) -> None:
    store.import_bundle(CART)
    page.refresh()
    qtbot.keyClicks(page.list.search, "cart")
    assert page.list.names() == ["abandoned_cart"]
    page.list.search.clear()
    choose(page.list.kind, "custom")
    assert page.list.names() == ["abandoned_cart", "purchase_completed"]
    choose(page.list.kind, "interaction")
    assert "email_opened" in page.list.names() and "abandoned_cart" not in page.list.names()


def test_a_pasted_key_is_checked_against_the_workspace_and_put_in_the_code(
        qtbot, page, store) -> None:
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    with store.workspace.db.begin() as conn:
        _info, good = keys.create_key(conn, "website")
        gone, revoked = keys.create_key(conn, "old website")
        keys.revoke_key(conn, gone.id)
    page.refresh()
    page.list.select("wifi_signup")
    chooser = page.detail.snippets.keys
    choose(chooser.mode, "pasted")
    curl = page.detail.snippets.tab_of["curl"].code
    for pasted, verdict in (("hello", "This is not a Waymark key"),
                            (revoked, f"Key {gone.id} is not an active key of this workspace"),
                            (good, "Active key “website”")):
        chooser.paste.setText(pasted)
        assert chooser.check.text().startswith(verdict)
        assert f"INGESTION_KEY='{pasted}'" in curl.toPlainText()
    choose(chooser.mode, "placeholder")
    assert "INGESTION_KEY='YOUR_INGESTION_KEY'" in curl.toPlainText()


def test_the_code_takes_the_themes_colours(qtbot, page, store, themes) -> None:
    store.import_bundle(CART)
    page.refresh()
    page.list.select("abandoned_cart")
    highlighter = page.detail.snippets.tab_of["python"].highlighter
    try:
        themes.force("dark")
        assert highlighter.formats["keyword"].foreground().color().name() == "#818cf8"
    finally:
        themes.force("light")
    assert highlighter.formats["keyword"].foreground().color().name() == "#4f46e5"


def test_delete_takes_an_unused_trigger_and_refuses_one_a_journey_names(
        qtbot, page, store, prompts) -> None:
    store.import_bundle(CART)
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    page.refresh()
    page.list.select("abandoned_cart")
    page.list.tree.setFocus()
    qtbot.keyClick(page.list.tree, Qt.Key.Key_Delete)
    assert prompts.errors == [("Cannot delete the trigger", "'abandoned_cart' is used by "
                               "“Abandoned cart reminders” (draft): entry: take it out of "
                               "those journeys first, or stop the trigger instead")]
    page.list.select("wifi_signup")
    qtbot.keyClick(page.list.tree, Qt.Key.Key_Delete)
    assert "get 404 unknown_trigger" in prompts.asked[-1][1]
    assert "wifi_signup" not in store.catalog().triggers
    assert "wifi_signup" not in page.list.names() and page.entry is None


def test_the_list_follows_a_triggers_events_while_it_is_shown(qtbot, page, store) -> None:
    """And so does the line under the trigger shown: it said "waiting for first event"
    after the first had come (seen as a developer sent one with the curl snippet)."""
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    page.refresh()
    page.list.select("wifi_signup")
    assert page.detail.subtitle.text() == "wifi_signup · Custom · waiting for first event"
    qtbot.keyClicks(page.detail.editor.title, " (lobby)")  # an edit in hand is kept
    with writing(store.workspace.db) as conn:
        insert_events(conn, [NewEvent("wifi_signup", "ann")], time.time())
    item = page.list.tree.topLevelItem(0)
    qtbot.waitUntil(lambda: item.text(3).startswith("1 event · "), timeout=5000)
    assert item.toolTip(3).startswith("1 event, last at ")
    assert page.detail.subtitle.text().startswith("wifi_signup · Custom · 1 event, last at ")
    assert page.detail.editor.title.text() == "Wi-Fi sign-up (lobby)" and page.dirty


def test_make_ready_does_not_say_no_event_came_when_one_did(qtbot, page, store,
                                                            prompts) -> None:
    """Seen in a real window: the list said "1 event" and Make ready asked whether to
    go on though "no event … has arrived yet" (the trigger as it was when chosen)."""
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    page.refresh()
    page.list.select("wifi_signup")
    with writing(store.workspace.db) as conn:
        insert_events(conn, [NewEvent("wifi_signup", "ann")], time.time())
    asked = len(prompts.asked)
    click(qtbot, page.detail.ready)  # at once: before the list's next look
    assert len(prompts.asked) == asked
    assert saved(store, "wifi_signup").state == TriggerState.READY


def test_in_a_narrow_list_the_names_keep_their_room(qtbot, page, store) -> None:
    """Seen in a laptop-sized window: the Events column, sized to "2 events, last at
    2026-12-01 15:03 UTC", left the triggers' names three letters ("Trig")."""
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    with writing(store.workspace.db) as conn:
        insert_events(conn, [NewEvent("wifi_signup", "ann")], time.time())
    page.refresh()
    page.resize(1000, 700)
    tree = page.list.tree
    page.splitter.setSizes([460, 540])
    item = tree.topLevelItem(0)
    qtbot.waitUntil(lambda: item.text(3).endswith(" UTC"), timeout=5000)
    qtbot.wait(20)
    name = tree.fontMetrics().horizontalAdvance("Wi-Fi sign-up")
    assert tree.columnWidth(0) > name + 24, (tree.viewport().width(), [
        tree.columnWidth(c) for c in range(4)])
    assert item.text(3).startswith("1 event · ")  # briefly, the whole in the tooltip
    assert item.toolTip(3).startswith("1 event, last at ")


def test_in_a_laptops_window_the_built_in_triggers_names_are_whole(qtbot, page) -> None:
    """Seen in a real 1366×768 window: "Push notification deli…", "Contact phone upda…"
    in the list while the pane beside it stood empty."""
    page.resize(1226, 650)  # the page's room in a 1366 px window, beside the rail
    page.show()
    qtbot.waitExposed(page)
    tree = page.list.tree
    names = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    widest = max(tree.fontMetrics().horizontalAdvance(name) for name in names)
    assert "Push notification delivered" in names
    qtbot.waitUntil(lambda: tree.columnWidth(0) > widest + 36, timeout=3000)


def test_a_trigger_no_journey_uses_says_so_under_the_tabs_line(qtbot, page, store) -> None:
    """Seen in a real window: with no journey, the Journeys tab's line sat in the middle
    of the page and "No journey uses it yet." at its bottom."""
    trigger_catalog.create_trigger(store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    page.refresh()
    page.list.select("wifi_signup")
    detail = page.detail
    detail.tabs.setCurrentIndex(2)
    QApplication.processEvents()
    line, none = detail.journeys_hint, detail.no_journeys
    assert none.isVisible() and not detail.journeys.isVisible()
    line_top = line.mapTo(detail, line.rect().topLeft()).y()
    none_top = none.mapTo(detail, none.rect().topLeft()).y()
    assert line_top < 200 and line.height() < 50, (line_top, line.height())
    assert 0 < none_top - line_top < 60, (line_top, none_top)  # the next line


def test_contact_created_has_code_that_saves_a_contact_and_says_where_it_runs(
        qtbot, page) -> None:
    """A welcome journey starts on Contact created, and its Integration tab was hidden
    ("raised by Waymark itself"): nothing told a developer to save the contact with PUT."""
    page.list.select("contact_created")
    detail = page.detail
    assert "raised by Waymark when a contact is saved" in detail.subtitle.text()
    # its definition is Waymark's: no Add attribute, no row tools (they looked usable)
    attributes = detail.editor.attributes
    assert not attributes.add_button.isVisible() and attributes.count.text() == "2 attributes"
    assert not any(tool.isVisible() for row in attributes.rows for tool in row.tools)
    assert detail.tabs.isTabVisible(1)
    detail.tabs.setCurrentIndex(1)
    snippets = detail.snippets
    click(qtbot, snippets.keys.create)
    key = snippets.keys.shown.field.text()
    python = snippets.tab_of["python"].code.toPlainText()
    assert key in python and '"PUT", "/v1/contacts/"' in python
    assert '"id": "CONTACT_ID"' in python and '"firstname": "FIRSTNAME"' in python
    assert "saves the whole contact (PUT replaces it)" in snippets.note.text()
    assert ("The trigger fires when a contact is saved and Waymark does not have them yet."
            in snippets.note.text())
    kotlin = snippets.tab_of["kotlin"]
    assert kotlin.code.toPlainText() == "" and not kotlin.copy.isEnabled()
    assert kotlin.code.placeholderText().startswith(
        "No Kotlin code for a contact trigger: contacts change in the system that keeps "
        "them (a sign-up service")
    page.list.select("email_opened")  # raised by Waymark's own messages: no code
    assert not detail.tabs.isTabVisible(1)
