"""The journey paused, resumed or stopped during a simulation, set in the Simulate dialog
(issue 15, lifecycle in scenarios: "people held while paused … can be simulated and seen,
not only read"). The rows become the spec's `journey` changes; a change the journey's
state does not allow then is refused naming the section; the results show who was held."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import QPushButton

from app.simulation.changes import MOST
from engine.resources import resource
from tests.app.test_simulate_in_studio import open_dialog


def rows(dialog) -> list[tuple[str, timedelta]]:
    return [(action.currentText(), when.value()) for action, when in dialog.changes.rows]


def test_a_pause_and_a_resume_hold_people_and_the_results_say_so(qtbot, window) -> None:
    dialog = open_dialog(qtbot, window)
    changes = dialog.changes
    assert rows(dialog) == [] and changes.isEnabled()
    changes.add.click()
    changes.add.click()  # after a pause, a resume a day later
    assert rows(dialog) == [("Pause", timedelta(hours=6)), ("Resume", timedelta(hours=30))]
    assert dialog.spec_label.text() == "abandoned_cart.audience.json, changed here"
    assert dialog.build_request().spec["journey"] == [
        {"at": "PT6H", "action": "pause"}, {"at": "P1DT6H", "action": "resume"}]

    # the first a resume: nothing is paused then
    action = changes.rows[0][0]
    action.setCurrentIndex(action.findData("resume"))
    action.activated.emit(action.currentIndex())
    dialog.run_button.click()
    assert dialog.isVisible() and dialog.error.text() == (
        "Journey changes: cannot resume a journey that is live (not paused) at PT6H")
    action.setCurrentIndex(action.findData("pause"))
    action.activated.emit(action.currentIndex())

    dialog.people.setValue(200)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    panel = window.simulation.panel
    reasons = [panel.reasons.topLevelItem(i).text(1)
               for i in range(panel.reasons.topLevelItemCount())]
    assert "Held at Abandoned cart\njourney paused" in reasons, reasons
    # and when, above the results
    assert window.simulation.strip.text.text().startswith(
        "Simulated 23 Nov 09:00 → 28 Nov 09:00 (UTC) · paused 23 Nov 15:00, resumed "
        "24 Nov 15:00")

    # opened again: the changes as they were run; one removed is gone from the spec
    window.actions_["simulate"].trigger()
    again = window.simulation.dialog
    qtbot.waitUntil(again.isVisible, timeout=5000)
    assert rows(again) == [("Pause", timedelta(hours=6)), ("Resume", timedelta(hours=30))]
    again.changes.remove(1)
    assert again.build_request().spec["journey"] == [{"at": "PT6H", "action": "pause"}]
    again.changes.remove(0)
    assert "journey" not in again.build_request().spec
    again.reject()


def test_a_pause_over_21_days_stops_the_version_and_the_results_say_when(
        qtbot, window) -> None:
    """The documented rule, seen: a journey paused for more than 21 days stops. What the
    strip says is what happened (the command's lifecycle), not only what was asked."""
    dialog = open_dialog(qtbot, window)
    dialog.changes.add.click()  # a pause after 6 hours, never resumed
    dialog.period.set_value(timedelta(days=30))
    dialog.people.setValue(100)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    assert window.simulation.strip.text.text() == (
        "Simulated 23 Nov 09:00 → 23 Dec 09:00 (UTC) · paused 23 Nov 15:00, stopped "
        "14 Dec 15:00 (journey paused for more than 21 days)")
    outcomes = {p.outcome for p in window.simulation.outcome.people()}
    assert "exited: journey paused for more than 21 days" in outcomes, outcomes
    assert not [o for o in outcomes if o.startswith("waiting")]  # nobody left held


def test_a_replay_brings_no_journey_changes_and_rows_stop_at_the_most(qtbot, window) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.replay.setChecked(True)
    assert not dialog.changes.isEnabled()
    dialog.generated.setChecked(True)
    for _ in range(MOST):
        dialog.changes.add.click()
    assert len(dialog.changes.rows) == MOST and not dialog.changes.add.isEnabled()
    dialog.reject()


def test_a_spec_files_change_given_as_a_date_shows_and_stays(qtbot, window, prompts,
                                                             tmp_path) -> None:
    """A spec file may give a change's time as a date-time: it shows as its time after the
    start, and adding a row keeps it (rows written back would have dropped it)."""
    dialog = open_dialog(qtbot, window)
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    spec["journey"] = [{"at": "2026-11-23T15:00:00Z", "action": "pause"}]
    (tmp_path / "dated.json").write_text(json.dumps(spec))
    prompts.files_to_open.append(tmp_path / "dated.json")
    dialog.findChild(QPushButton, "loadSpec").click()
    assert rows(dialog) == [("Pause", timedelta(hours=6))]
    assert dialog.build_request().spec["journey"] == spec["journey"]  # as written
    dialog.changes.add.click()
    assert dialog.build_request().spec["journey"] == [
        {"at": "PT6H", "action": "pause"}, {"at": "P1DT6H", "action": "resume"}]
    dialog.reject()


def test_twenty_changes_from_a_spec_file_scroll_and_the_dialog_stays_on_the_screen(
        qtbot, window, prompts, tmp_path) -> None:
    """A spec file may hold twenty journey changes: as rows of a column that did not
    scroll they made the dialog taller than a laptop's screen, its Run button below it."""
    dialog = open_dialog(qtbot, window)
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    spec["journey"] = [{"at": f"PT{5 * (i + 1)}H", "action": ("pause", "resume")[i % 2]}
                       for i in range(20)]  # the last after 100 hours, within the period
    (tmp_path / "changes.json").write_text(json.dumps(spec))
    prompts.files_to_open.append(tmp_path / "changes.json")
    dialog.findChild(QPushButton, "loadSpec").click()
    assert len(dialog.changes.rows) == 20 and not dialog.changes.add.isEnabled()
    area = dialog.screen().availableGeometry()
    qtbot.waitUntil(lambda: dialog.height() <= area.height(), timeout=3000)
    bar = dialog.form_column.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=3000)
    assert dialog.run_button.isVisible()
    assert len(dialog.build_request().spec["journey"]) == 20
    # added one after the other, the button stays in view under the newest row
    dialog.changes.remove(19)
    dialog.changes.remove(18)
    bar.setValue(0)
    column = dialog.form_column
    for _ in range(2):
        dialog.changes.add.click()
        button = dialog.changes.add
        qtbot.waitUntil(lambda b=button: column.viewport().rect().contains(
            b.mapTo(column.viewport(), b.rect().bottomLeft())), timeout=3000)
    dialog.reject()


def test_a_start_at_the_calendars_ends_cannot_be_picked_or_loaded(qtbot, window, prompts,
                                                                  tmp_path) -> None:
    """Hostile input: the start's picker went from 1752 to 9999, where a simulation set
    every event aside (or, in year 1, failed with a traceback); a spec file starting in
    the year 1 at +14:00 raised an OverflowError as it was loaded. The picker stops at
    1970 and 8999; the file is refused naming its start."""
    dialog = open_dialog(qtbot, window)
    for year, kept in ((9999, 8999), (1752, 1970)):
        dialog.start.edit.setDateTime(QDateTime(QDate(year, 12, 31), QTime(0, 0),
                                                QTimeZone.utc()))
        assert dialog.start.value().year == kept
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    (tmp_path / "year1.json").write_text(json.dumps({**spec,
                                                     "start": "0001-01-01T00:00:00+14:00"}))
    prompts.files_to_open.append(tmp_path / "year1.json")
    dialog.findChild(QPushButton, "loadSpec").click()
    assert dialog.error.isVisible()
    assert "before 1970-01-01 (UTC), the earliest a simulation may start" in dialog.error.text()
    assert dialog.spec_label.text() != "year1.json"
    dialog.reject()
