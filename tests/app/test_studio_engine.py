"""The studio runs the engine: fire a test trigger from the dialog and see the message
arrive; watch another process's engine; the port taken; the engine gone.

End to end with real parts: the window offscreen, the engine's threads, its socket on
a free port, `waymark serve` as a process of its own, the outbox on disk.
"""

from __future__ import annotations

import socket
import time

import pytest
from PySide6.QtCore import QPoint, Qt

from app.dialogs.engine_settings import EngineSettings
from app.engine_link import EngineMode
from app.main_window import MainWindow
from engine.resources import resource
from engine.store.lock import engine_holder
from engine.workspace import Workspace
from tests.app.conftest import dispose
from tests.app.studio_engine_support import (
    engine_threads,
    field,
    make_test_contact,
    outbox_mail,
    studio_settings,
    type_into,
    wait_for_mode,
)
from tests.engine.delivery_support import free_port
from tests.engine.older_workspaces import (
    as_a_newer_waymark_published,
    as_an_older_waymark_saved,
    cart_workspace_left_by,
)
from tests.engine.serve_support import ServeProcess, cart_workspace, query, wait_until


@pytest.fixture
def studio(qtbot, tmp_path, prompts, themes):
    """Makes a window with its engine on; every window made is closed at the end."""
    made: list[MainWindow] = []

    def make(port: int | None = None) -> MainWindow:
        window = MainWindow(prompts=prompts, settings=studio_settings(tmp_path, port))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.editor.undo_stack.setClean()
        window.engine.close()
        if window.session.store is not None:
            window.session.store.close()
        dispose(window)


def publish_cart_sample(window) -> None:
    window.session.open_sample(resource("samples", "abandoned_cart.json"))
    window.actions_["publish"].trigger()
    assert window.session.info.state == "live"


def running_cart_studio(qtbot, studio, folder):
    """A window on `folder/shop.waymark` with its engine running and the abandoned-cart
    sample published from the studio."""
    window = studio()
    assert window.session.open_workspace(folder / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    publish_cart_sample(window)
    return window


def fire_cart(qtbot, window, contact: str, total: str = "80"):
    """Open the dialog from the Journey menu's action, make a test contact, fill in the
    cart total and click Fire."""
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    qtbot.waitUntil(lambda: dialog.fire_button.isEnabled(), timeout=20000)
    assert dialog.definition.name == "abandoned_cart"
    make_test_contact(qtbot, dialog, contact, f"{contact}@example.com")
    assert dialog.person.contact_id() == contact
    type_into(qtbot, field(dialog, "attributes.cart_total"), total)
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    return dialog


def test_fire_the_abandoned_cart_and_the_email_reaches_the_outbox(qtbot, studio, tmp_path):
    window = studio()
    path = tmp_path / "shop.waymark"
    assert window.session.open_workspace(path)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    area = window.engine_status
    assert area.button.text() == "Engine running"
    assert area.address.text() == f"127.0.0.1:{window.engine_control.port}"
    publish_cart_sample(window)
    qtbot.waitUntil(lambda: area.live.text() == "1 live journey", timeout=5000)
    dialog = fire_cart(qtbot, window, "test-ann")
    qtbot.waitUntil(lambda: "202 accepted" in dialog.answer.text(), timeout=10000)
    assert dialog.history.topLevelItem(0).text(3) == "202 accepted"
    mail = wait_until(lambda: outbox_mail(path, "test-ann@example.com"), timeout=15)
    assert "Subject:" in mail[0]
    qtbot.waitUntil(lambda: area.accepted.text() == "1 event today", timeout=5000)
    assert query(path, "SELECT id FROM contacts WHERE id = 'test-ann'")  # made on the spot


def test_fire_again_sends_the_same_event_with_a_fresh_message_id(qtbot, studio, tmp_path):
    window = running_cart_studio(qtbot, studio, tmp_path)
    dialog = fire_cart(qtbot, window, "test-bo")
    qtbot.waitUntil(lambda: "202" in dialog.history.topLevelItem(0).text(3), timeout=10000)
    first = dialog.history.selected().body
    dialog.history.setCurrentItem(dialog.history.topLevelItem(0))
    qtbot.mouseClick(dialog.again, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.history.topLevelItemCount() == 2
                    and "202" in dialog.history.topLevelItem(0).text(3), timeout=10000)
    again = dialog.history.selected().body
    assert again["attributes"] == first["attributes"] and again["authId"] == "test-bo"
    assert again["messageId"] != first["messageId"]


def test_the_curl_command_never_holds_the_studios_key(qtbot, studio, tmp_path):
    window = running_cart_studio(qtbot, studio, tmp_path)
    dialog = fire_cart(qtbot, window, "test-cy")
    qtbot.waitUntil(lambda: "202" in dialog.answer.text(), timeout=10000)
    qtbot.mouseClick(dialog.curl, Qt.MouseButton.LeftButton)
    command = qtbot_clipboard()
    assert "$WAYMARK_KEY" in command and "waymark keys create" in command
    assert "wmk_" not in command
    assert f"{window.engine.base_url}/v1/triggers/abandoned_cart" in command
    assert '"cart_total": 80' in command


def qtbot_clipboard() -> str:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.clipboard().text()


def test_fire_a_record_trigger_the_case_changes_and_the_survey_reaches_the_outbox(
        qtbot, studio, tmp_path):
    """The case sample starts on a record change: the dialog said "No custom trigger in
    this workspace to fire", so the sample could not be tried from the studio at all."""
    window = studio()
    path = tmp_path / "shop.waymark"
    assert window.session.open_workspace(path)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    window.session.open_sample(resource("samples", "case_resolved_survey.json"))
    window.actions_["publish"].trigger()
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    qtbot.waitUntil(lambda: dialog.fire_button.isEnabled(), timeout=20000)
    assert dialog.definition.name == "support_case_status_updated"
    assert "the trigger fires when a case's status changes." in dialog.about.text()
    make_test_contact(qtbot, dialog, "test-carla", "test-carla@example.com")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)  # no id yet
    assert "Not sent" in dialog.answer.text() and "needs an id" in dialog.answer.text()
    assert field(dialog, "id").property("invalid")
    type_into(qtbot, field(dialog, "id"), "CAS-7")
    type_into(qtbot, field(dialog, "title"), "Grinder arrived broken")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)  # no status: no fire
    assert "Status: give it a value" in dialog.answer.text()
    assert field(dialog, "status").property("invalid")
    type_into(qtbot, field(dialog, "status"), "Resolved")
    type_into(qtbot, field(dialog, "satisfaction"), "2")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "200 updated" in dialog.answer.text(), timeout=10000)
    assert "case CAS-7 · fired Support case status updated" in dialog.answer.text()
    assert dialog.history.topLevelItem(0).text(2) == "test-carla"
    assert dialog.history.topLevelItem(0).text(3) == "200 updated"
    mail = wait_until(lambda: len(found := outbox_mail(path, "test-carla@example.com")) == 2
                      and found, timeout=15)  # the survey, and the discount (2 of 5)
    assert any('Subject: Your case "Grinder arrived broken" is resolved' in m for m in mail)
    assert query(path, "SELECT person_id FROM records WHERE id = 'CAS-7'") == [
        ("test-carla",)]
    qtbot.mouseClick(dialog.again, Qt.MouseButton.LeftButton)  # the same status again
    qtbot.waitUntil(lambda: dialog.history.topLevelItemCount() == 2
                    and "200" in dialog.history.topLevelItem(0).text(3), timeout=10000)
    assert ("Support case status updated did not fire: its status kept its value"
            in dialog.answer.text())
    assert dialog.history.topLevelItem(0).text(3) == "200 not fired"
    qtbot.mouseClick(dialog.curl, Qt.MouseButton.LeftButton)
    command = qtbot_clipboard()
    assert f"-X POST {window.engine.base_url}/v1/records/case " in command
    assert f"-X PATCH {window.engine.base_url}/v1/records/case/CAS-7 " in command
    assert "$WAYMARK_KEY" in command and "wmk_" not in command


def test_a_refused_value_names_the_field_and_nothing_is_sent(qtbot, studio, tmp_path):
    path = tmp_path / "shop.waymark"
    window = running_cart_studio(qtbot, studio, tmp_path)
    dialog = fire_cart(qtbot, window, "test-di", total="")
    assert "Not sent" in dialog.answer.text()
    assert "attributes.cart_total: required" in dialog.answer.text()
    assert field(dialog, "attributes.cart_total").property("invalid")
    type_into(qtbot, field(dialog, "attributes.cart_total"), "eighty")
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    assert "expected a number, got text" in dialog.answer.text()
    assert dialog.history.topLevelItemCount() == 0
    assert query(path, "SELECT id FROM ingestion_keys") == []  # not even a key was made


def test_a_value_the_socket_refuses_is_shown_on_its_field(qtbot, studio, tmp_path):
    """The workspace's trigger changed after the dialog read it: the socket's own check
    refuses, and the dialog shows its words on the field it names."""
    window = running_cart_studio(qtbot, studio, tmp_path)
    window.actions_["fire"].trigger()
    store = window.session.store
    trigger = store.catalog().triggers["abandoned_cart"]
    for attr in trigger.attributes:
        attr.required = attr.required or attr.name == "currency"
    store.workspace.save_trigger(trigger)
    qtbot.wait(2200)  # the socket reads the catalog again within two seconds
    dialog = fire_cart(qtbot, window, "test-ed")
    qtbot.waitUntil(lambda: "400" in dialog.answer.text(), timeout=10000)
    assert "The engine refused the event" in dialog.answer.text()
    assert "attributes.currency: required" in dialog.answer.text()
    assert field(dialog, "attributes.currency").property("invalid")
    assert dialog.history.topLevelItem(0).text(3) == "400 refused"


def observing_serve(qtbot, studio, path):
    """`waymark serve` on the workspace, and a studio opened on it, observing it."""
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        window = studio()
        window.session.open_workspace(path)
        wait_for_mode(qtbot, window, EngineMode.OBSERVING)
    except BaseException:
        serve.stop()
        raise
    return serve, window


def test_the_studio_observes_waymark_serve_and_fires_through_it(qtbot, studio, tmp_path,
                                                                prompts):
    path, _key = cart_workspace(tmp_path)
    serve, window = observing_serve(qtbot, studio, path)
    try:
        area = window.engine_status
        assert area.button.text() == f"Observing engine (pid {serve.process.pid})"
        assert area.address.text() == serve.url.removeprefix("http://")
        assert "waymark serve" in area.button.toolTip()
        toggle = window.actions_["engine_toggle"]
        assert not toggle.isEnabled()  # not ours to stop, and the greyed item says why
        assert toggle.text() == f"Stop &engine (run by waymark serve, pid {serve.process.pid})"
        dialog = fire_cart(qtbot, window, "test-fay")
        qtbot.waitUntil(lambda: "202 accepted" in dialog.answer.text(), timeout=10000)
        wait_until(lambda: outbox_mail(path, "test-fay@example.com"), timeout=15)
        qtbot.waitUntil(lambda: area.accepted.text() == "1 event today", timeout=5000)
    finally:
        serve.stop()
    # the observed engine went: the studio says so and (answered yes) starts its own
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    assert prompts.asked[-1][0] == "The engine you were watching stopped"
    assert f"pid {serve.process.pid}" in prompts.asked[-1][1]


def test_a_serve_started_again_is_observed_and_said_in_the_status_bar(qtbot, studio,
                                                                       tmp_path, prompts):
    """Answered "Cancel" (the studio stays stopped), then `waymark serve` started again:
    observed, and the status bar's word on the stop replaced."""
    path, _key = cart_workspace(tmp_path)
    prompts.confirm_answer = False
    first, window = observing_serve(qtbot, studio, path)
    first.stop()
    wait_for_mode(qtbot, window, EngineMode.STOPPED)
    assert prompts.asked[-1][0] == "The engine you were watching stopped"
    second = ServeProcess(path, free_port())
    second.start()
    try:
        wait_for_mode(qtbot, window, EngineMode.OBSERVING)
        assert window.engine_status.button.text() == \
            f"Observing engine (pid {second.process.pid})"
        said = window.statusBar().currentMessage()
        assert said.startswith("An engine runs this workspace again: observing waymark "
                               f"serve, pid {second.process.pid}"), said
    finally:
        second.stop()


@pytest.fixture
def taken_port():
    """A port another program listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_port_in_use_offers_the_next_free_one(qtbot, studio, tmp_path, prompts, taken_port):
    taken = taken_port
    window = studio(port=taken)
    window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    title, text = prompts.asked[0]
    assert title == "Port in use" and f"port {taken}" in text
    assert window.engine.base_url != f"http://127.0.0.1:{taken}"
    assert window.engine_status.address.text() == window.engine.base_url[7:]


def test_a_port_in_use_declined_leaves_the_engine_stopped_and_says_why(
        qtbot, studio, tmp_path, prompts, taken_port):
    prompts.confirm_answer = False
    taken = taken_port
    window = studio(port=taken)
    window.session.open_workspace(tmp_path / "shop.waymark")
    qtbot.waitUntil(lambda: bool(prompts.asked), timeout=20000)
    assert window.engine.status.mode == EngineMode.STOPPED
    assert f"port {taken} is in use" in window.statusBar().currentMessage()
    assert f"Port {taken} on 127.0.0.1 is in use" in window.engine_status.button.toolTip()


def test_an_engine_that_dies_is_said_and_restarted(qtbot, studio, tmp_path, prompts):
    window = studio()
    window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    prompts.confirm_answer = False
    window.engine.engine.server.stop_thread()  # the socket's thread gone, as in a crash
    qtbot.waitUntil(lambda: window.engine_status.button.text()
                    == "Engine stopped unexpectedly", timeout=10000)
    assert prompts.asked[-1][0] == "The engine stopped unexpectedly"
    assert "Everything it had accepted is saved" in prompts.asked[-1][1]
    assert "socket stopped" in window.engine_status.button.toolTip()
    window.actions_["engine_toggle"].trigger()  # Engine → Start engine
    wait_for_mode(qtbot, window, EngineMode.RUNNING)


def test_stop_and_start_from_the_engine_menu(qtbot, studio, tmp_path):
    window = studio()
    path = tmp_path / "shop.waymark"
    window.session.open_workspace(path)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    toggle = window.actions_["engine_toggle"]
    assert toggle.text() == "Stop &engine" and toggle.shortcut().toString() == "Ctrl+Shift+E"
    toggle.trigger()
    wait_for_mode(qtbot, window, EngineMode.STOPPED)
    assert toggle.text() == "Start &engine"
    with Workspace.open(path) as workspace:
        assert engine_holder(workspace.db, workspace.location) is None
    toggle.trigger()
    wait_for_mode(qtbot, window, EngineMode.RUNNING)


def test_a_new_port_in_engine_settings_restarts_the_engine_there(qtbot, studio, tmp_path,
                                                                 prompts):
    window = studio()
    window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    port = free_port()
    prompts.engine_settings_answer = EngineSettings(port=port)
    window.actions_["engine_settings"].trigger()
    qtbot.waitUntil(lambda: window.engine.base_url == f"http://127.0.0.1:{port}",
                    timeout=20000)
    assert window.session.settings.value("engine/port") in (port, str(port))


def test_switching_workspaces_stops_the_old_engine_first(qtbot, studio, tmp_path):
    window = studio()
    first, second = tmp_path / "one.waymark", tmp_path / "two.waymark"
    window.session.open_workspace(first)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    window.session.open_workspace(second)
    qtbot.waitUntil(lambda: window.engine.status.mode == EngineMode.RUNNING
                    and window.engine.location.endswith("two.waymark"), timeout=20000)
    for path, held in ((first, False), (second, True)):
        with Workspace.open(path) as workspace:
            assert (engine_holder(workspace.db, workspace.location) is not None) == held


def test_closing_the_studio_stops_its_engine_within_two_seconds(qtbot, studio, tmp_path):
    window = studio()
    window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    assert engine_threads()
    started = time.monotonic()
    window.close()
    wait_until(lambda: not engine_threads(), timeout=3, poll=0.01)
    took = time.monotonic() - started
    assert took < 2.0, (took, engine_threads())


def test_the_entry_tiles_context_menu_fires_a_test_trigger(qtbot, studio, tmp_path):
    window = studio()
    window.session.open_workspace(tmp_path / "shop.waymark")
    publish_cart_sample(window)
    window.view.show_journey()
    entry = window.view.mapFromScene(window.scene.tile_items["start"].sceneBoundingRect()
                                     .center())
    menu = window.tile_menus.menu_at(entry)
    assert menu.actions() == [window.actions_["fire"]]
    email = window.view.mapFromScene(window.scene.tile_items["email-reminder"]
                                     .sceneBoundingRect().center())
    assert window.tile_menus.menu_at(email) is None
    assert window.tile_menus.menu_at(QPoint(2, 2)) is None


def test_the_studio_fits_a_laptop_screen_on_every_page(qtbot, studio, tmp_path):
    """1366 × 768, less a panel: with the engine running, a live journey shown read-only
    and every panel the journey page has, no page asks for more. The window could not be
    narrower than 1,810 px: the page stack asked for its widest page (Triggers) on every
    page, the Activity's filter chips for 886 px in one row, the status bar's figures for
    their whole text, the live banner for its text on one line."""
    window = running_cart_studio(qtbot, studio, tmp_path)
    qtbot.waitUntil(lambda: window.engine_status.live.text() == "1 live journey",
                    timeout=10_000)
    window.test_dock.show()
    for dock in (window.engine_docks.activity_dock, window.engine_docks.outbox_dock,
                 window.simulation.dock):
        dock.show()
    assert window.banner.isVisible()
    for key in ("journeys", "content", "contacts", "segments", "triggers", "keys",
                "dashboard", "journeys"):
        window.pages.show_page(key)
        qtbot.wait(20)
        needs = window.minimumSizeHint()
        assert needs.width() <= 1366 and needs.height() <= 768 - 40, (key, needs)


def test_back_from_another_page_the_window_keeps_its_size(qtbot, studio, tmp_path):
    """Seen in a real window: back on the journey page from the Triggers page, the studio
    grew from 1,440 to 1,738 px, its Properties past the screen's edge (the docks were
    shown while the Triggers page, wider than the journey page, was still the one in the
    stack)."""
    window = running_cart_studio(qtbot, studio, tmp_path)
    window.resize(1440, 900)
    qtbot.wait(50)
    for key in ("triggers", "journeys", "contacts", "journeys", "dashboard", "journeys"):
        window.pages.show_page(key)
        qtbot.wait(50)
        assert window.width() == 1440, (key, window.width())


def test_workspaces_another_waymark_left_open_and_say_what_stops_the_engine(
        qtbot, studio, tmp_path, prompts):
    """One an older Waymark saved (a window to the year 9999, before the span of dates
    was checked) and one a newer Waymark published to (a tile this one does not know):
    the studio stopped at its start with a traceback on either. Both open with their
    journey listed; the first's engine runs, the second's says which version stops it."""
    older = cart_workspace_left_by(tmp_path / "older.waymark", as_an_older_waymark_saved)
    newer = cart_workspace_left_by(tmp_path / "newer.waymark", as_a_newer_waymark_published)
    window = studio()
    listed = lambda: [window.journeys.list.item(i).text()  # noqa: E731
                      for i in range(window.journeys.list.count())]
    assert window.session.open_workspace(older)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    qtbot.waitUntil(lambda: window.engine_status.live.text() == "1 live journey",
                    timeout=5000)
    assert any("Abandoned cart reminders" in text for text in listed())
    assert window.session.open_workspace(newer)
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=20000)
    [(title, why)] = prompts.errors
    assert title == "The engine could not start"
    assert "abandoned-cart v1, at $.journey.tiles[1].kind: Input tag 'teleport'" in why
    assert any("Abandoned cart reminders" in text for text in listed())
