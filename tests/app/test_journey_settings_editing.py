"""The journey's own settings, edited in the panel: condition groups within groups, the
goal's and exit rules' conditions, dates in the journey's time zone — each edit one undo
step — and the window's dock layout remembered between sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, QSettings, QSize, Qt, QTime, QTimeZone
from PySide6.QtWidgets import QWidget

from app.main_window import MainWindow
from app.pages.host import JOURNEYS
from app.properties.conditions import ConditionRow, GroupEditor
from engine.model import MAX_GROUP_DEPTH, ConditionGroup, Op
from tests.app.conftest import dispose, open_sample
from tests.app.gestures import document_json
from tests.app.test_properties import choose, select


def settings_form(window):
    window.scene.clearSelection()
    return window.properties.form


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_rebuilt(qtbot, builder, groups: int) -> GroupEditor:
    """The builder's root once it shows `groups` groups in all (it lays out anew after a
    group comes or goes)."""
    qtbot.waitUntil(lambda: len(builder.root.findChildren(GroupEditor)) == groups)
    return builder.root


def test_a_nested_group_is_added_edited_and_undone_step_by_step(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    builder = settings_form(window).start.conditions
    before, steps = document_json(window), window.editor.undo_stack.count()
    click(qtbot, builder.root.group_button)
    [first, nested] = window.editor.journey.start.conditions.items
    assert isinstance(nested, ConditionGroup) and len(nested.items) == 1
    assert nested.join == "or"  # inside an all-of group: any of
    [inner] = wait_rebuilt(qtbot, builder, 1).groups()
    click(qtbot, inner.add_button)
    [inner] = wait_rebuilt(qtbot, builder, 1).groups()
    choose(inner.join, "and")
    row = inner.findChildren(ConditionRow)[1]
    choose(row.attribute, "cart_total")
    choose(row.op, Op.GT)
    value = row.value_box.itemAt(0).widget()
    value.clear()
    qtbot.keyClicks(value, "120")
    nested = window.editor.journey.start.conditions.items[1]
    assert nested.join == "and" and nested.items[1].describe() == "cart_total > 120"
    assert window.editor.journey.start.conditions.items[0] == first
    assert window.editor.undo_stack.count() == steps + 6  # the typing is one step
    window.editor.undo_stack.undo()
    assert window.editor.journey.start.conditions.items[1].items[1].value == 0
    for _step in range(5):
        window.editor.undo_stack.undo()
    assert document_json(window) == before
    wait_rebuilt(qtbot, builder, 0)
    assert [r.condition.describe() for r in builder.root.findChildren(ConditionRow)] == \
        ["cart_total > 50"]


def test_a_new_journey_s_condition_builder_gets_the_height_it_needs(window, qtbot,
                                                                      prompts) -> None:
    """Seen in a real window: after the sample, a new journey's "No conditions" and "Add
    condition" were squeezed under the AUDIENCE heading (the panel, shorter than its form,
    was laid out at its minimum, and the hint above the builder took two lines' height)."""
    open_sample(window, "abandoned_cart.json")
    prompts.texts = ["Welcome series"]
    window.session.new_journey()
    builder = settings_form(window).start.conditions
    qtbot.waitUntil(lambda: builder.root.findChildren(ConditionRow) == [])
    assert window.properties.scroll.viewport().height() < builder.window().height()
    # Once laid out (under X that can take more than the 50 ms this waited: it failed
    # there now and then, squeezed only until the layout's next pass).
    add = builder.root.add_button

    def laid_out() -> bool:
        return (builder.height() >= builder.minimumSizeHint().height()
                and add.mapTo(builder, add.rect().bottomLeft()).y() < builder.height())

    qtbot.waitUntil(laid_out, timeout=3000)


def test_groups_nest_down_to_the_model_s_limit_and_go_again(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    builder = settings_form(window).start.conditions
    group = builder.root
    for depth in range(2, MAX_GROUP_DEPTH + 1):
        click(qtbot, group.group_button)
        group = wait_rebuilt(qtbot, builder, depth - 1).findChildren(GroupEditor)[-1]
        assert group.depth == depth
    assert not group.group_button.isEnabled()
    assert f"at most {MAX_GROUP_DEPTH} deep" in group.group_button.toolTip()
    assert window.editor.journey.start.conditions.depth() == MAX_GROUP_DEPTH
    [second] = builder.root.groups()
    click(qtbot, second.remove_button)
    wait_rebuilt(qtbot, builder, 0)
    assert window.editor.journey.start.conditions.describe() == "cart_total > 50"


def test_the_goal_s_condition_is_edited_with_the_builder(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    goal = settings_form(window).goal
    assert goal.condition.isVisibleTo(goal)  # the goal is a trigger: purchase_completed
    before = document_json(window)
    click(qtbot, goal.condition.builder.root.add_button)
    qtbot.waitUntil(lambda: bool(goal.condition.builder.root.findChildren(ConditionRow)))
    [row] = goal.condition.builder.root.findChildren(ConditionRow)
    choose(row.attribute, "order_total")
    choose(row.op, Op.GE)
    value = row.value_box.itemAt(0).widget()
    value.clear()
    qtbot.keyClicks(value, "30")
    assert window.editor.journey.goal.condition.describe() == "order_total ≥ 30"
    goal.target.setValue(25)  # the target changes; the condition stays
    assert window.editor.journey.goal.condition.describe() == "order_total ≥ 30"
    assert window.editor.journey.goal.target.value == 25
    for _step in range(5):
        window.editor.undo_stack.undo()
    assert document_json(window) == before


def test_an_exit_rule_s_condition_is_edited_and_undone(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    exits = settings_form(window).exits
    [rule] = exits.editors
    before = document_json(window)
    click(qtbot, rule.condition.builder.root.add_button)
    qtbot.waitUntil(lambda: bool(rule.condition.builder.root.findChildren(ConditionRow)))
    [row] = rule.condition.builder.root.findChildren(ConditionRow)
    choose(row.attribute, "order_id")
    value = row.value_box.itemAt(0).widget()
    qtbot.keyClicks(value, "SO-1")
    assert window.editor.journey.exits[0].condition.describe() == "order_id equals SO-1"
    assert exits.editors == [rule]  # typing keeps the editor (and its focus)
    for _step in range(3):
        window.editor.undo_stack.undo()
    assert document_json(window) == before


def test_dates_are_shown_and_entered_in_the_journey_s_time_zone(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    form = settings_form(window)
    form.edit_start(timezone="Europe/Berlin",
                    window_start=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    field = form.window_start.date
    qtbot.waitUntil(lambda: field.zone_name.text() == "Berlin")
    assert "Europe/Berlin" in field.zone_name.toolTip()
    assert field.edit.text() == "1 Jul 2026 10:00"  # 08:00 UTC is 10:00 in Berlin (CEST)
    field.edit.setDateTime(QDateTime(QDate(2026, 12, 24), QTime(18, 0), QTimeZone.utc()))
    field.edit.editingFinished.emit()
    stored = window.editor.journey.start.window_start
    assert stored == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)  # 18:00 CET
    assert stored.tzinfo is not None
    wait = select(window, qtbot, "wait-1-day")
    choose(wait.mode, "until")
    assert wait.until.zone_name.text() == "Berlin"


def test_a_condition_date_is_edited_in_the_journey_s_time_zone(window, qtbot) -> None:
    open_sample(window, "case_resolved_survey.json")
    form = settings_form(window)
    form.edit_start(timezone="America/New_York")
    builder = form.start.conditions
    qtbot.waitUntil(lambda: builder.choices.zone == "America/New_York")
    [row] = builder.root.findChildren(ConditionRow)
    choose(row.attribute, "case.resolved_at")
    choose(row.op, Op.BEFORE)
    [row] = builder.root.findChildren(ConditionRow)
    moment = row.value_box.itemAt(0).widget()
    assert moment.zone_name.text() == "New York"
    assert "America/New_York" in moment.zone_name.toolTip()
    moment.edit.setDateTime(QDateTime(QDate(2026, 3, 1), QTime(9, 30), QTimeZone.utc()))
    moment.edit.editingFinished.emit()
    leaf = window.editor.journey.start.conditions.items[0]
    assert leaf.value == "2026-03-01T14:30:00+00:00"  # 09:30 EST, stored aware in UTC
    choose(row.op, Op.ON)  # a day, in the journey's zone
    assert window.editor.journey.start.conditions.items[0].value == "2026-03-01"


def test_the_dock_layout_is_restored_after_reopening_with_the_same_settings(
        qtbot, tmp_path, prompts, themes) -> None:
    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)
    first = open_window(qtbot, prompts, settings)
    first.removeDockWidget(first.problems_dock)
    first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, first.problems_dock)
    first.problems_dock.show()
    first.palette_dock.hide()
    first.pages.add_page("other", "Other", "settings", QWidget())
    first.pages.show_page("other")  # another page puts the journey's docks away
    assert not first.journeys_dock.isVisible()
    dispose(first)  # closing saves the layout as the journey page shows it
    again = open_window(qtbot, prompts, settings)
    assert again.dockWidgetArea(again.problems_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not again.palette_dock.isVisible() and again.journeys_dock.isVisible()
    dispose(again)
    newer = open_window(qtbot, prompts, settings, version=2)  # the docks changed since
    assert newer.dockWidgetArea(newer.problems_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert newer.palette_dock.isVisible()
    dispose(newer)


def test_an_empty_simulation_dock_is_not_brought_back_at_the_next_start(
        qtbot, tmp_path, prompts, themes) -> None:
    """Seen in a real window: the studio closed with the Simulation dock in front opened
    again on it, empty ("Simulation · no results", a Leave results link for nothing),
    over Properties: results are not kept between sessions, nor is their dock."""
    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)
    first = open_window(qtbot, prompts, settings)
    simulation = first.simulation
    first.pages.bring_forward(simulation.dock)  # as a simulation's start shows it
    assert simulation.dock.isVisible() and simulation.outcome is None
    assert not simulation.panel.leave.isVisible()  # no results: nothing to leave
    dispose(first)
    again = open_window(qtbot, prompts, settings)
    assert not again.simulation.dock.isVisible()
    assert again.properties_dock.isVisible()
    dispose(again)


def test_docks_saved_in_a_larger_window_shrink_with_it(qtbot, tmp_path, prompts,
                                                        themes) -> None:
    """Seen on a laptop's 1366 px screen with a layout saved on a larger one: the window
    was fitted to the screen and its docks kept their pixels (Properties 460 px, the
    bottom docks 280 px): the canvas had 590 × 250. They shrink by the window's ratios."""
    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)
    first = open_window(qtbot, prompts, settings)
    area = first.screen().availableGeometry()
    if area.width() < 1500:
        dispose(first)
        pytest.skip(f"needs a screen 1,500 px wide or more, this one is {area.width()} "
                    "(offscreen Qt's): the docks' least sizes fill a smaller one. CI runs "
                    "it again under Xvfb at 1920 × 1200 (.ci/studio-under-xvfb)")
    large = (area.width() * 3 // 2, area.height() * 3 // 2)  # another, larger screen's
    first.setGeometry(area.x(), area.y(), *large)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == large, timeout=3000)
    first.resizeDocks([first.properties_dock], [900], Qt.Orientation.Horizontal)
    first.resizeDocks([first.problems_dock], [520], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: first.properties_dock.width() > 850, timeout=3000)
    wide, tall = first.properties_dock.width(), first.problems_dock.height()
    dispose(first)  # saved as it is
    again = open_window(qtbot, prompts, settings)
    assert again.width() <= area.width()  # fitted on this screen
    qtbot.waitUntil(lambda: again.properties_dock.width() < wide * 0.8, timeout=3000)
    assert again.problems_dock.height() < tall * 0.9
    assert again.centralWidget().width() > again.width() // 3
    dispose(again)


def test_a_saved_size_that_is_no_size_leaves_the_docks_alone(qtbot, tmp_path, prompts,
                                                             themes) -> None:
    """A settings file edited by hand (or by another program): the window opens, and no
    docks are scaled for a size that was never the window's."""
    from app.window_layout import SIZE_KEY, _shrunk

    now = QSize(1366, 728)
    for saved in (QSize(0, 0), QSize(-5, 900), QSize(1920, -1)):
        assert _shrunk(saved, now) is None, saved
    assert _shrunk(QSize(1400, 760), now) is None  # about as large: left as it is
    assert _shrunk(QSize(1920, 1080), now) == (1366 / 1920, 728 / 1080)
    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)
    dispose(open_window(qtbot, prompts, settings))  # saved, with the window's size
    settings.setValue(SIZE_KEY, "huge")
    again = open_window(qtbot, prompts, settings)
    assert again.properties_dock.isVisible()
    dispose(again)


def test_a_window_partly_off_the_screen_is_put_back_on_it(qtbot, tmp_path, prompts,
                                                          themes) -> None:
    """Seen on a real desktop: the window manager had placed a second studio lower, and
    the studio opened again there (Qt put the saved place back as it was, with openbox
    managing the window), its status bar below the screen's edge. `fit_on_screen` runs
    after every restore, and on the default size."""
    from app.window_layout import TITLE_BAR, fit_on_screen

    settings = QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)
    settings.setValue("engine/start_on_open", False)
    window = open_window(qtbot, prompts, settings)
    area = window.screen().availableGeometry()
    for height in (area.height() * 3 // 4, area.height() + 300):  # the second: too tall
        window.setGeometry(area.x(), area.y() + area.height() // 2, window.width(), height)
        fit_on_screen(window)
        placed = window.geometry()
        assert area.top() <= placed.top(), (area, placed)
        assert placed.bottom() + TITLE_BAR <= area.bottom() + 1, (area, placed)
    assert window.geometry().height() == area.height() - TITLE_BAR
    dispose(window)
    fresh = MainWindow(prompts=prompts, settings=settings)  # 1440 × 900 on a smaller screen
    assert fresh.height() <= area.height() - TITLE_BAR
    dispose(fresh)


def open_window(qtbot, prompts, settings: QSettings, version: int | None = None) -> MainWindow:
    from app.window_layout import LAYOUT_VERSION, WindowLayout

    window = MainWindow(prompts=prompts, settings=settings)
    layout = window.findChild(WindowLayout)  # the window's own, once the window has one
    if layout is None:
        layout = WindowLayout(window, settings,
                              before_save=lambda: window.pages.show_page(JOURNEYS))
    layout.version = version or LAYOUT_VERSION
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_layout_is_saved_when_closing_is_agreed_not_when_it_is_cancelled(
        window, prompts, tmp_path) -> None:
    """The layout was saved as the Close event came, before "Save changes?" was answered:
    a cancelled close saved it all the same, and an agreed one saved it before the
    window's closing had put the simulation's results away."""
    from app.window_layout import STATE_KEY

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    open_sample(window, "brew_guide.json")
    window.editor.update_tile("brew-tips", name="Brewing tips")  # unsaved
    prompts.unsaved_answer = "cancel"
    assert not window.close()
    settings.sync()
    assert settings.value(STATE_KEY) is None and window.isVisible()
    prompts.unsaved_answer = "discard"
    assert window.close()
    settings.sync()
    assert settings.value(STATE_KEY) is not None
