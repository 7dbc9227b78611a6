"""Test mode in the studio, end to end: open the abandoned-cart sample (a draft, never
published), Test journey with short waits, fire "Abandoned cart" for a new test contact
from the fire dialog, follow the token to the email and the wait-for, open the email as
a mail client would, and see the person take Yes. Also: Next step now, Stop test, a
journey with design problems, the engine stopped while testing, a person deleted while
followed, following a person in a live journey, the people behind a count.

Real parts: the window offscreen, the engine's threads and its socket on a free port,
the outbox on disk, the tracking pixel fetched over HTTP, `waymark stats` as a process.
"""

from __future__ import annotations

import json
import re

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from app.canvas.tile_item import TrailMark
from app.engine_link import EngineMode
from app.test_mode.options import TestOptionsDialog
from engine.model import read_bundle
from engine.resources import resource
from engine.runtime.version import TestOptions
from engine.store.database import writing
from engine.workspace import Workspace
from tests.app.studio_engine_support import (
    activate,
    field,
    make_test_contact,
    outbox_mail,
    type_into,
    wait_for_mode,
)
from tests.app.test_activity_dock import kinds_of, show_activity
from tests.app.test_outbox_dock import select_row, show_outbox
from tests.app.test_shortcuts import press
from tests.app.test_studio_engine import (  # noqa: F401 (fixture)
    fire_cart,
    publish_cart_sample,
    studio,
)
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, get, query, run_cli, wait_until

CART = "abandoned-cart"


def here(window) -> str | None:
    """The tile the followed person is at (it glows, with their token over it)."""
    tiles = [t for t, item in window.scene.tile_items.items()
             if item.trail_mark == TrailMark.HERE]
    return tiles[0] if tiles else None


def green(window) -> set[str]:
    return {t for t, item in window.scene.tile_items.items() if item.trail_mark is not None}


def bold(window) -> set[tuple[str, str, str]]:
    return {key for key, edge in window.scene.edge_items.items() if edge.taken}


def studio_under_test(qtbot, studio, folder, prompts, wait_seconds=2):  # noqa: F811
    """The studio running its engine on `folder/shop.waymark`, the abandoned-cart sample
    open as a draft and under test (Journey → Test journey…)."""
    window = studio()
    assert window.session.open_workspace(folder / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    window.session.open_sample(resource("samples", "abandoned_cart.json"))
    assert window.session.info.state == "draft"
    prompts.test_options_answer = TestOptions(wait_seconds=wait_seconds)
    window.actions_["test_journey"].trigger()
    qtbot.waitUntil(lambda: window.try_out.tests.testing is not None, timeout=10000)
    return window


def follow_from_panel(qtbot, window, person: str) -> None:
    """Click the person in the test panel's list of test people."""
    people = window.test_panel.people
    qtbot.waitUntil(lambda: person in people.rows, timeout=10000)
    rect = people.visualItemRect(people.rows[person])
    qtbot.mouseClick(people.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.topLeft() + QPoint(12, rect.height() // 2))
    assert window.try_out.follow.person == person


def followed_to_the_wait_for(qtbot, studio, folder, prompts, person: str):  # noqa: F811
    """Testing with waits of an hour: `person` fired in, followed, waiting at the
    wait-for."""
    window = studio_under_test(qtbot, studio, folder, prompts, wait_seconds=3600)
    fire_cart(qtbot, window, person).close()
    follow_from_panel(qtbot, window, person)
    qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
    return window


def pixel_of(path, person: str) -> str:
    """The open pixel of the email sent to `person`, from the ledger's payload."""
    payload = query(path, "SELECT payload FROM ledger WHERE contact_id = :c", c=person)[0][0]
    html = (json.loads(payload) if isinstance(payload, str) else payload)["parts"]["html"]
    return re.search(r'src="([^"]+/t/o/[^"]+\.gif)"', html).group(1)


def test_try_the_abandoned_cart_on_the_desktop(qtbot, studio, tmp_path, prompts):  # noqa: F811
    """Waits of 30 s: the wait-for's limit is shortened too, and a person needs a moment
    to find the email in the Outbox dock and press Mark opened."""
    window = studio_under_test(qtbot, studio, tmp_path, prompts, wait_seconds=30)
    assert "waits last at most 30 s" in window.test_banner.text.text()

    def mark_opened(path) -> None:
        dock = show_outbox(qtbot, window)
        qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=10000)
        assert dock.model.item(0).contact_point == "test-ann@example.com"
        select_row(qtbot, dock)
        page = dock.view.email
        qtbot.waitUntil(page.mark_opened.isEnabled, timeout=5000)
        qtbot.mouseClick(page.mark_opened, Qt.MouseButton.LeftButton)

    try_the_cart(qtbot, window, tmp_path / "shop.waymark", mark_opened)


def test_short_waits_end_on_their_own(qtbot, studio, tmp_path, prompts):  # noqa: F811
    """Waits of 1 s: nobody opens the email, so the person takes No, waits "a day" for a
    second and finishes, within seconds."""
    window = studio_under_test(qtbot, studio, tmp_path, prompts, wait_seconds=1)
    fire_cart(qtbot, window, "test-fay").close()
    follow_from_panel(qtbot, window, "test-fay")
    qtbot.waitUntil(lambda: "exit-done" in green(window), timeout=15000)
    assert ("opened-email", "no", "sms-reminder") in bold(window)
    assert ("wait-1-day", "next", "push-reminder") in bold(window)
    steps = [line.what for line in window.test_panel._lines]
    assert "Took “No”" in steps and steps[-1] == "Finished"


def test_try_the_abandoned_cart_observing_waymark_serve(qtbot, studio, tmp_path,  # noqa: F811
                                                        prompts):
    """The same with the engine in `waymark serve`: the studio observes it, starts the
    test in the workspace (serve's heartbeat takes it up) and fires through its socket."""
    path = tmp_path / "shop.waymark"
    with Workspace.open(path) as workspace:
        workspace.import_bundle(read_bundle(resource("samples", "abandoned_cart.json")))
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        window = studio()
        assert window.session.open_workspace(path)
        wait_for_mode(qtbot, window, EngineMode.OBSERVING)
        prompts.test_options_answer = TestOptions(wait_seconds=5)  # serve's 2 s heartbeat
        window.actions_["test_journey"].trigger()
        qtbot.waitUntil(lambda: window.try_out.tests.testing is not None, timeout=10000)
        qtbot.wait(2500)  # serve takes the test version up within its heartbeat
        try_the_cart(qtbot, window, path, lambda path: get(pixel_of(path, "test-ann")))
    finally:
        serve.stop()


def try_the_cart(qtbot, window, path, mark_opened) -> None:
    """Fire the cart for a new test contact from the dialog, follow the token to the
    email and the wait-for, open the email (`mark_opened(path)`): the person takes Yes."""
    assert window.test_banner.isVisible() and window.actions_["test_journey"].isChecked()
    dialog = fire_cart(qtbot, window, "test-ann")  # a new test contact, cart total 80
    qtbot.waitUntil(lambda: "202 accepted" in dialog.answer.text(), timeout=10000)
    assert query(path, "SELECT test FROM contacts WHERE id = 'test-ann'") == [(1,)]
    dialog.close()
    follow_from_panel(qtbot, window, "test-ann")
    qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
    assert green(window) == {"start", "email-reminder", "opened-email"}
    assert bold(window) == {("start", "next", "email-reminder"),
                            ("email-reminder", "next", "opened-email")}
    steps = [(line.tile, line.what) for line in window.test_panel._lines]
    assert ("Initial email reminder", "Email sent") in steps
    assert "Waiting for “Initial email reminder” to be opened" in \
        window.scene.overlay.token.label
    assert wait_until(lambda: outbox_mail(path, "test-ann@example.com"))
    mark_opened(path)
    qtbot.waitUntil(lambda: ("opened-email", "yes", "exit-opened") in bold(window),
                    timeout=10000)
    assert green(window) == {"start", "email-reminder", "opened-email", "exit-opened"}
    assert here(window) is None and window.scene.overlay.token.label == "Finished"
    badge = window.scene.overlay.badges["start"]
    assert badge.testing and badge.value("inflow") == 1  # the test version's counts ...
    stats = run_cli("stats", CART, "--workspace", str(path)).stdout
    assert "nobody has entered yet" in stats  # ... which the journey's analytics leave out


def test_a_person_not_let_in_is_told_why_on_their_path(qtbot, studio, tmp_path,  # noqa: F811
                                                       prompts):
    """Seen in a real window: a test contact fired with a value the entry condition
    refuses showed "entry blocked" in the list and, followed, "has no test run in this
    journey" over an empty list of steps, which value the journey wanted left to guess."""
    window = studio_under_test(qtbot, studio, tmp_path, prompts)
    fire_cart(qtbot, window, "test-bo", total="20").close()
    follow_from_panel(qtbot, window, "test-bo")
    panel = window.test_panel
    qtbot.waitUntil(lambda: "was not let in" in panel.summary.text(), timeout=10000)
    # the attribute by its title, as the condition builder lists it (it said cart_total)
    assert panel.summary.text().endswith(
        "unmet trigger condition: the journey lets in Cart total > 50.")
    [line] = panel._lines
    assert (line.tile_id, line.tile, line.what) == ("start", "Abandoned cart", "Not let in")
    assert line.reason == "unmet trigger condition: the journey lets in Cart total > 50"
    assert here(window) is None  # no token: they are nowhere in the journey
    # the reason is read whole: the row is as tall as its words wrapped in the column
    steps = panel.steps
    qtbot.waitUntil(lambda: steps.topLevelItemCount() == 1, timeout=5000)
    qtbot.wait(50)
    metrics, column = steps.fontMetrics(), steps.columnWidth(2)
    lines = 1 + -(-metrics.horizontalAdvance(line.reason) // column)
    height = steps.visualItemRect(steps.topLevelItem(0)).height()
    assert height >= lines * metrics.lineSpacing(), (height, lines, column)
    fire_cart(qtbot, window, "test-bo", total="30").close()
    qtbot.waitUntil(lambda: "(2 times)" in panel.summary.text(), timeout=10000)
    assert [line.what for line in panel._lines] == ["Not let in", "Not let in"]


def test_another_journey_opened_during_a_test_shows_its_properties(
        qtbot, studio, tmp_path, prompts):  # noqa: F811
    """Seen in a real window: a new journey made while another was tested kept the Test
    and follow panel over Properties; its Start tile, clicked, showed nothing. Back on
    the tested journey, its panel comes forward again."""
    window = studio_under_test(qtbot, studio, tmp_path, prompts)

    def in_front(dock) -> bool:
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(window.test_dock), timeout=5000)
    tested = window.session.journey_id
    window.session.new_journey("Welcome series")
    qtbot.waitUntil(lambda: in_front(window.properties_dock), timeout=5000)
    assert not in_front(window.test_dock)
    window.choose_journey(tested)
    qtbot.waitUntil(lambda: in_front(window.test_dock), timeout=5000)


def test_next_step_now_and_stop_test(qtbot, studio, tmp_path, prompts):  # noqa: F811
    path = tmp_path / "shop.waymark"
    window = followed_to_the_wait_for(qtbot, studio, tmp_path, prompts, "test-bo")
    button = window.test_panel.people.itemWidget(window.test_panel.people.rows["test-bo"], 3)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # the wait-for's limit ends now
    qtbot.waitUntil(lambda: here(window) == "wait-1-day", timeout=10000)
    assert ("opened-email", "no", "sms-reminder") in bold(window)
    window.actions_["next_step"].trigger()  # Journey → Next step now: the followed person
    qtbot.waitUntil(lambda: here(window) is None and "exit-done" in green(window),
                    timeout=10000)
    window.test_banner.stop.click()
    qtbot.waitUntil(lambda: window.try_out.tests.testing is None, timeout=10000)
    assert not window.test_banner.isVisible()
    assert not window.actions_["test_journey"].isChecked()
    assert window.scene.overlay.badges == {}  # a draft never published: no counts
    assert here(window) is None and green(window) == set() and bold(window) == set()
    assert window.try_out.follow.person is None  # the test person went with the test
    assert query(path, "SELECT count(*) FROM runs") == [(0,)]
    assert query(path, "SELECT count(*) FROM journey_versions") == [(0,)]


def test_a_journey_with_design_problems_is_not_tested(qtbot, studio, tmp_path,  # noqa: F811
                                                    prompts):
    window = studio()
    assert window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    window.session.open_sample(resource("samples", "abandoned_cart.json"))
    window.editor.delete(["sms-reminder"], [])  # the wait-for's "No" now leads nowhere
    prompts.test_options_answer = TestOptions(wait_seconds=2)
    window.actions_["test_journey"].trigger()
    qtbot.waitUntil(lambda: "Not tested" in window.statusBar().currentMessage(),
                    timeout=10000)
    assert window.problems_dock.isVisible() and window.problems.counts()[0] > 0
    assert "opened-email" in {p.tile_id for p in window.problems.problems}
    assert window.try_out.tests.testing is None
    assert not window.actions_["test_journey"].isChecked()
    assert prompts.errors == []
    assert query(tmp_path / "shop.waymark", "SELECT count(*) FROM journey_versions") == [(0,)]


def test_firing_for_someone_not_a_test_contact_while_testing_asks_first(
        qtbot, studio, tmp_path, prompts):  # noqa: F811
    """During a test of a live journey, the fire dialog says that a person who is not a
    test contact would go past the test into the live version, and asks before sending:
    they would get its messages for real. A test contact goes in without a question."""
    path = tmp_path / "shop.waymark"
    window = studio()
    assert window.session.open_workspace(path)
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    publish_cart_sample(window)
    prompts.test_options_answer = TestOptions(wait_seconds=2)
    window.actions_["test_journey"].trigger()
    qtbot.waitUntil(lambda: window.try_out.tests.testing is not None, timeout=10000)
    window.actions_["fire"].trigger()
    dialog = window.engine_control.fire_dialog
    qtbot.waitUntil(lambda: dialog.fire_button.isEnabled(), timeout=20000)
    qtbot.keyClicks(dialog.person.lineEdit(), "ann")
    note = dialog.person_note
    qtbot.waitUntil(lambda: "Not a test contact" in note.text(), timeout=5000)
    assert note.property("kind") == "warning" and note.isVisible()
    assert "the test of “Abandoned cart reminders”" in note.text()
    assert "into its live version" in note.text()
    type_into(qtbot, field(dialog, "attributes.cart_total"), "80")
    prompts.confirm_answer = False
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    assert prompts.asked[-1][0] == "Fire into the live journey?"
    assert "ann is not a test contact" in prompts.asked[-1][1]
    assert "Not sent" in dialog.answer.text()
    assert dialog.history.topLevelItemCount() == 0
    assert query(path, "SELECT count(*) FROM events") == [(0,)]
    prompts.confirm_answer = True  # asked again, and sent as the person chose
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "202 accepted" in dialog.answer.text(), timeout=10000)
    assert wait_until(lambda: query(path, "SELECT version FROM runs WHERE contact_id = "
                                          "'ann'"), timeout=10) == [(1,)]
    asked = len(prompts.asked)
    make_test_contact(qtbot, dialog, "test-bo", "test-bo@example.com")
    assert note.property("kind") == "ok" and "into the test" in note.text()
    qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "test-bo" in window.test_panel.people.rows, timeout=10000)
    assert len(prompts.asked) == asked  # a test contact: no question
    dialog.close()


def test_the_engine_stopped_while_testing(qtbot, studio, tmp_path, prompts):  # noqa: F811
    window = studio_under_test(qtbot, studio, tmp_path, prompts)
    window.engine.stop()
    wait_for_mode(qtbot, window, EngineMode.STOPPED)
    banner = window.test_banner
    assert "the engine is stopped" in banner.text.text()
    assert banner.start_engine.isVisible()
    banner.start_engine.click()
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    assert not banner.start_engine.isVisible() and "waits last at most" in banner.text.text()
    fire_cart(qtbot, window, "test-cy").close()  # the test goes on where it was
    qtbot.waitUntil(lambda: "test-cy" in window.test_panel.people.rows, timeout=10000)


def test_a_person_deleted_while_followed(qtbot, studio, tmp_path, prompts):  # noqa: F811
    path = tmp_path / "shop.waymark"
    window = followed_to_the_wait_for(qtbot, studio, tmp_path, prompts, "test-di")
    with Workspace.open(path) as workspace, writing(workspace.db) as conn:
        conn.exec_driver_sql("DELETE FROM contacts WHERE id = 'test-di'")
    summary = window.test_panel.summary
    qtbot.waitUntil(lambda: "contact was deleted while followed" in summary.text(),
                    timeout=10000)
    assert here(window) == "opened-email"  # what was recorded is still shown
    window.actions_["next_step"].trigger()  # the run goes on without its contact
    qtbot.waitUntil(lambda: here(window) != "opened-email", timeout=10000)
    assert prompts.errors == []


def test_follow_a_person_in_a_live_journey_from_a_count(qtbot, studio, tmp_path):  # noqa: F811
    window = studio()
    assert window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    publish_cart_sample(window)
    for person in ("ann", "bo"):
        window.engine.fire("abandoned_cart", {"authId": person, "attributes": {
            "cart_total": 80}, "contactpoint_email": f"{person}@example.com"})
    overlay = window.scene.overlay
    qtbot.waitUntil(lambda: "opened-email" in overlay.badges
                    and overlay.badges["opened-email"].value("processing") == 2,
                    timeout=10000)
    badge = overlay.badges["opened-email"]
    cell = badge.cell_rect("processing").center()
    view = window.view
    at = view.mapFromScene(badge.mapToScene(cell))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    popup = window.try_out.follow.popup
    qtbot.waitUntil(lambda: popup.isVisible() and popup.list.topLevelItemCount() == 2,
                    timeout=10000)
    assert popup.title.text() == "<b>2</b> people are at <b>Opened the email?</b> now"
    people = {popup.list.topLevelItem(i).text(0): popup.list.topLevelItem(i).text(1)
              for i in range(2)}
    assert people == {"ann": "Opened the email?", "bo": "Opened the email?"}
    popup.list.setCurrentItem(popup.list.topLevelItem(0))
    qtbot.keyClick(popup.list, Qt.Key.Key_Return)
    assert not popup.isVisible()
    qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
    assert window.test_panel.summary.text().startswith("Version 1")
    window.try_out.follow.follow(None)
    assert here(window) is None and bold(window) == set()


def live_cart_with(qtbot, studio, folder, person: str):  # noqa: F811
    """The studio running its engine with the cart sample live, `person` fired into it."""
    window = studio()
    assert window.session.open_workspace(folder / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    publish_cart_sample(window)
    window.engine.fire("abandoned_cart", {"authId": person, "attributes": {"cart_total": 80},
                                          "contactpoint_email": f"{person}@example.com"})
    return window


def test_find_a_person_by_typing_their_id(qtbot, studio, tmp_path):  # noqa: F811
    window = live_cart_with(qtbot, studio, tmp_path, "cy")
    badges = window.scene.overlay.badges
    qtbot.waitUntil(lambda: "start" in badges and badges["start"].value("inflow") == 1,
                    timeout=10000)
    activate(qtbot, window)
    press(window, "Ctrl+Shift+L")  # Journey → Find person…
    box = window.test_panel.chooser
    assert box.lineEdit().hasFocus()
    qtbot.keyClicks(box.lineEdit(), "cy")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
    step = window.test_panel.steps.topLevelItem(1)  # the email sent
    rect = window.test_panel.steps.visualItemRect(step)
    qtbot.mouseClick(window.test_panel.steps.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.center()))
    assert window.scene.selected_tile_ids() == ["email-reminder"]


def test_the_test_options_dialog(qtbot):
    dialog = TestOptionsDialog("Abandoned cart reminders", TestOptions())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.shorten.isChecked() is False and not dialog.seconds.isEnabled()
    assert dialog.chosen() == TestOptions(None, False)  # waits as designed
    qtbot.mouseClick(dialog.shorten, Qt.MouseButton.LeftButton)
    dialog.seconds.clear()
    qtbot.keyClicks(dialog.seconds, "5")
    qtbot.mouseClick(dialog.bypass, Qt.MouseButton.LeftButton)
    assert dialog.chosen() == TestOptions(5, True)
    assert "“Abandoned cart reminders”" in dialog.findChild(QLabel).text()


def test_a_person_chosen_in_the_activity_dock_is_followed(qtbot, studio, tmp_path):  # noqa: F811
    window = studio()
    assert window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    publish_cart_sample(window)
    dock = show_activity(qtbot, window)
    window.engine.fire("abandoned_cart", {"authId": "gus", "attributes": {"cart_total": 80},
                                          "contactpoint_email": "gus@example.com"})
    qtbot.waitUntil(lambda: "waiting" in kinds_of(dock), timeout=10000)
    row = kinds_of(dock).index("waiting")
    rect = dock.table.visualRect(dock.model.index(row, 0))
    viewport = dock.table.viewport()  # a double click: a click, then a second press
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
    assert window.try_out.follow.person == "gus"
    assert window.test_panel.trail_title.text() == "PATH OF gus"  # not "GUS": ids keep their case


def test_a_finished_persons_next_step_button_is_disabled_and_looks_it(qtbot, themes):
    """Disabled, the button once kept the accent colour and weight of an active one, so a
    finished person still seemed to offer "Next step now"."""
    people = people_list(qtbot, 500, 200, [("ann", "opened-email", "active"),
                                           ("bo", "opened-done", "completed")], {})
    waiting, finished = (people.itemWidget(people.rows[c], 3) for c in ("ann", "bo"))
    assert waiting.isEnabled() and not finished.isEnabled()
    qtbot.waitUntil(lambda: waiting.isVisible() and finished.isVisible())
    pressable = coloured_pixels(waiting)  # the accent colour: it can be pressed
    assert pressable > 20
    assert coloured_pixels(finished) < pressable / 10  # grey (but for a few edge pixels)


def test_the_test_people_list_shows_where_each_is_at_a_laptops_panel_width(qtbot, themes):
    """Seen in a real 1366×768 window: in the Test and follow panel (about 320 px) the
    rows' "Next step now" buttons took the room of the tile each person is at ("…") and
    the list scrolled sideways."""
    from PySide6.QtCore import Qt as _Qt

    people = people_list(qtbot, 320, 160, [("ann", "start", "entry blocked"),
                                           ("test-bo", "wait", "waiting")],
                         {"start": "Guide requested", "wait": "Wait two days"})
    qtbot.waitUntil(lambda: people.itemWidget(people.rows["ann"], 3).isVisible())
    qtbot.wait(50)
    widest = max(people.fontMetrics().horizontalAdvance(t)
                 for t in ("Guide requested", "Wait two days"))
    assert people.columnWidth(1) >= widest, (people.columnWidth(1), widest)
    assert people.horizontalScrollBar().maximum() == 0
    button = people.itemWidget(people.rows["test-bo"], 3)
    assert button.toolTip().startswith("Next step now: end test-bo's wait")
    assert button.toolButtonStyle() == _Qt.ToolButtonStyle.ToolButtonIconOnly


def people_list(qtbot, width: int, height: int, rows: list[tuple[str, str, str]],
                titles: dict[str, str]):
    """The Test and follow panel's list of test people, shown at this size, its rows
    (person, tile, status) in it."""
    from datetime import UTC, datetime

    from app.test_mode.panel import TestPeople
    from engine.observe import PersonAtTile

    people = TestPeople()
    qtbot.addWidget(people)
    people.resize(width, height)
    people.show()
    now = datetime.now(UTC)
    people.show_people([PersonAtTile(person, number, tile, status, None, now)
                        for number, (person, tile, status) in enumerate(rows, start=1)],
                       titles)
    return people


def coloured_pixels(widget) -> int:
    """How many of the widget's pixels are strongly coloured (not grey, white or black)."""
    image = widget.grab().toImage()
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if image.pixelColor(x, y).hsvSaturation() > 120
               and image.pixelColor(x, y).value() > 60)


def test_journey_docks_asked_for_on_another_page_come_with_the_journey_page(
        qtbot, studio, tmp_path, prompts):  # noqa: F811
    """Seen in a real window: Find person… (Ctrl+Shift+L) on the Content page opened the
    Test and follow dock over that page, the person's path drawn on a canvas out of
    sight. What the person asks for (Find person…, Test journey…) shows the journey page;
    a test started elsewhere does not pull the dock over the page in front."""
    window = studio()
    assert window.session.open_workspace(tmp_path / "shop.waymark")
    wait_for_mode(qtbot, window, EngineMode.RUNNING)
    window.session.open_sample(resource("samples", "abandoned_cart.json"))
    activate(qtbot, window)  # X without a window manager: the focus needs an active window
    window.pages.show_page("content")
    window.actions_["find_person"].trigger()
    assert window.pages.current == "journeys" and window.test_dock.isVisible()
    assert window.test_panel.chooser.lineEdit().hasFocus()
    window.test_dock.hide()
    window.pages.show_page("contacts")
    prompts.test_options_answer = TestOptions(wait_seconds=2)
    window.actions_["test_journey"].trigger()
    assert window.pages.current == "journeys"
    qtbot.waitUntil(lambda: window.try_out.tests.testing is not None, timeout=10000)
    assert window.test_dock.isVisible()
    window.test_dock.hide()
    window.pages.show_page("contacts")
    window.pages.bring_forward(window.test_dock, go=False)  # as a test started elsewhere
    assert window.pages.current == "contacts" and not window.test_dock.isVisible()
    window.pages.show_page("journeys")
    assert window.test_dock.isVisible()


def test_people_on_an_earlier_version_are_seen_on_it(qtbot, studio, tmp_path):  # noqa: F811
    """Seen in a real window: after version 2 was published, the canvas showed its counts
    (all 0) and nothing said where the person still waiting on version 1 was. The live
    banner chooses the version shown; an earlier one is read-only, with its own counts,
    never saved over the draft nor edited as a new version."""
    window = live_cart_with(qtbot, studio, tmp_path, "ann")
    overlay, banner = window.scene.overlay, window.banner
    qtbot.waitUntil(lambda: "opened-email" in overlay.badges
                    and overlay.badges["opened-email"].value("processing") == 1,
                    timeout=10000)
    assert banner.versions.isHidden()  # one version: nothing to choose
    window.session.edit_as_new_version()
    window.editor.update_tile("wait-1-day", merge=True, name="Wait two days")
    assert window.session.publish()
    chooser = banner.versions
    assert chooser.isVisible()
    assert [chooser.itemText(i) for i in range(chooser.count())] == [
        "Version 2 (live)", "Version 1 (finishing)"]
    assert chooser.currentText() == "Version 2 (live)"
    qtbot.waitUntil(lambda: waiting_at_the_wait_for(overlay) == 0,
                    timeout=10000)
    chooser.activated.emit(1)  # as a click on "Version 1"
    assert window.session.viewed_version == 1 and window.editor.read_only
    assert window.editor.journey.find_tile("wait-1-day").name != "Wait two days"
    qtbot.waitUntil(lambda: waiting_at_the_wait_for(overlay) == 1, timeout=10000)
    assert "people who entered before version 2 finish on it" in banner.text.text()
    assert banner.button.isHidden() and not window.actions_["edit_new_version"].isEnabled()
    assert not window.actions_["save"].isEnabled() and not window.session.save()
    journey = window.session.store.load("abandoned-cart")
    assert journey.find_tile("wait-1-day").name == "Wait two days"  # the draft as it was
    window.actions_["simulate"].trigger()  # Simulate… starts on the version shown
    dialog = window.simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.version.currentData() == 1
    dialog.reject()
    chooser.activated.emit(0)
    assert window.session.viewed_version is None
    assert window.editor.journey.find_tile("wait-1-day").name == "Wait two days"
    qtbot.waitUntil(lambda: waiting_at_the_wait_for(overlay) == 0,
                    timeout=10000)


def waiting_at_the_wait_for(overlay) -> int | None:
    badge = overlay.badges.get("opened-email")
    return badge.value("processing") if badge is not None else None


def test_a_wait_until_another_year_says_its_year() -> None:
    """A wait until a trigger's date past the calendar's reach lasts until 9000 (see
    engine/model/moments.py): the trail and the simulation's timeline read "until Sat 01
    Jan 00:00", as if next New Year's. Another year's date says its year."""
    from datetime import UTC, datetime, timedelta

    from app.simulation.results import when as simulated_when
    from app.test_mode.trail_text import when

    far = datetime(9000, 1, 1, 12, tzinfo=UTC)
    assert when(far).endswith(" 9000")
    step = datetime(2026, 12, 31, 12, tzinfo=UTC)
    assert simulated_when(step + timedelta(days=1), UTC, step) == "Fri 01 Jan 12:00 2027"
    assert simulated_when(step - timedelta(days=1), UTC, step) == "Wed 30 Dec 12:00"
