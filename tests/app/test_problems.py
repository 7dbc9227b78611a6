"""Validation follows every edit: problems listed, tiles outlined, a click finds the tile."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from app.pages.host import JOURNEYS
from tests.app.conftest import open_sample
from tests.app.gestures import drop_from_palette


def with_postal_address(window) -> None:
    """The workspace's sender profile complete: its commercial email then warns of
    nothing (see the last tests)."""
    workspace = window.session.store.workspace
    settings = workspace.delivery_settings()
    sender = settings.senders[0].model_copy(update={"postal_address": "1 Main St, Springfield"})
    workspace.save_delivery_settings(settings.model_copy(update={"senders": [sender]}))
    window.check_against_settings()  # what Edit → Settings… calls when it is saved


def wait_for_validation(qtbot, window) -> None:
    with qtbot.waitSignal(window.runner.validated, timeout=2000):
        pass


def test_a_valid_sample_has_no_problems(window) -> None:
    with_postal_address(window)
    open_sample(window, "brew_guide.json")
    assert window.runner.problems == []
    assert "ready to publish" in window.problems.topLevelItem(0).text(0)
    assert window.problem_label.text() == "No problems"


def test_an_invalid_graph_shows_its_problems_and_a_click_selects_the_tile(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    spot = QPointF(1400, 900)
    drop_from_palette(window, "email", spot)
    email = window.scene.selected_tile_ids()[0]
    window.view.centerOn(QPointF(0, 0))
    wait_for_validation(qtbot, window)
    codes = {p.code for p in window.runner.problems if p.tile_id == email}
    assert {"no-content", "unreachable", "no-successor"} <= codes
    item = window.scene.tile_items[email]
    assert item.has_errors
    assert "choose the content to send" in item.toolTip()
    assert not window.scene.tile_items["brew-tips"].has_errors
    assert window.problem_label.text().startswith("3 to fix")
    window.scene.clearSelection()
    row = window.problems.row_for(email)
    rect = window.problems.visualItemRect(row)
    qtbot.mouseClick(window.problems.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert window.scene.selected_tile_ids() == [email]
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(item.sceneBoundingRect().center())
    assert window.properties.tile_id == email


def test_fixing_the_problem_clears_the_outline(window, qtbot) -> None:
    with_postal_address(window)
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", content=None)
    wait_for_validation(qtbot, window)
    assert window.scene.tile_items["brew-tips"].has_errors
    window.editor.undo_stack.undo()
    wait_for_validation(qtbot, window)
    assert not window.scene.tile_items["brew-tips"].has_errors
    assert window.runner.problems == []


def test_a_problem_with_the_settings_opens_the_settings(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    window.editor.update_settings(goal={"trigger": "no_such_trigger",
                                        "target": {"kind": "percent", "value": 5}})
    wait_for_validation(qtbot, window)
    window.scene.select_tiles(["start"])
    row = window.problems.row_for(None)
    assert row.text(1) == "Journey settings"
    window.problems.itemClicked.emit(row, 0)
    assert window.scene.selected_tile_ids() == []
    assert window.properties.tile_id is None
    assert window.properties.header.title.text() == "Journey settings"


def test_validation_waits_for_a_burst_of_edits_to_end(window, qtbot) -> None:
    with_postal_address(window)
    open_sample(window, "brew_guide.json")
    runs: list[int] = []
    window.runner.validated.connect(lambda problems: runs.append(len(problems)))
    for name in ("A", "Ab", "Abc", "Abcd"):
        window.editor.update_tile("brew-tips", merge=True, name=name)
    assert runs == []  # nothing ran while typing
    qtbot.waitUntil(lambda: runs == [0], timeout=2000)
    assert window.editor.undo_stack.command(window.editor.undo_stack.count() - 1) is not None


def test_commercial_email_is_checked_against_the_sender_profile(window, qtbot) -> None:
    """Seen in a real window: the abandoned-cart sample's Problems said "ready to publish"
    and the studio's Publish said nothing more, where `waymark journeys publish` warned
    that its commercial email goes out without the sender's postal address (the law asks
    for it). The panel checks the content against the workspace's sender profiles, and
    follows the settings when they are saved."""
    open_sample(window, "abandoned_cart.json")
    warned = [p for p in window.runner.problems if p.code == "content-compliance"]
    assert [p.tile_id for p in warned] == ["email-reminder"]
    assert "no postal address" in window.problems.row_for("email-reminder").text(0)
    assert window.problem_label.text() == "1 warning"  # it does not stop publishing
    assert window.problems.row_for("email-reminder").text(2) == "Nothing (a warning)"
    with_postal_address(window)
    assert not any(p.code == "content-compliance" for p in window.runner.problems)
    assert window.problem_label.text() == "No problems"


def test_publishing_with_warnings_says_so(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    said: list[str] = []
    window.session.status.connect(said.append)
    assert window.session.publish()
    assert said[-1] == ("Published version 1: “Abandoned cart reminders” is live, with "
                        "1 warning (see Problems)")


def test_a_new_workspace_with_no_journey_lists_no_problems(window) -> None:
    """Seen from a fresh clone in a real window: the first workspace, no journey open,
    listed "This tile leads nowhere" and "Choose the trigger" for a Start tile nobody
    could see (the check against the settings validated the empty editor's journey)."""
    assert window.session.info is None
    assert window.runner.problems == []
    assert window.problem_label.text() in ("", "No problems")
    assert window.problems_dock.windowTitle() == "Problems"


def test_a_live_version_as_published_is_not_said_to_be_ready_to_publish(window,
                                                                       qtbot) -> None:
    """Seen in a real window: the live journey, shown read-only with nothing changed,
    was "ready to publish"; Publish said there was nothing to publish."""
    open_sample(window, "abandoned_cart.json")
    with_postal_address(window)
    first = window.problems.topLevelItem(0)
    assert first.text(0) == "No problems: this journey is ready to publish"
    assert window.session.publish()
    window.runner.run_now()
    assert window.problems.topLevelItem(0).text(0) == \
        "No problems: nothing changed since it was published"
    window.session.edit_as_new_version()
    window.editor.update_tile("wait-1-day", merge=True, name="Wait two days")
    window.runner.run_now()
    assert window.problems.topLevelItem(0).text(0) == \
        "No problems: this journey is ready to publish"


def test_where_is_as_wide_as_its_tile_names_and_the_problem_takes_the_rest(
        window, qtbot) -> None:
    """In a laptop's Problems dock "Where" kept 220 px for "Email" while each problem was
    cut short; it is now as wide as its names (never more than 220 px), unless dragged."""
    open_sample(window, "abandoned_cart.json")  # validated as it opens
    panel, header = window.problems, window.problems.header()
    assert panel.topLevelItemCount() and panel.row_for("email-reminder") is not None
    names = panel.sizeHintForColumn(1)
    assert names < header.sectionSize(1) <= min(names + 16, 220)
    header.resizeSection(1, 200)  # dragged by hand: kept through the next validation
    window.editor.update_tile("sms-reminder", name="Text them")
    wait_for_validation(qtbot, window)
    assert header.sectionSize(1) == 200


def test_a_trigger_made_with_no_journey_open_lists_no_problems(window, qtbot) -> None:
    """Seen in a real window: with no journey open, back on the journey page after a
    trigger was made (the catalog may have changed, so the journey is checked again), the
    Problems panel listed "This tile leads nowhere" and "Choose the trigger" for the empty
    journey nobody could see."""
    from engine import trigger_catalog
    from engine.model import TriggerDefinition

    assert window.session.info is None
    window.pages.show_page("triggers")
    trigger_catalog.create_trigger(window.session.store.workspace, TriggerDefinition(
        name="wifi_signup", title="Wi-Fi sign-up"))
    window.pages.show_page(JOURNEYS)
    assert window.runner.problems == []
    assert window.problems_dock.windowTitle() == "Problems"
    # nor that the journey nobody sees "is ready to publish", nor its settings
    assert window.problems.topLevelItemCount() == 0 and window.problem_label.text() == ""
    qtbot.wait(10)  # the properties reload after a catalog change (a 0 ms timer)
    assert window.properties.header.title.text() == "No journey open"
