"""What a generated audience does, set in the Simulate dialog (issue 15): the share of
people reachable on each channel and each behaviour of the spec (open the reminder 40 %
within 6 hours…) are fields a marketer changes there, instead of saving the spec, editing
its JSON and loading it again. The run, Save spec… and the dialog opened again all take
the rates as set; a click share above the share of the open it follows is refused naming
the row."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtWidgets import QLabel, QPushButton

from app.simulation.behaviours import BehaviourRates
from engine.resources import resource
from tests.app.test_engine_screenshots import shoot
from tests.app.test_simulate_in_studio import open_dialog, panel_figures

SAMPLE = resource("samples", "abandoned_cart.audience.json")
SPEC = json.loads(SAMPLE.read_text())


def rows(rates: BehaviourRates) -> list[tuple[str, int, timedelta]]:
    """What each behaviour row says: its words, its share, how soon."""
    grid = rates.grid
    return [(grid.itemAtPosition(grid.getItemPosition(grid.indexOf(share))[0], 0).widget()
             .text(), share.value(), within.value())
            for share, within in zip(rates.shares, rates.withins, strict=True)]


def test_the_dialog_shows_the_specs_rates_in_words_and_runs_with_them_as_changed(
        qtbot, window, prompts, tmp_path, themed) -> None:
    dialog = open_dialog(qtbot, window)
    rates = dialog.rates
    assert rows(rates) == [
        ("Open “Initial email reminder”", 40, timedelta(hours=6)),
        ("Click a link in it, after they open", 10, timedelta(hours=1)),
        ("Do “Purchase completed”", 5, timedelta(days=2))]
    assert {field: box.value() for field, box in rates.reach.items()} == {
        "email": 100, "phone": 30, "push_token": 50}
    for mode in ("light", "dark"):
        themed(mode)
        shoot(dialog, f"simulate-dialog-rates-{mode}")
    themed("light")

    # the workspace's contacts are real people with their own addresses: what they do
    # applies to them, the shares with an address do not; a replay brings its own events
    dialog.contacts.setChecked(True)
    assert rates.isEnabled() and not any(box.isEnabled() for box in rates.reach.values())
    dialog.replay.setChecked(True)
    assert not rates.isEnabled()
    dialog.generated.setChecked(True)
    assert rates.isEnabled() and all(box.isEnabled() for box in rates.reach.values())

    # a click share above the opens it follows: refused, the row named in its words
    rates.shares[0].setValue(5)
    dialog.run_button.click()
    assert dialog.isVisible() and dialog.error.text() == (
        "Click a link in it, after they open: 10 % is more than the 5 % who open "
        "“Initial email reminder”, which it comes after: only they can")
    assert window.simulation.run is None

    rates.shares[0].setValue(80)
    rates.withins[0].set_value(timedelta(hours=2))
    rates.withins[0].changed.emit(timedelta(hours=2))
    rates.reach["phone"].setValue(0)
    assert dialog.spec_label.text() == "abandoned_cart.audience.json, changed here"
    # Save spec… writes the rates as set
    prompts.files_to_save.append(tmp_path / "mine.audience.json")
    dialog.findChild(QPushButton, "saveSpec").click()
    saved = json.loads((tmp_path / "mine.audience.json").read_text())
    assert saved["behaviours"][0]["share"] == 0.8 and saved["behaviours"][0]["within"] == "PT2H"
    assert saved["contacts"]["phone"] == 0.0 and saved["contacts"]["push_token"] == 0.5

    dialog.people.setValue(300)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    badge = window.scene.overlay.badges["email-reminder"]
    sent, opened = badge.value("sent"), badge.value("opened")
    # 80 % of everyone opens within two hours of entering (the reminder goes as they
    # enter), twice the spec's 40 %; and nobody can be texted
    assert sent > 100 and 0.7 * sent < opened <= sent, (sent, opened)
    assert window.scene.overlay.badges["sms-reminder"].value("sent") in (0, None)

    # opened again, the dialog shows the rates as they were run
    window.actions_["simulate"].trigger()
    again = window.simulation.dialog
    qtbot.waitUntil(again.isVisible, timeout=5000)
    assert [share for _label, share, _within in rows(again.rates)] == [80, 10, 5]
    assert again.rates.reach["phone"].value() == 0
    assert again.spec_label.text() == "mine.audience.json"
    again.reject()


def test_without_a_spec_the_rates_say_so(qtbot, window) -> None:
    rates = BehaviourRates()
    qtbot.addWidget(rates)
    rates.show_spec(None, None)
    assert rates.empty.text() == "No spec loaded: nobody does anything yet"
    assert not any(box.isEnabled() for box in rates.reach.values())
    assert not rates.findChildren(QLabel, "section")


def test_rates_left_alone_leave_the_specs_own_values(qtbot, window, prompts,
                                                     tmp_path) -> None:
    """A spec whose shares and times the fields can only round (12.6 % shows as 13 %, a
    day and a second as 1 day) runs as written unless a field is changed; a changed
    field writes its own value and nothing else."""
    dialog = open_dialog(qtbot, window)
    spec = json.loads(SAMPLE.read_text())
    spec["behaviours"][0].update(share=0.126, within="P1DT1S")
    spec["contacts"]["phone"] = 0.333
    (tmp_path / "odd.json").write_text(json.dumps(spec))
    prompts.files_to_open.append(tmp_path / "odd.json")
    dialog.findChild(QPushButton, "loadSpec").click()
    rates = dialog.rates
    assert rates.shares[0].value() == 13 and rates.reach["phone"].value() == 33
    assert dialog.spec_label.text() == "odd.json"
    used = dialog.build_request().spec
    assert used["behaviours"][0]["share"] == 0.126
    assert used["behaviours"][0]["within"] == "P1DT1S"
    assert used["contacts"]["phone"] == 0.333
    rates.shares[0].setValue(20)
    used = dialog.build_request().spec
    assert used["behaviours"][0]["share"] == 0.2
    assert used["behaviours"][0]["within"] == "P1DT1S" and used["contacts"]["phone"] == 0.333
    dialog.reject()


def test_behaviours_are_added_from_what_the_journey_offers_and_removed(qtbot, window) -> None:
    """"30 % unsubscribe from the reminder" was written in the spec file; the journey's
    possible behaviours are offered, those in the spec greyed; removing the open takes the
    click after it too; the run takes the rows as they are."""
    dialog = open_dialog(qtbot, window)
    rates = dialog.rates
    menu = rates.add.menu()
    menu.aboutToShow.emit()
    assert {action.text(): action.isEnabled() for action in menu.actions()} == {
        "Open “Initial email reminder”": False, "Click a link in “Initial email reminder”":
        False, "Unsubscribe from “Initial email reminder”": True,
        "Click a link in “Second text reminder”": True,
        "Open “Final push notification”": True, "Do “Purchase completed”": False}
    next(a for a in menu.actions() if a.text().startswith("Unsubscribe")).trigger()
    assert rows(rates)[-1] == ("Unsubscribe from “Initial email reminder”", 10,
                               timedelta(days=1))
    assert dialog.spec_label.text() == "abandoned_cart.audience.json, changed here"
    rates.shares[3].setValue(30)
    removes = [rates.grid.itemAtPosition(row + 1, 4).widget() for row in range(4)]
    removes[0].click()  # the open: the click after it goes too
    assert [text for text, _share, _within in rows(rates)] == [
        "Do “Purchase completed”", "Unsubscribe from “Initial email reminder”"]
    assert dialog.build_request().spec["behaviours"] == [
        SPEC["behaviours"][2],  # left alone: as written
        {"share": 0.3, "within": "P1D", "does": {
            "kind": "interaction", "tile": "email-reminder", "interaction": "unsubscribed"}}]
    dialog.people.setValue(300)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    figures = panel_figures(window.simulation.panel)
    assert figures["opened"] == 0 and 0.15 < figures["unsubscribed"] / 300 < 0.3, figures


def test_add_what_they_do_leaves_its_menu_arrow_room_after_its_words(qtbot, window) -> None:
    """The arrow that says the button opens a menu sat over the last letter ("do▾")."""
    add = open_dialog(qtbot, window).rates.add
    words = add.fontMetrics().horizontalAdvance(add.text())
    assert add.menu() is not None and add.isVisible()
    # the icon, the words and the arrow's own room (18 px) side by side: the button was
    # 166 px for 129 px of words and a 16 px icon, the arrow drawn inside the words
    assert add.width() >= add.iconSize().width() + 4 + words + 18, (add.width(), words)
