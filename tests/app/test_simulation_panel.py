"""The simulation results panel on a real kept simulation (`waymark simulate --keep`, run
as a process): everyone listed with their outcome, a chosen person's steps with their
reasons, the time slider's moments in the journey's time zone, and screenshots."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QWidget

from app.simulation.panel import SimulationPanel
from app.simulation.people_model import (
    OUTCOME,
    PERSON,
    STEPS,
    TILE,
    outcome_kind,
    short_outcome,
)
from engine.model import read_bundle, to_data
from engine.resources import resource
from engine.simulation.outcome import SimulationOutcome
from tests.app.conftest import dispose
from tests.engine.serve_support import run_cli

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
ZONE = "Europe/Amsterdam"  # an hour ahead of UTC in November
START = datetime.fromisoformat("2026-11-23T09:00:00+00:00")


@pytest.fixture(scope="module")
def simulation(tmp_path_factory) -> tuple[Path, list[dict]]:
    """200 generated people through the abandoned-cart sample, in Amsterdam time."""
    folder = tmp_path_factory.mktemp("sim")
    data = to_data(read_bundle(resource("samples", "abandoned_cart.json")))
    data["journey"]["start"]["timezone"] = ZONE
    (folder / "cart.json").write_text(json.dumps(data))
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    (folder / "spec.json").write_text(json.dumps({**spec, "people": 200}))
    done = run_cli("simulate", str(folder / "cart.json"), "--generate",
                   str(folder / "spec.json"), "--json", "--keep", str(folder / "keep"),
                   timeout=300)
    assert done.returncode == 0, done.stderr
    return folder / "keep" / "simulation.waymark", [json.loads(line) for line in
                                                     done.stdout.splitlines()]


@pytest.fixture
def panel(qtbot, simulation, themes):
    outcome = SimulationOutcome.read(simulation[0], "abandoned-cart")
    shown = SimulationPanel()
    qtbot.addWidget(shown)
    shown.resize(460, 1000)
    shown.show()
    qtbot.waitExposed(shown)
    # X without a window manager does not activate a shown window, and the panel's
    # Ctrl+F and focus reach only the active one (it failed under Xvfb in CI)
    shown.activateWindow()
    qtbot.waitActive(shown)
    shown.show_outcome(outcome)
    yield shown
    dispose(shown)
    outcome.close()


def cell(panel, row: int, column: int) -> str:
    return str(panel.model.index(row, column).data())


def rows(panel) -> list[tuple[str, str]]:
    """Each person and their whole outcome (the cell's tooltip: the cell may shorten it)."""
    return [(cell(panel, r, PERSON),
             str(panel.model.index(r, OUTCOME).data(Qt.ItemDataRole.ToolTipRole)))
            for r in range(panel.model.rowCount())]


def last_words(lines: list[dict]) -> dict[str, str]:
    """How each person's simulation ended, from the step lines."""
    said = {}
    for line in lines:
        if line["what"] == "completed":
            said[line["person"]] = "completed"
        elif line["what"] in ("exited", "entry blocked"):
            said[line["person"]] = f"{line['what']}: {line['reason']}"
    return said


def click_row(qtbot, panel, row: int) -> None:
    index = panel.model.index(row, PERSON)
    panel.table.scrollTo(index)
    where = panel.table.visualRect(index).center()
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_the_table_lists_everyone_with_their_outcome(panel, simulation):
    _file, lines = simulation
    listed = dict(rows(panel))
    assert len(listed) == 200 and panel.people_title.text() == "PEOPLE (200)"
    ended = last_words(lines)
    assert ended and {person: listed[person] for person in ended} == ended
    assert sorted(listed) == [person for person, _outcome in rows(panel)]  # by person


def test_choosing_a_person_shows_their_steps_with_the_reasons(qtbot, panel, simulation):
    _file, lines = simulation
    timed_out = next(line["person"] for line in lines if line.get("reason") ==
                     "time limit passed")
    row = panel.model.row_of(timed_out)
    with qtbot.waitSignal(panel.person_selected) as chosen:
        click_row(qtbot, panel, row)
    assert chosen.args == [timed_out]
    printed = [line for line in lines if line["person"] == timed_out]
    shown = [panel.steps.topLevelItem(i) for i in range(panel.steps.topLevelItemCount())]
    assert len(shown) == len(panel.outcome.steps_of(timed_out)) >= len(printed)
    words = [item.text(2) for item in shown]
    assert "Took “No”\ntime limit passed" in words
    assert shown[0].text(0) == "Mon 23 Nov " + _local(printed[0]["time"])  # Amsterdam time
    assert panel.steps_title.text() == f"STEPS OF {timed_out}"  # "P0002" is not the id


def test_a_refused_person_shows_why(qtbot, panel, simulation):
    _file, lines = simulation
    refused = next(line["person"] for line in lines if line["what"] == "entry blocked")
    # the row says what happened and where, short enough for the column; the reason is
    # its tooltip and the person's line (it was "entry blocked: un…" with no tile)
    row = panel.model.row_of(refused)
    assert (cell(panel, row, OUTCOME), cell(panel, row, TILE)) == \
        ("entry blocked", "Abandoned cart")
    assert panel.model.index(row, OUTCOME).data(Qt.ItemDataRole.ToolTipRole) == \
        "entry blocked: unmet trigger condition"
    with qtbot.waitSignal(panel.person_selected):
        panel.select_person(refused)
    assert panel.steps.topLevelItem(0).text(2) == "Not let in\nunmet trigger condition"
    assert panel.person_summary.text() == \
        f"{refused}: entry blocked: unmet trigger condition · 1 step"
    with qtbot.waitSignal(panel.person_selected) as chosen:
        panel.select_person("")
    assert chosen.args == [""] and panel.steps.topLevelItemCount() == 0


def test_the_slider_moves_through_the_period_in_the_journeys_time(qtbot, panel):
    outcome = panel.outcome
    slider = panel.slider.slider
    slider.setFocus()
    with qtbot.waitSignal(panel.moment_changed) as moved:
        qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert moved.args == [outcome.start] and outcome.start == START
    assert panel.slider.when.text() == "Mon 23 Nov 2026 10:00 (Europe/Amsterdam)"
    with qtbot.waitSignal(panel.moment_changed) as moved:
        qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    a_page = timedelta(seconds=slider.pageStep())
    assert moved.args == [START + a_page] and a_page >= timedelta(hours=1)
    with qtbot.waitSignal(panel.moment_changed) as moved:
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert moved.args == [START + a_page + timedelta(seconds=slider.singleStep())]
    here = sum(outcome.counts_at(moved.args[0]).values())
    assert panel.slider.where.text() == f"{here:,} in the journey" and here > 0
    with qtbot.waitSignal(panel.moment_changed) as moved:
        qtbot.keyClick(slider, Qt.Key.Key_End)
    assert moved.args == [outcome.end]


def test_the_filter_and_the_sort(qtbot, panel):
    qtbot.keyClick(panel.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.filter.hasFocus()
    qtbot.keyClicks(panel.filter, "entry blocked")
    qtbot.waitUntil(lambda: panel.model.rowCount() < 200)
    blocked = rows(panel)
    assert blocked and all(o.startswith("entry blocked") for _p, o in blocked)
    assert panel.people_title.text() == f"PEOPLE ({len(blocked)} OF 200)"
    panel.filter.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 200)
    panel.table.sortByColumn(STEPS, Qt.SortOrder.DescendingOrder)
    steps = [int(cell(panel, r, STEPS)) for r in range(200)]
    assert steps == sorted(steps, reverse=True) and steps[0] > steps[-1]


def test_how_everyone_ended_at_a_glance_each_kind_lists_its_people(qtbot, panel,
                                                                    simulation):
    """Completed, exited, kept out, still in: counted above the table from the same
    outcomes the command printed; a click lists only those people, again everyone."""
    _file, lines = simulation
    ended = last_words(lines)
    kinds = panel.kinds.buttons
    count = {kind: int(button.text().rsplit(" ", 1)[1].replace(",", ""))
             for kind, button in kinds.items()}
    assert sum(count.values()) == 200
    assert count["completed"] == sum(1 for o in ended.values() if o == "completed")
    assert count["exited"] == sum(1 for o in ended.values() if o.startswith("exited"))
    assert count["kept out"] == sum(1 for o in ended.values()
                                    if o.startswith("entry blocked"))
    assert kinds["kept out"].text() == f"Kept out {count['kept out']}"
    qtbot.mouseClick(kinds["kept out"], Qt.MouseButton.LeftButton)
    kept_out = rows(panel)
    assert len(kept_out) == count["kept out"] and all(
        o.startswith("entry blocked") for _p, o in kept_out)
    assert panel.people_title.text() == f"PEOPLE ({len(kept_out)} OF 200)"
    qtbot.mouseClick(kinds["exited"], Qt.MouseButton.LeftButton)  # one kind at a time
    assert not kinds["kept out"].isChecked()
    assert {o.split(":")[0] for _p, o in rows(panel)} == {"exited"}
    # with the filter's text too: the exited people of one reason, and the chips count
    # how the people the text leaves ended (the chosen kind shown even at none)
    reason = rows(panel)[0][1].partition(": ")[2]
    qtbot.keyClicks(panel.filter, reason)
    of_reason = sorted((p, o) for p, o in ended.items() if o == f"exited: {reason}")
    with_text = [o for p, o in ended.items() if reason.lower() in f"{p} {o}".lower()]

    def chips() -> dict[str, int]:
        return {kind: int(button.text().rsplit(" ", 1)[1])
                for kind, button in panel.kinds.buttons.items()}

    qtbot.waitUntil(lambda: sum(chips().values()) == len(with_text) < 200)
    assert rows(panel) == of_reason
    assert chips()["exited"] == len(of_reason) and panel.kinds.buttons["exited"].isChecked()
    panel.filter.clear()
    qtbot.waitUntil(lambda: panel.kinds.buttons["exited"].text()
                    == f"Exited {count['exited']}")
    qtbot.mouseClick(panel.kinds.buttons["exited"], Qt.MouseButton.LeftButton)  # everyone
    qtbot.waitUntil(lambda: panel.model.rowCount() == 200)
    assert panel.people_title.text() == "PEOPLE (200)"
    # a person the chosen kind hides is listed again when chosen (on the canvas, say)
    qtbot.mouseClick(panel.kinds.buttons["kept out"], Qt.MouseButton.LeftButton)
    completed = next(p for p, o in ended.items() if o == "completed")
    with qtbot.waitSignal(panel.person_selected):
        panel.select_person(completed)
    assert panel.model.rowCount() == 200
    assert not panel.kinds.buttons["kept out"].isChecked()


def test_the_chosen_person_stays_chosen_when_the_table_is_sorted(qtbot, panel):
    person = cell(panel, 5, PERSON)
    with qtbot.waitSignal(panel.person_selected):
        panel.select_person(person)
    panel.table.sortByColumn(PERSON, Qt.SortOrder.DescendingOrder)
    current = panel.table.selectionModel().currentIndex()
    assert cell(panel, current.row(), PERSON) == person and panel.person == person


def test_leave_results_says_so(qtbot, panel):
    with qtbot.waitSignal(panel.closed):
        qtbot.mouseClick(panel.leave, Qt.MouseButton.LeftButton)
    panel.clear()
    assert panel.model.rowCount() == 0 and not panel.isEnabled()


def shown_figures(panel) -> list[str]:
    return [label.property("metric") for label in panel.findChildren(QWidget, "simFigure")
            if label.isVisible()]


def test_without_results_the_panel_says_where_they_will_be_not_zeros(qtbot, panel):
    """Seen in a real window while a 20,000-person simulation ran: the empty panel
    showed "0 sent", "0 delivered"… as if a run had sent nothing. Without results it
    says where they will show; with them the figures are back."""
    assert "sent" in shown_figures(panel)
    outcome = panel.outcome
    panel.clear()
    qtbot.waitUntil(lambda: not shown_figures(panel))
    assert panel.empty.isVisible()
    assert "when a simulation finishes" in panel.empty.text()
    panel.show_outcome(outcome)
    assert "sent" in shown_figures(panel) and not panel.empty.isVisible()


def overlapping(layout) -> list[str]:
    """Neighbours in a vertical layout drawn over each other (a squeezed layout does)."""
    items = [layout.itemAt(i) for i in range(layout.count())]
    shown = [(item.widget().objectName() or item.widget().text() if item.widget() else
              "a layout", item.geometry()) for item in items
             if not item.isEmpty() and (item.widget() is None or item.widget().isVisible())]
    return [f"{above} over {below}" for (above, upper), (below, lower)
            in pairwise(shown) if upper.bottom() >= lower.top()]


def rows_seen(view) -> float:
    return view.viewport().height() / view.verticalHeader().defaultSectionSize()


@pytest.mark.parametrize("height", [560, 900])
def test_in_a_normal_window_nothing_overlaps_and_the_table_shows_six_rows(
        qtbot, panel, height):
    panel.resize(460, height)  # the dock's share of a 1400×900 window is about 560
    panel.select_person(rows(panel)[0][0])
    qtbot.wait(20)
    results = panel.findChild(QWidget, "simResults")
    qtbot.waitUntil(lambda: overlapping(results.layout()) == [], timeout=2000)
    assert rows_seen(panel.table) >= 6
    content = panel.findChild(QWidget, "simContent")  # nothing cut off at the right
    assert content.width() >= content.minimumSizeHint().width()
    step_rows = panel.steps.viewport().height() / panel.steps.visualItemRect(
        panel.steps.topLevelItem(0)).height()
    assert step_rows >= 3


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshot_of_the_results(qtbot, panel, themed, mode):
    themed(mode)
    person = next(p for p, o in rows(panel) if o == "completed")
    panel.select_person(person)
    panel.set_moment(START + timedelta(hours=20))
    qtbot.wait(50)
    platform = QGuiApplication.platformName()
    folder = SHOTS if platform == "offscreen" else SHOTS / platform
    folder.mkdir(parents=True, exist_ok=True)
    pixmap = QPixmap(panel.size())
    panel.render(pixmap, QPoint())
    assert pixmap.save(str(folder / f"simulation-panel-{mode}.png"))
    corner = pixmap.toImage().pixelColor(3, 3)
    assert (corner.lightness() < 60) == (mode == "dark")


def _local(iso: str) -> str:
    return (datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(hours=1)
            ).strftime("%H:%M")


def test_a_click_on_the_slider_goes_to_that_moment(qtbot, panel):
    """Not a page step towards it (Qt's default): seen in a real window, where a click near
    the start of the period moved the moment from the end by a day."""
    outcome, slider = panel.outcome, panel.slider.slider
    span = outcome.end - outcome.start
    with qtbot.waitSignal(panel.moment_changed) as moved:
        qtbot.mouseClick(slider, Qt.MouseButton.LeftButton,
                         pos=QPoint(slider.width() // 4, slider.height() // 2))
    quarter = outcome.start + span / 4
    assert abs(moved.args[0] - quarter) < span / 10


def test_a_blocked_reason_too_long_for_the_dock_is_shown_whole(qtbot, panel):
    """Seen in a real 1366×768 window: "no phone number: the contact has none and the …",
    whole only in its tooltip. A reason wraps at the column's width, its row as tall as
    its lines, the list as tall as its rows; a wider dock gives shorter rows."""
    tree = panel.reasons

    def fits() -> list[tuple[int, int]]:
        """(the row's height, the height its words need wrapped) for each reason."""
        width = tree.header().sectionSize(1) - 8  # the style's margins, at most
        needs = []
        for row in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(row)
            words = tree.fontMetrics().boundingRect(
                QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, item.text(1))
            needs.append((tree.visualItemRect(item).height(), words.height()))
        return needs

    line = tree.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: all(row >= need for row, need in fits()), timeout=3000)
    assert any(need > 2 * line for _row, need in fits())  # a reason longer than its 2 lines
    assert tree.verticalScrollBar().maximum() == 0  # all of them shown, none cut
    narrow = max(row for row, _need in fits())
    panel.resize(1400, 1000)
    qtbot.waitUntil(lambda: max(row for row, _need in fits()) < narrow, timeout=3000)
    assert all(row >= need for row, need in fits())
    assert tree.verticalScrollBar().maximum() == 0


def test_a_steps_time_stays_on_one_line_and_a_long_tile_name_wraps(qtbot, panel):
    """The steps' rows wrap their words too; fitting the Time column to its contents
    must still give it the time unwrapped ("Mon 23 Nov 12:41", not two lines), while a
    tile's name longer than the Tile column wraps rather than being cut."""
    click_row(qtbot, panel, 1)
    steps = panel.steps
    qtbot.waitUntil(lambda: steps.topLevelItemCount() > 2, timeout=3000)
    metrics = steps.fontMetrics()
    widest = max(metrics.horizontalAdvance(steps.topLevelItem(row).text(0))
                 for row in range(steps.topLevelItemCount()))
    assert steps.columnWidth(0) >= widest
    # the Tile column dragged narrower than "Initial email reminder": its row grows
    line = metrics.lineSpacing()
    email = next(steps.topLevelItem(row) for row in range(steps.topLevelItemCount())
                 if steps.topLevelItem(row).text(1) == "Initial email reminder")
    steps.setColumnWidth(1, metrics.horizontalAdvance("Initial email") + 12)
    qtbot.waitUntil(lambda: steps.visualItemRect(email).height() >= 2 * line, timeout=3000)


def test_each_outcome_is_of_one_kind_and_someone_held_is_still_in() -> None:
    """The kinds the chips count and the canvas's token follow (a held person's token
    read as ended, as if they had left the journey)."""
    assert {outcome: outcome_kind(outcome) for outcome in (
        "completed", "exited: goal met", "failed: set aside: boom",
        "entry blocked: unmet trigger condition", "entry blocked: ", "never entered",
        "at Send the email", "waiting at Wait a day", "held at Wait a day")} == {
        "completed": "completed", "exited: goal met": "exited",
        "failed: set aside: boom": "failed",
        "entry blocked: unmet trigger condition": "kept out", "entry blocked: ": "kept out",
        "never entered": "never entered", "at Send the email": "still in",
        "waiting at Wait a day": "still in", "held at Wait a day": "still in"}
    assert short_outcome("entry blocked: ") == "entry blocked"  # no reason, no colon
    assert short_outcome("exited: goal met") == "exited: goal met"
