"""Validation follows every edit: problems listed, tiles outlined, a click finds the tile."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from tests.app.conftest import open_sample
from tests.app.gestures import drop_from_palette


def wait_for_validation(qtbot, window) -> None:
    with qtbot.waitSignal(window.runner.validated, timeout=2000):
        pass


def test_a_valid_sample_has_no_problems(window) -> None:
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
    open_sample(window, "brew_guide.json")
    runs: list[int] = []
    window.runner.validated.connect(lambda problems: runs.append(len(problems)))
    for name in ("A", "Ab", "Abc", "Abcd"):
        window.editor.update_tile("brew-tips", merge=True, name=name)
    assert runs == []  # nothing ran while typing
    qtbot.waitUntil(lambda: runs == [0], timeout=2000)
    assert window.editor.undo_stack.command(window.editor.undo_stack.count() - 1) is not None
