"""A scenario pauses, resumes, stops the journey and publishes a new version: the real
simulator and runtime hold, release, end and route people by the product's rules."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.cli import main
from engine.model import DocumentError, read_bundle, to_data
from engine.resources import resource
from engine.runtime.housekeeping import PAUSED_TOO_LONG
from engine.runtime.lifecycle import STOPPED
from engine.simulation.scenario import Scenario, load_scenario
from engine.simulation.simulator import SimulationError, Simulator

SAMPLE = resource("samples") / "abandoned_cart.json"
START = "2026-11-23T09:00:00Z"
PEOPLE = [{"id": p, "email": f"{p}@example.com", "phone": "+3160000000" + str(i),
           "push_token": f"tok-{p}"} for i, p in enumerate(("ann", "bob", "cat"))]


def cart(at: str, person: str) -> dict:
    return {"at": at, "kind": "trigger", "trigger": "abandoned_cart", "person": person,
            "attributes": {"cart_total": 120}}


def journey(at: str, action: str, **more) -> dict:
    return {"at": at, "kind": "journey", "action": action, **more}


def run(events: list[dict], end: str = "P5D", tmp_path=None):
    scenario = Scenario.model_validate({"start": START, "end": end, "contacts": PEOPLE,
                                        "events": events})
    return Simulator(read_bundle(SAMPLE), scenario, base=tmp_path).run()


def steps_of(result, person: str) -> list:
    return [r for r in result.records if r.contact_id == person]


def sent(result, person: str, channel: str) -> list:
    return [r for r in steps_of(result, person) if r.what.value == "sent"
            and r.channel == channel]


def second_version(tmp_path) -> str:
    """The sample with a 3-day wait before the push: version 2."""
    data = to_data(read_bundle(SAMPLE))
    for tile in data["journey"]["tiles"]:
        if tile["id"] == "wait-1-day":
            tile["duration"] = "P3D"
    (tmp_path / "v2.json").write_text(json.dumps(data))
    return "v2.json"


def test_a_pause_holds_people_and_resume_lets_them_go_on() -> None:
    result = run([cart("PT0S", "ann"), journey("PT2H", "pause"), journey("P3D", "resume")])
    start = Scenario.model_validate({"start": START, "end": "P1D"}).start
    sms = sent(result, "ann", "sms")
    assert len(sms) == 1 and sms[0].at == start + timedelta(days=3)  # not while paused
    held = [r for r in steps_of(result, "ann") if r.what.value == "held"]
    assert held and held[0].at == start + timedelta(days=1) and held[0].reason == "journey paused"
    assert [(m.what, m.version) for m in result.moments] == [("paused", 1), ("resumed", 1)]


def test_a_pause_over_21_days_stops_the_version_and_people_leave_with_why() -> None:
    result = run([cart("PT0S", "ann"), journey("PT2H", "pause")], end="P30D")
    last = steps_of(result, "ann")[-1]
    assert (last.what.value, last.reason) == ("exited", PAUSED_TOO_LONG)
    start = Scenario.model_validate({"start": START, "end": "P1D"}).start
    assert last.at == start + timedelta(days=21, hours=2)
    assert sent(result, "ann", "sms") == []
    assert [(m.what, m.reason) for m in result.moments] == [
        ("paused", None), ("stopped", PAUSED_TOO_LONG)]


def test_after_a_publish_people_in_flight_finish_on_theirs_and_new_ones_take_the_new(
        tmp_path) -> None:
    name = second_version(tmp_path)
    result = run([cart("PT0S", "ann"), journey("PT1H", "publish", bundle=name),
                  cart("PT2H", "bob")], end="P6D", tmp_path=tmp_path)
    assert {r.version for r in steps_of(result, "ann")} == {1}
    assert {r.version for r in steps_of(result, "bob")} == {2}
    ann_gap = sent(result, "ann", "push")[0].at - sent(result, "ann", "sms")[0].at
    bob_gap = sent(result, "bob", "push")[0].at - sent(result, "bob", "sms")[0].at
    assert (ann_gap, bob_gap) == (timedelta(days=1), timedelta(days=3))
    assert [(m.what, m.version) for m in result.moments] == [("published", 2)]


def test_stop_ends_the_runs_in_flight(tmp_path) -> None:
    result = run([cart("PT0S", "ann"), journey("PT2H", "stop"), cart("PT3H", "bob")])
    last = steps_of(result, "ann")[-1]
    assert (last.what.value, last.reason) == ("exited", STOPPED)
    assert steps_of(result, "bob") == []  # a stopped journey lets nobody in
    assert [m.what for m in result.moments] == ["stopped"]


def scenario_text(events: list[dict]) -> str:
    return json.dumps({"start": START, "end": "P5D", "contacts": PEOPLE, "events": events})


@pytest.mark.parametrize(("events", "said"), [
    ([journey("P1D", "jump")], "$.events[1].action"),
    ([journey("P1D", "publish")], "$.events[1].bundle: publish needs the bundle"),
    ([journey("P1D", "resume")], "$.events[1].action: cannot resume a journey that is live"),
    ([journey("P1D", "pause"), journey("P23D", "resume")],
     "$.events[2].action: cannot resume a journey that is stopped (paused for more than 21"),
    ([journey("P1D", "stop"), journey("P2D", "pause")], "$.events[2].action: cannot pause"),
])
def test_a_lifecycle_item_the_journey_cannot_take_is_refused_naming_it(events, said) -> None:
    with pytest.raises(DocumentError) as caught:
        load_scenario(scenario_text([cart("PT0S", "ann"), *events]))
    assert said in str(caught.value)


def test_a_publish_bundle_that_does_not_load_or_is_another_journey_is_refused_first(
        tmp_path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    other = to_data(read_bundle(resource("samples") / "brew_guide.json"))
    (tmp_path / "other.json").write_text(json.dumps(other))
    for name, said in (("broken.json", "events[1].bundle: "),
                       ("missing.json", "cannot read the file"),
                       ("other.json", f"is a version of journey {other['journey']['id']!r}")):
        with pytest.raises(SimulationError, match=r"events\[1\]\.bundle") as caught:
            run([cart("PT0S", "ann"), journey("PT1H", "publish", bundle=name)],
                tmp_path=tmp_path)
        assert said in str(caught.value)


def test_a_publish_bundle_the_catalog_refuses_is_refused_first_or_when_it_comes(
        tmp_path) -> None:
    """As an import in the workspace would be: a table with an `id` column before anything
    runs; a trigger attribute version 1's people read turned to text when it is published."""
    data = to_data(read_bundle(SAMPLE))
    data["record_tables"] = [{"name": "ticket", "person_columns": ["who"], "columns": [
        {"name": "who", "type": "text"}, {"name": "id", "type": "text"}]}]
    (tmp_path / "tables.json").write_text(json.dumps(data))
    with pytest.raises(SimulationError) as caught:
        run([cart("PT0S", "ann"), journey("PT1H", "publish", bundle="tables.json")],
            tmp_path=tmp_path)
    assert "events[1].bundle: 'tables.json' cannot be published:\nrecord_tables[0]" \
        ".columns[1].name: catalog: 'id' is the record's own id" in str(caught.value)
    data = to_data(read_bundle(SAMPLE))
    data["triggers"][0]["attributes"][0]["type"] = "text"
    data["journey"]["start"]["conditions"] = None  # it compared cart_total as a number
    (tmp_path / "text.json").write_text(json.dumps(data))
    with pytest.raises(SimulationError) as caught:
        run([cart("PT0S", "ann"), journey("PT1H", "publish", bundle="text.json")],
            tmp_path=tmp_path)
    assert str(caught.value).startswith(
        "events[1].bundle: cannot be imported: triggers[0].attributes[0].type: live or "
        "paused journeys read this attribute")


def test_the_command_line_shows_the_journey_moments_as_text_and_json(tmp_path, capsys) -> None:
    (tmp_path / "s.json").write_text(scenario_text(
        [cart("PT0S", "ann"), journey("PT2H", "pause"), journey("P3D", "resume")]))
    args = ["simulate", str(SAMPLE), "--scenario", str(tmp_path / "s.json")]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "the journey\n  Mon 23 Nov 11:00  version 1 paused\n" \
           "  Thu 26 Nov 09:00  version 1 resumed" in text
    assert main([*args, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    moments = [line for line in lines if "lifecycle" in line]
    assert [(m["lifecycle"], m["time"]) for m in moments] == [
        ("paused", "2026-11-23T11:00:00Z"), ("resumed", "2026-11-26T09:00:00Z")]
    assert main([*args, "--summary"]) == 0
    assert "version 1 resumed" in capsys.readouterr().out
    assert main([*args, "--summary", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert [m["lifecycle"] for m in summary["lifecycle"]] == ["paused", "resumed"]
