"""Reading a finished simulation of 100,000 people and scrubbing through it.

Run on demand: python3 -m pytest tests/perf/test_simulation_view_perf.py -s

Simulating 100,000 generated people through the abandoned-cart sample takes minutes with
today's simulator, so by default 10,000 are simulated for real (`waymark simulate
--generate --keep`, as the studio runs it) and their trail — runs, steps, contacts, goals,
counters — is copied under new names, each copy a few seconds later, to make 100,000
people with the same shape. WAYMARK_SIMULATED=100000 simulates them all instead.

The issue's target: each slider position painted in < 50 ms; `counts_at` and `flows_at`
are what the canvas asks at each position; the panel's own step (its count line) and the
canvas's (a real scene of the journey: counts per tile, dots, each edge's width by then)
are timed here, each painted.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QGraphicsView

from app.canvas.scene import JourneyScene
from app.editor import JourneyEditor
from app.simulation.canvas_view import SimulationCanvas
from app.simulation.panel import SimulationPanel
from app.simulation.people_model import OUTCOME
from engine.model import Catalog, read_bundle
from engine.resources import resource
from engine.simulation.outcome import SimulationOutcome
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine.serve_support import run_cli
from tests.perf.conftest import report

PEOPLE = 100_000
SIMULATED = int(os.environ.get("WAYMARK_SIMULATED", "10000"))
POSITIONS = 100


def simulate(folder: Path, people: int) -> Path:
    spec = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    (folder / "spec.json").write_text(json.dumps({**spec, "people": people}))
    done = run_cli("simulate", str(resource("samples", "abandoned_cart.json")), "--generate",
                   str(folder / "spec.json"), "--summary", "--json", "--keep",
                   str(folder / "keep"), timeout=3600)
    assert done.returncode == 0, done.stderr
    return folder / "keep" / "simulation.waymark"


def copy_people(path: Path, copies: int) -> None:
    """The trail of everyone again, `copies - 1` times, as other people a little later."""
    workspace = Workspace.open(path, create=False, durable=False)
    try:
        with writing(workspace.db) as conn:
            last_step = conn.exec_driver_sql("SELECT max(id) FROM steps").scalar()
            last_run = conn.exec_driver_sql("SELECT max(id) FROM runs").scalar()
            contacts = conn.exec_driver_sql("SELECT max(rowid) FROM contacts").scalar()
            goals = conn.exec_driver_sql("SELECT max(rowid) FROM goals").scalar() or 0
            for copy in range(1, copies):
                _copy(conn, copy, last_step, last_run, contacts, goals)
            conn.exec_driver_sql("UPDATE counters SET value = value * ?", (copies,))
    finally:
        workspace.close()


def _copy(conn, copy: int, last_step: int, last_run: int, contacts: int, goals: int) -> None:
    shift, suffix, runs = copy * 7.0, f"-{copy}", copy * last_run
    conn.exec_driver_sql(
        "INSERT INTO steps (at, what, journey_id, version, contact_id, tile_id, run_id, "
        "channel, reason, branch, branch_name, until) SELECT at + ?, what, journey_id, "
        "version, contact_id || ?, tile_id, run_id + ?, channel, reason, branch, "
        "branch_name, until + ? FROM steps WHERE id <= ? ORDER BY id",
        (shift, suffix, runs, shift, last_step))
    conn.exec_driver_sql(
        "INSERT INTO runs (id, journey_id, version, contact_id, binding_id, tile_id, status, "
        "due_at, entered_at, arrived_at, ended_at, end_reason, trigger_data, state) "
        "SELECT id + ?, journey_id, version, contact_id || ?, binding_id, tile_id, status, "
        "due_at + ?, entered_at + ?, arrived_at + ?, ended_at + ?, end_reason, "
        "trigger_data, state FROM runs WHERE id <= ?",
        (runs, suffix, shift, shift, shift, shift, last_run))
    conn.exec_driver_sql(
        "INSERT INTO contacts (id, kind, email, phone, push_token, timezone, attributes, "
        "created_at, updated_at, test) SELECT id || ?, kind, email, phone, push_token, "
        "timezone, attributes, created_at, updated_at, test FROM contacts WHERE rowid <= ?",
        (suffix, contacts))
    conn.exec_driver_sql(
        "INSERT INTO goals (journey_id, contact_id, version, run_id, met_at) SELECT "
        "journey_id, contact_id || ?, version, run_id + ?, met_at + ? FROM goals "
        "WHERE rowid <= ?", (suffix, runs, shift, goals))


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def clocked(fn) -> tuple[object, float]:
    began = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - began) * 1000


def test_reading_and_scrubbing_a_simulation_of_100000_people(tmp_path, qapp) -> None:
    began = time.perf_counter()
    path = simulate(tmp_path, SIMULATED)
    simulated = time.perf_counter() - began
    copy_people(path, PEOPLE // SIMULATED)
    outcome, read_ms = clocked(lambda: SimulationOutcome.read(path, "abandoned-cart"))
    try:
        figures = {f"simulate {SIMULATED:,} people (s)": simulated,
                   "copy to 100,000 people (s)": time.perf_counter() - began - simulated,
                   **_outcome_figures(outcome, read_ms), **_panel_figures(outcome, qapp),
                   **_canvas_figures(outcome)}
    finally:
        outcome.close()
    report(f"simulation results, {PEOPLE:,} people", figures, {
        "counts_at p95 (ms)": "< 50", "slider step p95 (ms)": "< 50",
        "canvas step p95 (ms)": "< 50"})
    assert figures["people"] == PEOPLE
    assert figures["counts_at p95 (ms)"] < 50 and figures["slider step p95 (ms)"] < 50
    assert figures["canvas step p95 (ms)"] < 50


def _moments(outcome: SimulationOutcome) -> list:
    span = outcome.end - outcome.start
    return [outcome.start + span * i / (POSITIONS - 1) for i in range(POSITIONS)]


def _outcome_figures(outcome: SimulationOutcome, read_ms: float) -> dict[str, float]:
    people, people_ms = clocked(outcome.people)
    _summary, summary_ms = clocked(outcome.summary)
    counts = [clocked(lambda m=m: outcome.counts_at(m))[1] for m in _moments(outcome)]
    tokens = [clocked(lambda m=m: outcome.tokens_at(m))[1] for m in _moments(outcome)]
    flows = [clocked(lambda m=m: outcome.flows_at(m))[1] for m in _moments(outcome)]
    most = max(sum(outcome.counts_at(m).values()) for m in _moments(outcome))
    return {"people": len(people), "steps in the trail": sum(p.steps for p in people),
            "most in the journey at once": most, "SimulationOutcome.read (ms)": read_ms,
            "summary() (ms)": summary_ms, "people() (ms)": people_ms,
            "counts_at p50 (ms)": percentiles(counts)[0],
            "counts_at p95 (ms)": percentiles(counts)[1],
            "tokens_at p50 (ms)": percentiles(tokens)[0],
            "tokens_at p95 (ms)": percentiles(tokens)[1],
            "flows_at p50 (ms)": percentiles(flows)[0],
            "flows_at p95 (ms)": percentiles(flows)[1]}


def _panel_figures(outcome: SimulationOutcome, qapp: QApplication) -> dict[str, float]:
    panel = SimulationPanel()
    panel.resize(460, 1000)
    panel.show()
    try:
        _none, shown_ms = clocked(lambda: panel.show_outcome(outcome))
        qapp.processEvents()
        steps = []
        for position in range(0, panel.slider.slider.maximum() + 1,
                              max(1, panel.slider.slider.maximum() // POSITIONS)):
            steps.append(clocked(lambda p=position: _step_to(panel, p))[1])
        _none, sort_ms = clocked(lambda: panel.model.sort(OUTCOME))
        _none, filter_ms = clocked(lambda: panel.model.set_filter("entry blocked"))
        _none, unfilter_ms = clocked(lambda: panel.model.set_filter(""))
        return {"panel show_outcome (ms)": shown_ms,
                "slider step p50 (ms)": percentiles(steps)[0],
                "slider step p95 (ms)": percentiles(steps)[1],
                "table sort by outcome (ms)": sort_ms,
                "table filter (ms)": filter_ms, "table filter cleared (ms)": unfilter_ms}
    finally:
        panel.close()
        panel.deleteLater()


def _step_to(panel: SimulationPanel, position: int) -> None:
    """The slider moved (the moment's text, its count) and the panel painted at once."""
    panel.slider.slider.setValue(position)
    panel.repaint()


def _canvas_figures(outcome: SimulationOutcome) -> dict[str, float]:
    """The journey's real scene in a view, the simulation on it, and the slider's moments:
    each step is the canvas's whole answer (badges, dots, edge widths), then painted."""
    bundle = read_bundle(resource("samples", "abandoned_cart.json"))
    editor = JourneyEditor()
    editor.load(outcome.journey, Catalog.build(bundle.triggers, bundle.content))
    scene = JourneyScene(editor)
    view = QGraphicsView(scene)
    view.resize(1200, 500)
    view.show()
    canvas = SimulationCanvas(scene.overlay)
    try:
        _none, shown_ms = clocked(lambda: canvas.show(outcome))
        steps = [clocked(lambda m=m: _canvas_to(canvas, view, m))[1]
                 for m in _moments(outcome)]
        return {"canvas show (ms)": shown_ms, "canvas step p50 (ms)": percentiles(steps)[0],
                "canvas step p95 (ms)": percentiles(steps)[1]}
    finally:
        canvas.clear()
        view.close()
        view.deleteLater()
        scene.deleteLater()


def _canvas_to(canvas: SimulationCanvas, view: QGraphicsView, moment) -> None:
    canvas.at_moment(moment)
    view.viewport().repaint()
