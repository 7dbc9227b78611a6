"""`waymark simulate BUNDLE … --compare OTHER_BUNDLE`: both bundles on the same audience
and seed, and a table of per-tile and per-outcome differences (the same `Comparison` the
studio reads)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.resources import resource
from engine.simulation.compare import compare

BUNDLE = resource("samples", "abandoned_cart.json")
SCENARIO = str(resource("samples", "abandoned_cart.scenario.json"))


@pytest.fixture
def spec_file(tmp_path) -> Path:
    data = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**data, "people": 300}), encoding="utf-8")
    return path


def changed(tmp_path: Path, name: str, edit) -> Path:
    bundle = json.loads(BUNDLE.read_text())
    edit(bundle)
    path = tmp_path / name
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def shorter_wait(bundle: dict) -> None:
    """"Opened the email?" waits an hour instead of a day."""
    next(t for t in bundle["journey"]["tiles"] if t["id"] == "opened-email")["limit"] = "PT1H"


def rows_by(comparison: dict) -> dict[tuple[str, str], dict]:
    return {(r["key"], r["measure"]): r for r in comparison["rows"]}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["simulate", str(BUNDLE), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_shorter_wait_sends_more_people_to_the_text_reminder(tmp_path, spec_file,
                                                               capsys) -> None:
    other = changed(tmp_path, "hour.json", shorter_wait)
    code, out, err = run(capsys, "--generate", str(spec_file), "--compare", str(other),
                         "--json")
    assert code == 0, err
    result = json.loads(out)["compare"]
    rows = rows_by(result)
    assert rows[("start", "entered")]["change"] == 0  # the same people
    more = rows[("sms-reminder", "entered")]
    # people who open between an hour and a day: a text in B, "Opened: done" in A (those
    # who buy while waiting leave either way, at different times)
    assert more["change"] > 0 and rows[("exit-opened", "entered")]["change"] < 0
    assert f"+{more['change']} reached Second text reminder" in result["headlines"]
    code, text, _ = run(capsys, "--generate", str(spec_file), "--compare", str(other))
    assert re.search(rf"Second text reminder \[sms-reminder\] +{more['a']} → {more['b']} "
                     rf"\(\+{more['change']}\)", text)
    assert f"+{more['change']} reached Second text reminder" in text


def test_the_same_bundle_on_the_same_scenario_shows_no_differences(capsys) -> None:
    code, out, err = run(capsys, "--scenario", SCENARIO, "--compare", str(BUNDLE))
    assert code == 0, err
    assert out.rstrip().endswith("no differences")
    assert re.search(r"goal purchase_completed +33\.3 % → 33\.3 %", out)


def test_a_tile_only_one_side_has_is_shown_as_such(tmp_path, capsys) -> None:
    renamed = tmp_path / "renamed.json"
    renamed.write_text(BUNDLE.read_text().replace("wait-1-day", "wait-2-days"),
                       encoding="utf-8")
    code, out, err = run(capsys, "--scenario", SCENARIO, "--compare", str(renamed))
    assert code == 0, err
    assert "Wait a day [wait-1-day] (only in A)" in out
    assert "Wait a day [wait-2-days] (only in B)" in out


def test_the_kept_workspaces_are_both_there(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "--scenario", SCENARIO, "--compare", str(BUNDLE),
                       "--keep", str(tmp_path / "kept"))
    assert code == 0, err
    assert (tmp_path / "kept" / "a" / "simulation.waymark").exists()
    assert (tmp_path / "kept" / "b" / "simulation.waymark").exists()


def summary(goal_met: int, sms: int) -> dict:
    return {"tiles": [{"tile": "sms", "name": "SMS reminder", "entered": sms,
                       "moved_on": sms, "left": {"no phone": 2}, "still_there": 0}],
            "messages": {"sent": sms, "blocked": 2},
            "goal": {"trigger": "purchase_completed", "entered": 1000, "met": goal_met,
                     "share": goal_met / 10, "target": 50.0, "reached": False}}


def test_compare_says_the_differences_in_words() -> None:
    comparison = compare(summary(410, 100), summary(470, 412))
    assert comparison.headlines() == ["+312 reached SMS reminder", "+312 messages sent",
                                      "goal purchase_completed 41.0 % → 47.0 %"]
    assert "goal purchase_completed  41.0 % → 47.0 % (+6.0 points)" in comparison.text()
    data = comparison.to_dict()
    assert {"kind": "tile", "key": "sms", "name": "SMS reminder", "measure": "left", "a": 2,
            "b": 2, "side": "both", "change": 0} in data["rows"]


def test_a_side_without_a_goal_or_a_tile_has_none() -> None:
    without_goal = {**copy.deepcopy(summary(410, 100)), "goal": None, "tiles": []}
    rows = compare(without_goal, summary(470, 412)).rows
    tile = next(r for r in rows if r.kind == "tile" and r.measure == "entered")
    goal = next(r for r in rows if r.kind == "goal")
    assert (tile.side, tile.a, tile.b) == ("b", None, 412)
    assert (goal.side, goal.a, goal.b) == ("b", None, 47.0)
