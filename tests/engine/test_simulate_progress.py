"""`waymark simulate --progress`: JSON lines on stderr that a program (the studio) reads
while the simulation runs: steps, simulated time, the share of the period done and of the
work (estimated), at most five a second, whether or not stderr is a terminal; and the
stages before and after the steps (the audience being made, the results being counted)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime

from engine.model import read_bundle
from engine.resources import resource
from engine.simulation import simulator as simulator_module
from engine.simulation.audience import generate, load_spec
from engine.simulation.simulator import Simulator

SAMPLE = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())


def run_with_progress(tmp_path, people: int, *options: str) -> tuple[list[tuple[float, dict]],
                                                                      float, int, str]:
    """(arrival time, line) for every stderr line as it arrives, the run's length, exit."""
    (tmp_path / "spec.json").write_text(json.dumps({**SAMPLE, "people": people}))
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "simulate", str(resource("samples",
                                                                   "abandoned_cart.json")),
         "--generate", str(tmp_path / "spec.json"), "--progress", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [(time.monotonic() - began, line) for line in process.stderr]
    out = process.stdout.read()
    code = process.wait()
    progress = [(at, json.loads(line)["progress"]) for at, line in lines
                if line.startswith('{"progress"')]
    return progress, time.monotonic() - began, code, out


def test_progress_lines_rise_to_the_end_of_the_period_at_most_five_a_second(tmp_path) -> None:
    said, took, code, out = run_with_progress(tmp_path, 800, "--summary", "--json")
    assert code == 0 and json.loads(out)["summary"]["journey"] == "abandoned-cart"
    # the audience is being made before any step; the results counted after the last
    assert said[0][1] == {"stage": "audience"} and said[-2][1] == {"stage": "finishing"}
    lines = [(at, line) for at, line in said if "stage" not in line]
    assert len(lines) == len(said) - 2
    shares = [line["done"] for _, line in lines]
    assert len(lines) >= 2 and shares == sorted(shares) and shares[-1] == 1.0
    assert all(0.0 <= share <= 1.0 for share in shares)
    # the audience arrives in the spec's first 12 hours of 5 days: most of the work is
    # done while the simulated clock has hardly moved, and the estimate says so
    work = [line["work"] for _, line in lines]
    assert work == sorted(work) and work[-1] == 1.0
    assert all(line["work"] >= line["done"] for _, line in lines)
    assert any(line["work"] > 2 * line["done"] > 0 for _, line in lines)
    steps = [line["steps"] for _, line in lines]
    assert steps == sorted(steps) and steps[-1] > 800
    assert datetime.fromisoformat(lines[-1][1]["at"]) == datetime.fromisoformat(
        "2026-11-28T09:00:00+00:00")  # the start plus the spec's five days
    assert len(lines) <= 5 * took + 1
    # no burst: within any second, five lines at most (arrival may bunch a little)
    arrivals = [at for at, _ in lines]
    assert all(later - earlier > 0.6 for earlier, later in zip(arrivals, arrivals[6:],
                                                               strict=False))



def test_with_compare_each_run_rises_to_the_end_and_its_lines_say_which(tmp_path) -> None:
    other = resource("samples", "abandoned_cart.json")
    said, _took, code, out = run_with_progress(tmp_path, 300, "--compare", str(other),
                                               "--json")
    assert code == 0 and "compare" in json.loads(out)
    assert [line for _, line in said if "stage" in line] == [
        {"stage": "audience"}, {"stage": "finishing", "run": "a"},
        {"stage": "finishing", "run": "b"}]
    lines = [(at, line) for at, line in said if "stage" not in line]
    runs = [line.get("run") for _, line in lines]
    assert runs == sorted(runs) and set(runs) == {"a", "b"}  # a's lines, then b's
    for run in ("a", "b"):
        shares = [line["done"] for _, line in lines if line["run"] == run]
        assert shares == sorted(shares) and shares[-1] == 1.0


def test_listeners_hear_of_steps_as_their_stretch_commits_not_all_at_the_end(
        monkeypatch) -> None:
    """Steps are told once the transaction holding them commits (a rolled-back stretch is
    done again and must not be told twice); a transaction ends after TELL_EVERY seconds
    as well as after MOMENTS_PER_COMMIT moments, so a long simulation's progress moves."""
    monkeypatch.setattr(simulator_module, "TELL_EVERY", 0.0)
    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    scenario = generate(load_spec(json.dumps({**SAMPLE, "people": 30}).encode(), "spec"),
                        cart, "spec")
    told: list[tuple[datetime, datetime]] = []  # (the step's time, the clock's when told)
    simulator = Simulator(cart, scenario,
                          on_record=lambda r: told.append((r.at, simulator.clock.now())))
    result = simulator.run()
    assert len(told) == result.steps > 30
    assert all(at <= now for at, now in told)
    end = max(now for _, now in told)
    assert sum(1 for _, now in told if now < end) > result.steps // 2


def test_what_the_last_look_after_the_period_finds_is_told_too() -> None:
    """After the last moment the runtime looks once more at the period's end (a safety
    net: it usually finds nothing). Stopped early here, that look moves everyone still
    waiting; the listeners hear those steps as they heard the others."""

    class StopsEarly(Simulator):
        def _step_moment(self, workspace, runtime, items, end, due):
            if self.result.steps > 40:
                return simulator_module._FINISHED
            return super()._step_moment(workspace, runtime, items, end, due)

    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    scenario = generate(load_spec(json.dumps({**SAMPLE, "people": 30}).encode(), "spec"),
                        cart, "spec")
    told: list = []
    simulator = StopsEarly(cart, scenario, on_record=told.append)
    result = simulator.run()
    assert result.steps > 45  # the last look moved people on
    assert [(r.at, r.contact_id, r.what) for r in told] == [
        (r.at, r.contact_id, r.what) for r in result.records]
