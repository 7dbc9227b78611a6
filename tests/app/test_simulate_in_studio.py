"""Simulating from the studio (issue 15): Journey → Simulate… on the abandoned-cart sample
with a generated audience runs `waymark simulate` in a separate process while the window
keeps answering; the canvas then shows the same counts and edge flows as the command
prints for the same bundle and seed; Cancel leaves no process and no folder behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, QSettings, Qt, QTime, QTimeZone
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QPushButton, QWidget

from app.canvas.edge_item import FLOW_MAX, flow_width
from app.simulation.compare_view import KEY_ROLE, CompareView
from app.simulation.request import RequestError, describe_columns, replay_request
from app.simulation.row_notes import grouped
from app.simulation.run_strip import RunStrip
from app.simulation.runner import KEPT, parse_progress, sweep_left_behind
from engine.model import Contact, dump_bundle
from engine.resources import resource
from engine.simulation.compare import CompareRow, Comparison, cell
from engine.simulation.shards import processes_for
from tests.app.conftest import dispose, open_sample
from tests.app.gui_stalls import GuiStalls
from tests.app.test_engine_screenshots import SHOTS, shoot
from tests.app.test_simulation_panel import overlapping, rows_seen

PEOPLE, SEED = 300, 11


def open_dialog(qtbot, window):
    open_sample(window, "abandoned_cart.json")
    action = window.actions_["simulate"]
    assert action.isEnabled()
    action.trigger()
    dialog = window.simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def replay_from_dialog(qtbot, window, events: Path, columns: str):
    """Simulate the abandoned-cart sample on a replay of `events`; the simulation shown."""
    dialog = open_dialog(qtbot, window)
    dialog.replay.click()
    dialog.replay_path.setText(str(events))
    dialog.columns.setText(columns)
    dialog.run_button.click()
    simulation = window.simulation
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    return simulation


def run_from_dialog(qtbot, dialog, people: int = PEOPLE, seed: int = SEED) -> None:
    assert dialog.spec_label.text() == "abandoned_cart.audience.json"  # prefilled
    dialog.people.setValue(people)
    dialog.seed.setValue(seed)
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()


def command_summary(tmp_path, window) -> dict:
    """`waymark simulate --summary --json` on the journey the canvas shows, same audience."""
    return command_json(tmp_path, bundle_file(tmp_path, window, None), "--summary")["summary"]


def bundle_file(tmp_path, window, version: int | None):
    """The bundle of a version of the journey on the canvas (None: the draft)."""
    bundle = window.session.store.simulation_bundle(window.editor.journey, version)
    path = tmp_path / f"bundle-{version or 'draft'}.json"
    path.write_text(dump_bundle(bundle), encoding="utf-8")
    return path


def command_json(tmp_path, bundle, *options: str) -> dict:
    """`waymark simulate BUNDLE --generate (the sample's spec, PEOPLE, SEED) … --json`."""
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    (tmp_path / "spec.json").write_text(json.dumps({**spec, "people": PEOPLE, "seed": SEED}))
    done = subprocess.run([sys.executable, "-m", "engine", "simulate", str(bundle),
                           "--generate", str(tmp_path / "spec.json"), *options, "--json"],
                          capture_output=True, text=True, timeout=180, check=True)
    return json.loads(done.stdout)


def test_a_simulation_from_the_dialog_shows_the_commands_counts_and_flows(
        qtbot, window, tmp_path, themed) -> None:
    dialog = open_dialog(qtbot, window)
    with GuiStalls() as stalls:
        run_from_dialog(qtbot, dialog)
        simulation = window.simulation
        folder, strip = simulation.run.folder, simulation.strip
        shown: list[tuple[str, int]] = []  # what the bar said and its value at each line
        simulation.run.progressed.connect(lambda _: shown.append(
            (strip.stage.text() if strip.stage.isVisible() else strip.bar.format(),
             strip.bar.value())))
        qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    print(f"while the simulation ran: {stalls}")
    assert stalls.longest < 0.5, stalls  # the window kept answering while it ran
    # the workspace is kept for the results, without message files nobody opens (20,000
    # people wrote 24,000 of them, and closing the window waited 1.7 s for their removal)
    kept = [p.name for p in (folder / KEPT).iterdir()]
    assert "simulation.waymark" in kept and "simulation-outbox" not in kept, kept
    # the notes without the command's "note: ", the button says what they are
    assert strip.notes[0].endswith("interactions ignored: the person never got that "
                                   "message (not entered, blocked or held before it)")
    assert not any(note.startswith("note:") for note in strip.notes), strip.notes
    # what the bar said: the audience being made, the share of the work with the steps,
    # the results being counted (a busy bar, the words under it), then all of it
    assert shown[0] == ("preparing the audience…", -1)
    assert ("counting the results…", -1) in shown
    rising = [value for text, value in shown if text.endswith(" steps")]
    assert rising == sorted(rising) and rising[-1] == 1000
    assert shown[-1][0].startswith("100% · ")
    expected = command_summary(tmp_path, window)
    overlay = window.scene.overlay
    for tile in expected["tiles"]:
        badge = overlay.badges[tile["tile"]]
        assert badge.value("inflow") == tile["entered"], tile
        if badge.value("processed") is not None:  # an exit tile shows "reached" only
            assert badge.value("processed") == tile["moved_on"], tile
            assert badge.value("exited") == sum(tile["left"].values()), tile
            assert badge.value("processing") == tile["still_there"], tile
    start_badge = overlay.badges["start"]
    assert "· simulation" in start_badge.toolTip() and not start_badge.clickable
    # edged in the flows' colour, told apart from live counts at a glance
    assert all(badge.simulated and not badge.testing for badge in overlay.badges.values())
    flows = {(e["source"], e["port"], e["target"]): e["people"] for e in expected["edges"]}
    most = max(flows.values())
    for key, item in window.scene.edge_items.items():
        assert item.flow == flows.get(key, 0), key
        assert item.flow_width == pytest.approx(flow_width(flows.get(key, 0), most))
    busiest = max(flows, key=flows.get)
    assert window.scene.edge_items[busiest].flow_width == FLOW_MAX
    assert window.scene.edge_items[busiest].toolTip() == f"{flows[busiest]} people"
    shots(qtbot, window, themed, "simulation-results")

    # the slider: the people at each tile at that moment
    outcome = simulation.outcome
    moment = outcome.start + timedelta(hours=6)
    simulation.panel.slider.set_moment(moment)
    at_moment = outcome.counts_at(moment)
    assert at_moment and sum(at_moment.values()) > 0
    for tile_id, badge in overlay.badges.items():
        assert badge.value("processing") == at_moment.get(tile_id, 0), tile_id
    # each edge as wide as the people who had taken it by then, on the end's scale
    by_then = outcome.flows_at(moment)
    assert by_then != flows and all(by_then[key] <= flows[key] for key in flows)
    for key, item in window.scene.edge_items.items():
        assert item.flow == by_then.get(key, 0), key
        assert item.flow_width == pytest.approx(flow_width(by_then.get(key, 0), most))
    first = window.scene.edge_items[("start", "next", "email-reminder")]
    local = moment.astimezone(outcome.timezone)
    assert first.toolTip() == f"{by_then[first.key]} people by {local:%a %H:%M}"
    # under 200 people there at that moment: each is a dot on their tile
    assert {tile: len(c.people) for tile, c in overlay.crowds.items.items()} == {
        tile: n for tile, n in at_moment.items() if n}
    # a person's path
    person = next(p.person for p in outcome.people() if p.outcome == "completed")
    simulation.panel.select_person(person)
    passed, edges, at = outcome.trail_of(person)
    assert overlay.trail.person == person and overlay.trail.at == at
    assert {k for k, e in window.scene.edge_items.items() if e.taken} == set(edges)
    assert {t for t, item in window.scene.tile_items.items() if item.trail_mark} == \
        {*passed, at}
    shots(qtbot, window, themed, "simulation-moment")
    # someone kept out: the token on the trigger tile says why, no tile passed
    refused = next(p for p in outcome.people() if p.outcome.startswith("entry blocked"))
    simulation.panel.select_person(refused.person)
    token = overlay.token
    assert overlay.trail.at == "start" and overlay.trail.label == refused.outcome
    # and no tile is marked as passed: they never were in the journey
    assert token.isVisible() and overlay.trail.ended and not any(
        item.trail_mark for item in window.scene.tile_items.values())

    simulation.panel.slider.set_moment(outcome.end)  # the end: the whole results again
    assert overlay.badges["start"].value("inflow") == PEOPLE and not overlay.crowds.items
    assert {key: item.flow for key, item in window.scene.edge_items.items()} == {
        key: flows.get(key, 0) for key in window.scene.edge_items}
    simulation.panel.leave.click()  # Leave results
    assert not overlay.badges and overlay.trail is None
    assert all(item.flow is None for item in window.scene.edge_items.values())
    assert not folder.exists()


def test_cancel_mid_run_leaves_no_process_and_no_folder(qtbot, window) -> None:
    """50,000 people run in parts (one process per core): Cancel ends them all."""
    run_from_dialog(qtbot, open_dialog(qtbot, window), people=50000)
    simulation = window.simulation
    run = simulation.run
    qtbot.waitUntil(lambda: simulation.strip.bar.value() > 0, timeout=120000)
    pid, folder = run.process.processId(), run.folder
    assert pid and folder.exists()
    parts = children_of(pid)
    wanted = processes_for(50000)  # on this machine's cores
    assert len(parts) == (wanted if wanted > 1 else 0)
    # what runs reads on one or two lines, the bar as wide as the dock under it
    strip = simulation.strip
    lines = strip.text.height() / strip.text.fontMetrics().lineSpacing()
    assert strip.text.text().startswith("Simulating") and lines < 2.5, lines
    assert strip.bar.width() > strip.width() * 0.8
    simulation.strip.cancel.click()
    assert not run.running and not folder.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    qtbot.waitUntil(lambda: not [p for p in parts if running(p)], timeout=5000)
    assert simulation.outcome is None and "cancelled" in simulation.strip.text.text()
    # Simulate… again starts from what was chosen, not from the spec's 1,000 people
    window.actions_["simulate"].trigger()
    again = simulation.dialog
    qtbot.waitUntil(again.isVisible, timeout=5000)
    assert (again.people.value(), again.seed.value()) == (50000, SEED)
    assert again.spec_label.text() == "abandoned_cart.audience.json"
    again.reject()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_bad_fields_are_refused_in_the_dialog_naming_the_field(qtbot, window, prompts,
                                                               themed, tmp_path) -> None:
    dialog = open_dialog(qtbot, window)
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    spec["behaviours"][1]["does"]["tile"] = "email-remindr"
    (tmp_path / "typo.json").write_text(json.dumps(spec))
    prompts.files_to_open.append(tmp_path / "typo.json")
    dialog.findChild(QPushButton, "loadSpec").click()  # Load spec…
    dialog.run_button.click()
    assert dialog.isVisible() and dialog.error.text().startswith(
        "Spec file: typo.json, at $.behaviours[1].does.tile: no message tile 'email-remindr'")
    prompts.files_to_open.append(resource("samples", "abandoned_cart.audience.json"))
    dialog.findChild(QPushButton, "loadSpec").click()
    assert dialog.error.isHidden()
    for mode in ("light", "dark"):
        themed(mode)
        shoot(dialog, f"simulate-dialog-{mode}")
    dialog.period.amount.setText("0")  # what a marketer may type
    dialog.run_button.click()
    assert dialog.isVisible() and dialog.error.text() == \
        "Simulated period: must be longer than zero (e.g. 5 days)"
    shoot(dialog, "simulate-dialog-refused-dark")
    themed("light")
    dialog.period.set_value(timedelta(hours=6))
    dialog.spread.set_value(timedelta(hours=12))
    dialog.run_button.click()
    assert dialog.error.text().startswith(
        "Spread of entries: 12 h is not shorter than the simulated period (6 h)")
    assert window.simulation.run is None
    dialog.reject()


def test_a_draft_with_problems_is_refused_in_the_dialog_naming_them(qtbot, window) -> None:
    """Seen in a real window: a draft with an unconnected text message started a
    simulation, which failed with "error: /tmp/waymark-studio-sim-…/audience.json: the
    journey cannot be published: sms-1: no-successor: …" and an empty results panel. The
    dialog refuses it, naming the problems by tile, and runs nothing."""
    from PySide6.QtCore import QPointF

    from tests.app.gestures import drop_from_palette

    open_sample(window, "abandoned_cart.json")
    assert drop_from_palette(window, "sms", QPointF(1400, 700))
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.run_button.click()
    said = dialog.error.text()
    assert dialog.isVisible() and said.startswith(
        "Journey version: The draft has 3 problems to fix before it can run, as Problems "
        "lists: Text message: "), said
    assert "sms-1" not in said and "no-successor" not in said
    assert window.simulation.run is None
    dialog.reject()


def test_the_dialogs_start_spread_and_period_are_picked_in_words_and_the_journeys_zone(
        qtbot, window) -> None:
    open_sample(window, "abandoned_cart.json")
    start = window.editor.journey.start.model_dump()
    assert window.editor.update_settings(start={**start, "timezone": "Europe/Amsterdam"})
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    # the sample spec's start 2026-11-23T09:00Z, period PT12H, end P5D, in words
    assert dialog.start.edit.text() == "23 Nov 2026 10:00"  # Amsterdam: UTC+1
    assert dialog.start.zone_name.text() == "Amsterdam"
    assert (dialog.spread.amount.text(), dialog.spread.unit.currentText()) == ("12", "hours")
    assert (dialog.period.amount.text(), dialog.period.unit.currentText()) == ("5", "days")
    dialog.start.edit.setDateTime(QDateTime(QDate(2026, 12, 1), QTime(8, 30),
                                            QTimeZone.utc()))  # 08:30 in Amsterdam
    dialog.spread.set_value(timedelta(hours=2))
    dialog.period.amount.setText("3")
    dialog.period.unit.set_value(86400)
    run_from_dialog(qtbot, dialog, people=20)
    spec = window.simulation.dialog.request.spec
    assert (spec["start"], spec["period"], spec["end"]) == (
        "2026-12-01T07:30:00+00:00", "PT2H", "P3D")
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    assert window.simulation.outcome.start == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


def test_the_dialogs_times_fall_on_the_minute_the_second_or_a_spec_files_own_step(
        qtbot, window, tmp_path) -> None:
    """The spec's `resolution` as a field: on the minute unless chosen (people who share
    a moment are stepped together), to the second when asked, and a spec file's own
    step (every 5 minutes) shown and kept; a replay has its own times."""
    dialog = open_dialog(qtbot, window)
    assert dialog.resolution.currentText() == "minute" and dialog.resolution.isEnabled()
    dialog.resolution.set_value("PT1S")
    run_from_dialog(qtbot, dialog, people=40)
    assert window.simulation.dialog.request.spec["resolution"] == "PT1S"
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    outcome = window.simulation.outcome
    entered = [step.at for person in outcome.people()
               for step in outcome.steps_of(person.person)[:1]]
    assert len(entered) == 40 and any(at.second for at in entered)  # drawn to the second
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    assert dialog.resolution.currentText() == "second"  # as chosen last time
    spec = {**json.loads(resource("samples", "abandoned_cart.audience.json").read_text()),
            "resolution": "PT5M"}
    (tmp_path / "every5.json").write_text(json.dumps(spec))
    assert dialog.load_spec(tmp_path / "every5.json")
    assert dialog.resolution.currentText() == "every 5 min"
    assert dialog.build_request().spec["resolution"] == "PT5M"
    dialog.replay.click()
    assert not dialog.resolution.isEnabled()
    dialog.reject()


def test_a_journey_without_a_sample_spec_opens_the_dialog_on_usual_fields(qtbot, window,
                                                                         prompts) -> None:
    """Seen in a real window: a journey made in the studio (no sample spec) opened the
    dialog on 1 person from 1 Jan 2000, one minute simulated."""
    prompts.texts = ["Welcome series"]
    window.session.new_journey()
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    assert dialog.spec_label.text() == "No spec loaded"
    assert (dialog.people.value(), dialog.seed.value()) == (1000, 1)
    soon = datetime.now(UTC)
    assert soon < dialog.start.value() <= soon + timedelta(hours=1)
    assert (dialog.spread.value(), dialog.period.value()) == (timedelta(hours=12),
                                                              timedelta(days=5))
    dialog.reject()


def test_a_journey_without_a_spec_runs_on_one_made_from_it_and_can_save_it(
        qtbot, window, prompts, tmp_path) -> None:
    """Seen in a real window: a journey made in the studio could not be simulated with a
    generated audience until a spec file was written by hand ("Spec file: load an audience
    spec"). Now the dialog starts from a spec made from the journey: its entry's
    conditions met (the brew guide lets in one form's submissions), its messages opened
    and clicked; Save spec… writes it out, to edit and load again."""
    open_sample(window, "brew_guide.json")  # no brew_guide.audience.json beside it
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    assert dialog.spec_label.text() == "Made from the journey"
    saved = tmp_path / "brew.audience.json"
    prompts.files_to_save = [saved]
    dialog.people.setValue(40)
    dialog.save_spec.click()
    assert dialog.spec_label.text() == "brew.audience.json" and not dialog.error.isVisible()
    spec = json.loads(saved.read_text(encoding="utf-8"))
    assert spec["people"] == 40 and spec["entry"]["attributes"]["form_name"] == {
        "constant": "French press brew guide"}
    assert {b["does"].get("interaction") for b in spec["behaviours"]} >= {"opened", "clicked"}
    dialog.run_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    badges = window.scene.overlay.badges
    assert badges["start"].value("inflow") == 40
    assert badges["guide-email"].value("inflow") == 40  # everyone met the entry's condition


def shots(qtbot, window, themed, name: str) -> None:
    for mode in ("light", "dark"):
        themed(mode)
        window.apply_theme()
        window.view.fit_to_view()
        qtbot.wait(50)
        shoot(window, f"{name}-{mode}", ratio=1.0)
        assert window.view.grab().save(str(SHOTS / f"{name}-canvas-{mode}.png"))
    themed("light")
    window.apply_theme()


def test_a_failing_simulation_says_why_and_the_live_workspace_stays_as_it_was(
        qtbot, window, prompts) -> None:
    dialog = open_dialog(qtbot, window)
    dialog.people.setValue(PEOPLE)
    request = dialog.build_request()  # what the dialog accepts for the draft as it is
    dialog.reject()
    first_edge = next(key for key in window.scene.edge_items if key[0] == "start")
    window.scene.clearSelection()
    window.scene.edge_items[first_edge].setSelected(True)
    window.editing.delete()  # the draft on the canvas can no longer be published
    # The dialog now refuses such a draft (the test above); run it anyway, to see a
    # simulation that fails in its process said and the live workspace left alone.
    window.simulation.start(request)
    folder = window.simulation.run.folder
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=120000)
    title, why = prompts.errors[-1]
    assert title == "The simulation failed" and "cannot be published" in why
    assert not why.startswith("error")  # the command's word, the dialog's title says it
    assert "failed" in window.simulation.strip.text.text()
    assert not folder.exists() and window.simulation.outcome is None
    store = window.session.store
    assert store.versions("abandoned-cart") == [] and store.search_contacts("") == []


def test_closing_the_window_removes_the_simulations_folder(qtbot, window) -> None:
    run_from_dialog(qtbot, open_dialog(qtbot, window), people=20)
    simulation = window.simulation
    folder = simulation.run.folder
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert folder.exists()
    window.close()
    assert not folder.exists()


HOLD_A_RUN_FOLDER = """
import sys, time
from PySide6.QtCore import QCoreApplication
from app.simulation.runner import SimulationRun
app = QCoreApplication(sys.argv)
run = SimulationRun()
(run.folder / "simulation").mkdir()
(run.folder / "simulation" / "simulation.waymark").write_bytes(bytes(1 << 20))
print(run.folder, flush=True)
time.sleep(600)
"""


def test_a_new_studio_removes_what_a_killed_studio_left_and_no_other_studios(
        qtbot, tmp_path, prompts, themes, monkeypatch) -> None:
    """A studio killed with results shown (or a run going) cannot remove its folder: a
    kept simulation of 100,000 people is about 500 MB, and such folders piled up in the
    temporary folder. The next studio to start removes them; a running studio's stay."""
    from app.main_window import MainWindow

    temp = tmp_path / "temp"
    temp.mkdir()
    studios = [subprocess.Popen([sys.executable, "-c", HOLD_A_RUN_FOLDER],
                                stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "TMPDIR": str(temp),
                                     "QT_QPA_PLATFORM": "offscreen"}) for _ in range(2)]
    studio = None
    try:
        killed, running_ = (Path(s.stdout.readline().strip()) for s in studios)
        assert killed.parent == temp and running_.parent == temp
        studios[0].kill()
        studios[0].wait()
        old, new = temp / "waymark-studio-sim-older", temp / "waymark-studio-sim-making"
        for folder in (old, new):  # no lock: an older Waymark's, or one being made
            (folder / "simulation").mkdir(parents=True)
        cut_short = temp / "waymark-studio-sim-cut"  # its studio stopped writing its lock
        cut_short.mkdir()
        (cut_short / "studio.lock").write_bytes(b"")
        two_hours_ago = datetime.now().timestamp() - 7200
        for folder in (old, cut_short):
            os.utime(folder, (two_hours_ago, two_hours_ago))
        monkeypatch.setattr("tempfile.tempdir", str(temp))
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("engine/start_on_open", False)
        studio = MainWindow(prompts=prompts, settings=settings)  # a studio starts
        assert not killed.exists() and not old.exists() and not cut_short.exists()
        assert running_.exists() and new.exists()  # another studio's, and one just made
        studios[1].kill()
        studios[1].wait()
        assert sweep_left_behind() == [running_]  # once that studio is gone too
    finally:
        if studio is not None:
            dispose(studio)
        for studio_process in studios:
            studio_process.kill()
            studio_process.wait()


def test_the_workspaces_contacts_go_through_the_journey_and_stay_as_they_were(
        qtbot, window) -> None:
    store = window.session.store
    people = ["ann", "bo", "cy"]
    for person in people:
        store.save_contact(Contact(id=person, email=f"{person}@example.com"))
    dialog = open_dialog(qtbot, window)
    dialog.contacts.click()
    assert not dialog.people.isEnabled()  # the contacts are the people
    dialog.run_button.click()
    simulation = window.simulation
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert [p.person for p in simulation.outcome.people()] == sorted(people)
    assert window.scene.overlay.badges["start"].value("inflow") == 3
    assert sorted(c for c, _ in store.search_contacts("")) == sorted(people)
    assert store.versions("abandoned-cart") == []


def test_a_replayed_file_is_simulated_and_its_bad_rows_are_reported(qtbot, window,
                                                                    tmp_path) -> None:
    sample = resource("samples", "abandoned_cart.replay.csv").read_text(encoding="utf-8")
    events = tmp_path / "carts.csv"
    events.write_text(sample + "abandoned_cart,zed@example.com,yesterday,10,1,€,,,\n",
                      encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    dialog.replay.click()
    dialog.replay_path.setText(str(events))
    dialog.columns.setText("cart_value=notacolumn=x, email")
    dialog.run_button.click()
    assert dialog.isVisible() and dialog.error.text().startswith("Columns:")
    dialog.columns.setText("cart_value=cart_total, email=person")
    dialog.run_button.click()
    simulation = window.simulation
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert window.scene.overlay.badges["start"].value("inflow") == 10  # the sample's ten
    notes = simulation.strip.notes_button
    assert notes.isVisibleTo(simulation.strip) and notes.text() == "2 notes…"
    assert "12 events replayed, 1 row refused" in notes.toolTip()
    assert "Row 14: column occurred_at: 'yesterday' is not an ISO 8601" in notes.toolTip()


def test_a_replay_whose_columns_name_no_person_is_refused_in_the_dialog(
        qtbot, window, tmp_path) -> None:
    """A shop's export names its columns its own way: the dialog shows what each column
    becomes as the file is chosen and the mapping written, and a file with no person
    column is refused there, naming the column to map (it ran and failed, with the
    command line's "--map COLUMN=person")."""
    events = tmp_path / "carts-november.csv"
    events.write_text("when,event,customer,email,total,currency\n" + "".join(
        f"2026-11-0{n}T10:00:00Z,abandoned_cart,c{n},c{n}@shop.example,{40 + n},EUR\n"
        for n in range(1, 7)) + "yesterday,abandoned_cart,c9,c9@shop.example,50,EUR\n",
        encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    dialog.replay.click()
    assert dialog.columns_hint.isHidden()
    lines = tmp_path / "carts.jsonl"
    lines.write_text('{"trigger": "abandoned_cart"}\n', encoding="utf-8")
    dialog.replay_path.setText(str(lines))  # no header: how such a file names them
    assert dialog.columns_hint.text().startswith("JSON lines: each line names its fields")
    dialog.replay_path.setText(str(tmp_path / "nothing-here.csv"))
    assert dialog.columns_hint.isHidden()
    dialog.replay_path.setText(str(events))
    assert dialog.columns_hint.text() == ("In the file: when → time, event → trigger, "
                                          "customer, email → email, total, currency")
    assert dialog.columns_hint.isVisibleTo(dialog)
    dialog.run_button.click()
    assert dialog.isVisible() and window.simulation.run is None
    assert dialog.error.text() == (
        "Columns: no column is the person: add customer=person if that is it (the "
        "file's columns: when, event, customer, email, total, currency)")
    dialog.columns.setText("custmer=person")
    dialog.run_button.click()
    assert dialog.error.text().startswith("Columns: custmer=…: the file has no column")
    dialog.columns.setText("customer=person, total=cart_total")
    assert "customer → person, email → email, total → cart_total" in \
        dialog.columns_hint.text()
    dialog.run_button.click()
    assert not dialog.isVisible()
    simulation = window.simulation
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert window.scene.overlay.badges["start"].value("inflow") == 6
    assert "6 events replayed, 1 row refused" in simulation.strip.notes_button.toolTip()
    # the period ran 5 days past the last event (it said the last step's time)
    assert "Simulated 01 Nov 10:00 → 11 Nov 10:00 (UTC)" in simulation.strip.text.text()
    assert simulation.outcome.end == datetime(2026, 11, 11, 10, tzinfo=UTC)


def test_a_replay_file_named_from_home_is_found(tmp_path, monkeypatch) -> None:
    """"~/exports/carts.csv" typed in Replay file: it was "choose a file of events that
    exists"; the command is given the whole path."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "carts.csv").write_text(
        "when,event,customer\n2026-11-23T09:00:00Z,abandoned_cart,c1\n", encoding="utf-8")
    request = replay_request(None, " ~/exports/carts.csv ", "customer=person", "P5D")
    assert request.replay == tmp_path / "exports" / "carts.csv"
    assert describe_columns("~/exports/carts.csv", "customer=person") == \
        "In the file: when → time, event → trigger, customer → person"


def test_a_column_mapped_to_each_triggers_attribute_is_shown_and_checked(tmp_path) -> None:
    """`total=cart_total/order_total` (a shop's one total for carts and purchases): the
    line under Columns shows it, and a role among the names is refused in the dialog."""
    events = tmp_path / "shop.csv"
    events.write_text("when,event,customer,total\n2026-11-23T09:00:00Z,abandoned_cart,c1,80\n",
                      encoding="utf-8")
    assert describe_columns(str(events), "customer=person, total=cart_total/order_total") == \
        "In the file: when → time, event → trigger, customer → person, total → " \
        "cart_total/order_total"
    request = replay_request(None, str(events), "customer=person, total=cart_total/order_total",
                             "P5D")
    assert request.columns == ("customer=person", "total=cart_total/order_total")
    # its refused rows are read to group them, ten thousand at most (not all: a hostile
    # file's 200,000 took 0.7 s to group on the window's thread)
    arguments = request.arguments(tmp_path / "bundle.json", tmp_path / "spec.json")
    assert arguments[arguments.index("--problems") + 1] == "10000"
    with pytest.raises(RequestError) as refused:
        replay_request(None, str(events), "customer=person, total=cart_total/time", "P5D")
    assert str(refused.value) == (
        "Columns: total=cart_total/time: a column can be one of several attributes "
        "(total=cart_total/order_total: the one each row's trigger has), not the time")


def test_a_replay_of_no_usable_row_fails_with_a_message_that_fits_the_screen(
        qtbot, window, prompts, tmp_path) -> None:
    """Every row refused: the command prints each before its error. The message says the
    error and the first reasons (rows refused for one reason are one line); all of them
    are behind Show Details (in the text they made the box taller than the screen, its OK
    button off it)."""
    events = tmp_path / "all-bad.csv"
    events.write_text("when,event,customer,total\n" + "".join(
        f"soon{'' if n % 2 == 0 else n},abandoned_cart,c{n},80\n" for n in range(120)),
        encoding="utf-8")
    dialog = open_dialog(qtbot, window)
    dialog.replay.click()
    dialog.replay_path.setText(str(events))
    dialog.columns.setText("customer=person")
    dialog.run_button.click()
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=120000)
    title, why = prompts.errors[-1]
    assert title == "The simulation failed"
    lines = why.splitlines()
    assert lines[0] == f"{events}: no usable row (120 refused)"
    assert lines[2] == ("60 rows (2, 4, 6, 8, 10, 12, 14, 16 and 52 more): column when: "
                        "'soon' is not an ISO 8601 date-time such as 2026-11-23T09:30:00Z")
    assert lines[3].startswith("Row 3: column when: 'soon1' is not an ISO 8601")
    assert len(lines) == 6 and lines[-1] == "… and 58 more lines (Show Details)"
    details = prompts.error_details[-1].splitlines()
    assert len(details) == 61 and details[0] == lines[2]
    assert details[-1].startswith("Row 121: column when: 'soon119'")


def test_the_studio_groups_refused_rows_by_reason() -> None:
    source = "/exports/shop (1).csv"  # regular expression characters in the path
    said = [f"{source}:{row}: column total: expected a number, got 'lots'"
            for row in range(2, 14)] + [
        f"{source}:20: column when: 'soon' is not an ISO 8601 date-time",
        f"{source}: 40 events replayed, 13 rows refused",
        "note: 2 processes, not 64"]
    assert grouped(said, source) == [
        "shop (1).csv: 40 events replayed, 13 rows refused", "note: 2 processes, not 64",
        "12 rows (2, 3, 4, 5, 6, 7, 8, 9 and 4 more): column total: expected a number, "
        "got 'lots'",
        "Row 20: column when: 'soon' is not an ISO 8601 date-time"]
    lines = grouped([f"e.jsonl:{n}: field person: every event needs a person"
                     for n in (1, 4)], "e.jsonl")
    assert lines == ["2 lines (1, 4): field person: every event needs a person"]


def test_many_notes_are_read_in_a_window_of_their_own(qtbot, window, tmp_path) -> None:
    """A replay of 80 rows refused, each for its own reason: 81 notes (the rows, and how
    many were replayed). Their tooltip, one per line, was as tall as the screen; it shows
    the first eight and says where the rest are: a click opens them all, to scroll."""
    events = tmp_path / "carts.csv"
    events.write_text("when,event,customer,total\n" + "".join(
        f"2026-11-0{1 + n % 5}T10:00:00Z,abandoned_cart,c{n},{f'lots{n}' if n % 2 else 80}\n"
        for n in range(160)), encoding="utf-8")
    simulation = replay_from_dialog(qtbot, window, events, "customer=person, total=cart_total")
    strip = simulation.strip
    assert strip.notes_button.text() == "81 notes…"  # every row: the command printed 50
    tip = strip.notes_button.toolTip().splitlines()
    assert len(tip) == 9 and tip[-1] == "… and 73 more: click to read them all"
    assert tip[0] == "carts.csv: 80 events replayed, 80 rows refused"
    assert tip[1] == ("Row 3: column total: expected a number within "
                      "±9,007,199,254,740,992, got 'lots1'")
    strip.notes_button.click()
    notes = strip.notes_dialog
    assert notes.isVisible() and not notes.isModal()
    shown = notes.text.toPlainText().split("\n\n")
    assert len(shown) == 81 and shown[-1].startswith("Row 161: column total:")
    assert notes.height() <= notes.screen().availableGeometry().height()
    simulation.leave()  # the results go, and their notes with them
    assert strip.notes_button.isHidden() and not notes.isVisible()


def test_rows_refused_for_one_reason_are_one_note_whose_advice_is_in_view(
        qtbot, window, tmp_path) -> None:
    """A shop's export with one `total` mapped to cart_total: each of its 30 purchases
    was refused for the same reason, the notes window 30 lines of it with the advice
    (map total=cart_total/order_total) cut off at the right. They are one note now, its
    rows counted and the first named, and the notes window wraps its lines."""
    events = tmp_path / "shop.csv"
    rows = []
    for n in range(30):
        rows.append(f"2026-11-0{1 + n % 5}T10:00:00Z,abandoned_cart,c{n},{80 + n},")
        rows.append(f"2026-11-0{1 + n % 5}T12:00:00Z,purchase_completed,c{n},{80 + n},O-{n}")
    events.write_text("when,event,customer,total,order\n" + "\n".join(rows) + "\n",
                      encoding="utf-8")
    simulation = replay_from_dialog(qtbot, window, events,
                                    "customer=person, total=cart_total, order=order_id")
    strip = simulation.strip
    assert strip.notes_button.text() == "2 notes…"
    strip.notes_button.click()
    text = strip.notes_dialog.text
    assert text.toPlainText().split("\n\n") == [
        "shop.csv: 30 events replayed, 30 rows refused",
        "30 rows (3, 5, 7, 9, 11, 13, 15, 17 and 22 more): column total: trigger "
        "purchase_completed has no attribute 'cart_total' (if it is order_total on "
        "purchase_completed rows, map total=cart_total/order_total) (its attributes: "
        "order_id, order_total, currency)"]
    qtbot.wait(50)
    assert not text.horizontalScrollBar().isVisible()  # the advice is in view, wrapped
    assert not text.verticalScrollBar().isVisible()  # all of it, in a window as tall as
    assert strip.notes_dialog.height() < 300  # it needs (it was 420 px, nearly empty)
    simulation.leave()


def test_a_published_version_can_be_simulated(qtbot, window) -> None:
    open_sample(window, "abandoned_cart.json")
    assert window.session.publish()
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    # The canvas shows "Live · version 1", read-only: the dialog offers that first, not
    # "the draft on the canvas" (it did, the banner saying there was none)
    assert [dialog.version.itemText(i) for i in range(dialog.version.count())] == [
        "Version 1 with the content as it is now", "Version 1 (live)"]
    assert dialog.version.currentText() == "Version 1 (live)"
    run_from_dialog(qtbot, dialog, people=20)
    simulation = window.simulation
    assert "(version 1)" in simulation.strip.text.text()
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert window.scene.overlay.badges["start"].value("inflow") == 20
    assert window.session.store.versions("abandoned-cart")[0].version == 1  # only the one
    assert len(window.session.store.versions("abandoned-cart")) == 1


def test_the_live_version_compared_with_a_draft_that_waits_an_hour_shows_more_texts(
        qtbot, window, tmp_path, themed) -> None:
    open_sample(window, "abandoned_cart.json")
    assert window.session.publish()  # version 1: "Opened the email?" waits a day
    window.banner.button.click()  # Edit as new version
    assert window.editor.update_tile("opened-email", limit=timedelta(hours=1))  # the draft
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    item = dialog.compare.model().item
    draft, live = (dialog.compare.findText(text) for text in ("The draft on the canvas",
                                                              "Version 1 (live)"))
    assert not item(draft).isEnabled() and item(live).isEnabled()  # A is the draft
    dialog.compare.setCurrentIndex(live)
    dialog.version.setCurrentIndex(dialog.version.findText("Version 1 (live)"))
    # B cannot be the very version A is: it is greyed out, and left for Nothing
    assert dialog.compare.currentText() == "Nothing"
    assert not item(live).isEnabled() and item(draft).isEnabled()
    dialog.compare.setCurrentIndex(live)  # set by a program: still refused, naming the field
    dialog.run_button.click()
    assert dialog.isVisible() and dialog.error.text().startswith("Compare with:")
    dialog.compare.setCurrentIndex(draft)
    run_from_dialog(qtbot, dialog)
    simulation = window.simulation
    assert "(version 1 against the draft on the canvas)" in simulation.strip.text.text()
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=180000)
    expected = command_json(tmp_path, bundle_file(tmp_path, window, 1), "--compare",
                            str(bundle_file(tmp_path, window, None)))["compare"]
    rows = {(r["kind"], r["key"], r["measure"]): r for r in expected["rows"]}
    texts = rows[("tile", "sms-reminder", "entered")]
    assert texts["b"] > texts["a"]  # who opens after an hour but within a day gets a text
    view = simulation.panel.comparison
    assert not view.isHidden() and view.title.text() == "COMPARED WITH THE DRAFT ON THE CANVAS"
    headline = f"+{texts['change']} reached Second text reminder"
    assert headline in expected["headlines"] and headline in view.headlines.text()
    # B's figures against A's: with the draft (B) more people reach the text than with
    # version 1 (A, simulated): it says so, not a bare "+N" read as the draft's or not
    assert view.headlines.text().startswith(
        "With the draft on the canvas rather than version 1:<br>")
    read = QTextDocument()
    read.setHtml(view.headlines.text())
    # as the command says them, the goal by its trigger's title as the goal line above
    # says it; a share's number and "%" kept together when it wraps
    assert all(f"• {line}".replace(" %", "\u00a0%").replace(
        "goal purchase_completed ", "goal (Purchase completed) ") in read.toRawText()
        for line in expected["headlines"])
    assert "purchase_completed" not in read.toRawText()
    goal_row = next(view.table.topLevelItem(i) for i in range(view.table.topLevelItemCount())
                    if view.table.topLevelItem(i).data(0, KEY_ROLE)[0] == "goal")
    assert goal_row.text(0) == "Goal (Purchase completed) · share of who entered"
    shown = view.cells()
    assert shown[("tile", "sms-reminder", "entered")] == \
        f"{texts['a']} → {texts['b']} (+{texts['change']})"
    assert shown == {key: cell(CompareRow(**{k: v for k, v in row.items() if k != "change"}))
                     for key, row in rows.items() if row["a"] or row["b"]}
    # the canvas shows A: version 1's counts, as the command counted them
    a_summary = command_json(tmp_path, bundle_file(tmp_path, window, 1), "--summary")
    sms = next(t for t in a_summary["summary"]["tiles"] if t["tile"] == "sms-reminder")
    assert sms["entered"] == texts["a"]
    assert window.scene.overlay.badges["sms-reminder"].value("inflow") == texts["a"]
    # B on the canvas: the draft's counts, at the slider's moment, the person's path
    person = next(p.person for p in simulation.outcome.people() if p.outcome == "completed")
    panel = simulation.panel
    panel.select_person(person)
    view.b_on_canvas.click()
    qtbot.waitUntil(lambda: simulation.canvas.outcome is simulation.outcome_b is not None,
                    timeout=60000)
    badges = window.scene.overlay.badges
    assert badges["sms-reminder"].value("inflow") == texts["b"]
    assert window.scene.overlay.trail.person == person
    assert window.scene.overlay.trail.at == simulation.outcome_b.trail_of(person)[2]
    # … and the panel follows: B's goal, messages, reasons and people, saying it is B's
    b_summary = command_json(tmp_path, bundle_file(tmp_path, window, None),
                             "--summary")["summary"]
    assert "Showing B: the draft on the canvas" in plain(panel.title)
    assert view.sides.text().startswith("A = version 1 · B = the draft on the canvas (shown)")
    assert panel_figures(panel) == {metric: b_summary["messages"].get(metric, 0)
                                    for metric in panel_figures(panel)}
    assert f"{b_summary['goal']['met']} of {b_summary['goal']['entered']} people" in \
        panel.goal.text()
    assert panel.goal.text().startswith("Goal (Purchase completed): ")  # not its name
    assert panel.reasons.topLevelItem(0).text(0) == f"{b_summary['reasons'][0]['count']:,}"
    assert panel.person == person and panel.table.currentIndex().row() == \
        panel.model.row_of(person)  # still chosen, their steps now B's
    assert panel.steps.topLevelItemCount() == len(simulation.outcome_b.steps_of(person))
    assert panel.model.outcome_of(person) == next(
        p.outcome for p in simulation.outcome_b.people() if p.person == person)
    shots(qtbot, window, themed, "simulation-compare-b")
    view.b_on_canvas.click()  # back to A: its counts and figures again
    assert simulation.canvas.outcome is simulation.outcome
    assert badges["sms-reminder"].value("inflow") == texts["a"]
    assert "Showing A: version 1" in plain(panel.title)
    assert view.sides.text().startswith("A = version 1 (shown) · B = the draft on the canvas ·")
    assert panel_figures(panel) == {metric: a_summary["summary"]["messages"].get(metric, 0)
                                    for metric in panel_figures(panel)}
    # the panel fits the 1400×900 window: it scrolls rather than squeezing
    assert window.size().height() == 900 and panel.height() < 700
    results = panel.findChild(QWidget, "simResults").layout()
    qtbot.waitUntil(lambda: overlapping(results) == [], timeout=2000)  # once laid out
    assert rows_seen(panel.table) >= 6
    shots(qtbot, window, themed, "simulation-compare")


def plain(label) -> str:
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def panel_figures(panel) -> dict[str, int]:
    """The message figures the panel shows: metric -> count."""
    figures = (panel.figures.itemAt(i).widget() for i in range(panel.figures.count()))
    return {figure.property("metric"): int(figure.text().split("</b>")[0][3:].replace(",", ""))
            for figure in figures}


def test_a_goal_headline_keeps_its_shares_whole_when_the_panel_is_narrow(qtbot) -> None:
    """The compare headlines wrap in a narrow dock: never between a share and its "%"."""
    view = CompareView()
    qtbot.addWidget(view)
    goal = CompareRow("goal", "purchase_completed", "purchase_completed", "share", 41.0, 47.0)
    view.show_comparison(Comparison([goal], ("Version 1", "the draft")))
    read = QTextDocument()
    read.setHtml(view.headlines.text())
    assert read.toRawText() == ("With the draft rather than Version 1:\u2028"
                                "• goal purchase_completed 41.0\u00a0% → 47.0\u00a0%")
    for width in range(60, 400, 10):  # wherever the line breaks
        read.setTextWidth(width)
        read.size()  # lays the text out at that width
        block = read.begin()
        layout = block.layout()
        starts = [block.text()[layout.lineAt(i).textStart():].lstrip()
                  for i in range(layout.lineCount())]
        assert not [line for line in starts if line.startswith("%")], (width, starts)


def test_progress_lines_that_are_not_are_notes_and_shares_stay_within_the_bar(qtbot) -> None:
    """Whatever the command's stderr holds, the strip neither fails nor overflows."""
    strip = RunStrip()
    qtbot.addWidget(strip)
    strip.running("a test")
    for line in ('{"progress": []}', '{"progress": "x"}', '{"progress": {"steps": 1}}',
                 '{"progress": {"steps": 1, "at": "x", "done": NaN}}',
                 '{"progress": {"steps": 1, "at": "x", "done": 0.1, "work": "abc"}}',
                 '{"progress": {"steps": 1e999, "at": "x", "done": 0.5}}'):
        assert parse_progress(line) is None, line
    wild = parse_progress('{"progress": {"steps": 7, "at": "x", "done": 1e999, "work": -5}}')
    assert (wild.done, wild.work) == (1.0, 0.0)
    strip.progressed(wild)
    assert strip.bar.value() == 0 and strip.bar.format() == "0% · 7 steps"
    strip.progressed(parse_progress('{"progress": {"stage": "wiping"}}'))
    assert strip.stage.text() == "wiping…"


def test_simulating_from_another_page_shows_the_results_on_the_journey_page(qtbot,
                                                                           window) -> None:
    """Seen in a real window: Journey → Simulate… from the Content page opened the results
    over that page and said "its counts and flows are on the canvas", a canvas out of
    sight."""
    open_sample(window, "abandoned_cart.json")
    window.pages.show_page("content")
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    run_from_dialog(qtbot, dialog, people=20)
    assert window.pages.current == "journeys"
    assert window.simulation.dock.isVisible()
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    assert window.scene.overlay.badges["start"].value("inflow") == 20
    window.pages.show_page("content")  # a journey's dock: away on the other pages
    assert not window.simulation.dock.isVisible()
    window.pages.show_page("journeys")
    assert window.simulation.dock.isVisible()


def test_a_simulation_out_of_sight_is_in_the_status_bar_until_its_results_are_seen(
        qtbot, window) -> None:
    """Seen in a real window: started, then the Contacts page while it ran; nothing there
    said it ran, how far it got or that it had finished."""
    open_sample(window, "abandoned_cart.json")
    badge = window.simulation_badge
    window.actions_["simulate"].trigger()
    dialog = window.simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    run_from_dialog(qtbot, dialog, people=2000)
    assert window.simulation.dock.isVisible() and not badge.isVisible()  # the dock says it
    window.properties_dock.raise_()  # the dock behind Properties' tab: out of sight
    qtbot.waitUntil(badge.isVisible, timeout=5000)
    window.simulation.dock.raise_()
    qtbot.waitUntil(lambda: not badge.isVisible(), timeout=5000)
    window.pages.show_page("contacts")
    qtbot.waitUntil(badge.isVisible, timeout=5000)
    assert badge.text().startswith("Simulating · ")
    assert "is being simulated" in badge.toolTip()
    qtbot.waitUntil(lambda: badge.text() == "Simulation results ready", timeout=120000)
    assert badge.isVisible() and "see its results" in badge.toolTip()
    assert window.pages.current == "contacts"  # the person's page is left as it was
    qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
    assert window.pages.current == "journeys" and window.simulation.dock.isVisible()
    assert not badge.isVisible()
    window.pages.show_page("contacts")  # seen once: not said again
    assert not badge.isVisible()


def test_the_journey_comes_into_view_when_the_results_arrive(qtbot, window) -> None:
    """Seen in a real window: the results arrived with the journey's start cut off at the
    left (the dock had opened beside the canvas) and its end out of sight, so the counts
    under its tiles were not seen until Fit (Ctrl+0)."""
    dialog = open_dialog(qtbot, window)
    view = window.view
    run_from_dialog(qtbot, dialog)
    start = window.scene.tile_items["start"].sceneBoundingRect()
    qtbot.wait(100)  # the opening view (taken on a zero timer) first
    view.centerOn(start.right() + 2000, start.center().y())  # the start out of sight
    qtbot.waitUntil(lambda: window.simulation.outcome is not None, timeout=120000)
    seen = lambda: view.mapToScene(view.viewport().rect()).boundingRect()  # noqa: E731
    qtbot.waitUntil(lambda: seen().contains(start), timeout=5000)


def test_the_results_are_drawn_on_the_graph_simulated(qtbot, window) -> None:
    """Seen in a real window: with version 1 shown (the live banner's chooser), simulating
    the draft drew the draft's counts on version 1's tiles. The canvas now shows what was
    simulated, and results go when it shows another version."""
    open_sample(window, "abandoned_cart.json")
    session = window.session
    assert session.publish()  # version 1
    session.edit_as_new_version()
    window.editor.update_tile("wait-1-day", merge=True, name="Wait two days")
    assert session.publish()  # version 2, the draft as saved
    assert session.show_version(1)
    assert window.editor.journey.find_tile("wait-1-day").name == "Wait a day"
    # nothing on it can be fixed or published again: the Problems panel does not check it
    # as if it were the draft ("ready to publish")
    problems = window.problems
    qtbot.waitUntil(lambda: problems.topLevelItem(0).text(0).startswith(
        "Version 1 is shown read-only"), timeout=5000)
    assert problems.topLevelItemCount() == 1 and not problems.problems
    assert window.problem_label.text() == "Version 1, read-only"
    # in a laptop's window the sentence spans the columns, the chooser's label is whole
    window.resize(1366, 728)
    qtbot.waitUntil(lambda: window.width() == 1366, timeout=3000)
    sentence = problems.topLevelItem(0)
    assert sentence.isFirstColumnSpanned()
    assert problems.visualItemRect(sentence).width() > problems.columnWidth(0)
    chooser = window.banner.versions
    assert chooser.currentText().startswith("Version 1 (")
    simulation = window.simulation
    window.actions_["simulate"].trigger()
    dialog = simulation.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.version.currentData() == 1  # it starts on the version shown
    # the canvas shows version 1, not the draft: the draft is offered as what it is
    assert dialog.version.itemText(0) == "The draft (as saved; shown when it runs)"
    dialog.version.setCurrentIndex(0)
    run_from_dialog(qtbot, dialog, people=20)
    assert session.viewed_version is None  # the draft's graph, not version 1's
    assert window.editor.journey.find_tile("wait-1-day").name == "Wait two days"
    qtbot.waitUntil(lambda: "read-only" not in problems.topLevelItem(0).text(0),
                    timeout=5000)
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert window.scene.overlay.badges["start"].value("inflow") == 20
    window.banner.versions.activated.emit(1)  # as a click on "Version 1 (finishing)"
    assert session.viewed_version == 1
    assert simulation.outcome is None  # the draft's results are not version 1's
    assert "start" not in window.scene.overlay.badges or \
        window.scene.overlay.badges["start"].value("inflow") != 20
    assert "were of another version: simulate again" in simulation.strip.text.text()
    # a version chosen in the dialog is shown with its results
    window.banner.versions.activated.emit(0)
    assert session.viewed_version is None
    window.actions_["simulate"].trigger()
    qtbot.waitUntil(simulation.dialog.isVisible, timeout=5000)
    simulation.dialog.version.setCurrentIndex(simulation.dialog.version.findData(1))
    run_from_dialog(qtbot, simulation.dialog, people=20)
    assert session.viewed_version == 1 and window.editor.read_only
    assert "people who entered before version 2 finish on it" in window.banner.text.text()
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert window.scene.overlay.badges["start"].value("inflow") == 20
    assert window.editor.journey.find_tile("wait-1-day").name == "Wait a day"



def test_the_right_docks_go_back_to_their_width_when_the_results_are_put_away(
        qtbot, window) -> None:
    """Seen in a real 1366 px window: after a simulation, Properties kept the Simulation
    dock's 460 px over a restart and the canvas lost 100 px. Put away (as the window's
    layout is saved), the right docks are as wide as before; resized by hand, left be."""
    from app.simulation.control import DOCK_WIDTH

    properties = window.properties_dock
    qtbot.wait(50)
    before = properties.width()
    assert before < DOCK_WIDTH - 20
    simulation = window.simulation
    simulation._show_dock()
    qtbot.waitUntil(lambda: simulation.dock.width() >= DOCK_WIDTH - 4, timeout=3000)
    window._as_remembered()
    qtbot.waitUntil(lambda: properties.isVisible() and properties.width() == before,
                    timeout=3000)

    simulation._show_dock()
    qtbot.waitUntil(lambda: simulation.dock.width() >= DOCK_WIDTH - 4, timeout=3000)
    window.resizeDocks([simulation.dock], [520], Qt.Orientation.Horizontal)  # by hand
    qtbot.waitUntil(lambda: simulation.dock.width() == 520, timeout=3000)
    window._as_remembered()
    qtbot.waitUntil(properties.isVisible, timeout=3000)
    qtbot.wait(50)
    assert properties.width() == 520


def test_a_window_closed_with_results_shown_opens_next_time_without_their_dock(
        qtbot, window, prompts, tmp_path) -> None:
    """Seen in a real window: Ctrl+Q with a simulation's results shown, and the next start
    opened on an empty "Simulation · no results" dock 460 px wide over Properties (the
    layout was saved as the Close event came, before the results went)."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow

    run_from_dialog(qtbot, open_dialog(qtbot, window), people=20)
    simulation = window.simulation
    qtbot.waitUntil(lambda: simulation.outcome is not None, timeout=120000)
    assert simulation.dock.isVisible()
    window.close()

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(prompts=prompts, settings=settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(again.properties_dock.isVisible, timeout=3000)
    qtbot.wait(50)
    # (its width, put back as it was before the results, is the test above's: an
    # offscreen screen shrinks the restored window, and its docks with it)
    assert not again.simulation.dock.isVisible()
    again.close()


def test_the_notes_button_counts_with_thousands_separated(qtbot) -> None:
    """Seen with a hostile replay of 200,000 bad rows: "10002 notes…"."""
    from app.simulation.run_strip import RunStrip

    strip = RunStrip()
    qtbot.addWidget(strip)
    strip.set_notes([f"Row {n}: bad" for n in range(10_002)])
    assert strip.notes_button.text() == "10,002 notes…"
