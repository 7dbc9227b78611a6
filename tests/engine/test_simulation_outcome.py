"""A finished simulation read back from its kept workspace: the edges people took, the
counts per tile, where everyone was at a moment, a person's trail. Each figure is checked
against what the step lines of `waymark simulate --json` on the same seed say."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine.model import dump_bundle, read_bundle
from engine.resources import resource
from engine.simulation.outcome import OutcomeError, SimulationOutcome
from engine.simulation.scenario import Scenario
from engine.simulation.simulator import Simulator
from tests.engine.serve_support import run_cli
from tests.engine.test_simulation import BRANCH_SCENARIO, branching_bundle
from tests.engine.test_simulation_lifecycle import PEOPLE, cart, journey, second_version

CART = resource("samples", "abandoned_cart.json")
AUDIENCE = resource("samples", "abandoned_cart.audience.json")
START = datetime.fromisoformat("2026-11-23T09:00:00+00:00")

# Ann opens the reminder, Bob does not, Eve's cart comes in the evening, Dan's is too small.
SCENARIO = {
    "start": START.isoformat(), "end": "P1DT6H", "seed": 3,
    "contacts": [{"id": p, "email": f"{p}@example.com", "phone": "+31600000001"}
                 for p in ("ann", "bob", "dan", "eve")],
    "events": [
        {"at": "PT1H", "kind": "trigger", "trigger": "abandoned_cart", "person": "ann",
         "attributes": {"cart_total": 120}},
        {"at": "PT1H", "kind": "trigger", "trigger": "abandoned_cart", "person": "bob",
         "attributes": {"cart_total": 80}},
        {"at": "PT2H", "kind": "trigger", "trigger": "abandoned_cart", "person": "dan",
         "attributes": {"cart_total": 40}},
        {"at": "PT3H", "kind": "interaction", "person": "ann", "tile": "email-reminder",
         "interaction": "opened"},
        {"at": "PT20H", "kind": "trigger", "trigger": "abandoned_cart", "person": "eve",
         "attributes": {"cart_total": 99}}]}
SCENARIO_END = START + timedelta(days=1, hours=6)


def simulate(bundle: Path, *options: str) -> list[dict]:
    done = run_cli("simulate", str(bundle), "--json", *options, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def taken_edges(lines: list[dict]) -> Counter:
    """Counted by hand from the step lines: a run's tile changes, by the port its
    `branched` step took at the tile it left (else next)."""
    at: dict[int, tuple[str, str]] = {}
    taken: dict[int, set] = defaultdict(set)
    for line in lines:
        run = line.get("run")
        if run is None:
            continue
        tile, port = at.get(run, (line["tile"], "next"))
        if line["tile"] != tile:
            taken[run].add((tile, port, line["tile"]))
            port = "next"
        at[run] = (line["tile"], line.get("branch", port))
    return Counter(edge for edges in taken.values() for edge in edges)


def entered_per_tile(lines: list[dict]) -> Counter:
    seen = {(line["run"], line["tile"]) for line in lines if line.get("run") is not None}
    return Counter(tile for _run, tile in seen)


@pytest.fixture(scope="module")
def cart_audience(tmp_path_factory) -> tuple[list[dict], Path]:
    keep = tmp_path_factory.mktemp("cart")
    return simulate(CART, "--generate", str(AUDIENCE), "--keep", str(keep)), keep


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[list[dict], SimulationOutcome]:
    folder = tmp_path_factory.mktemp("small")
    (folder / "scenario.json").write_text(json.dumps(SCENARIO))
    lines = simulate(CART, "--scenario", str(folder / "scenario.json"), "--keep",
                     str(folder / "keep"))
    with SimulationOutcome.read(folder / "keep" / "simulation.waymark", "abandoned-cart",
                                end=SCENARIO_END) as outcome:
        yield lines, outcome


def nonzero(outcome: SimulationOutcome) -> Counter:
    return Counter({(e.source, e.port, e.target): e.people for e in outcome.edges()
                    if e.people})


def test_the_edges_taken_by_a_generated_audience_are_those_its_steps_show(cart_audience):
    lines, keep = cart_audience
    with SimulationOutcome.read(keep / "simulation.waymark", "abandoned-cart") as outcome:
        assert nonzero(outcome) == taken_edges(lines)
        assert nonzero(outcome)[("opened-email", "yes", "exit-opened")] > 100
        every = {(e.source, e.port, e.target) for e in outcome.edges()}
        assert every == {(e.source, e.port, e.target) for e in outcome.journey.edges}


def test_the_counts_per_tile_are_those_its_steps_show(cart_audience):
    lines, keep = cart_audience
    refused = sum(1 for line in lines if line["what"] == "entry blocked")
    with SimulationOutcome.read(keep / "simulation.waymark", "abandoned-cart") as outcome:
        inflow = {tile: stats.inflow for tile, stats in outcome.tile_stats().items()}
    expected = entered_per_tile(lines)
    expected["start"] += refused  # an entry refused at the trigger tile counts as come in
    assert inflow == dict(expected)


def test_everyone_in_the_audience_has_an_outcome_and_their_steps(cart_audience):
    lines, keep = cart_audience
    with SimulationOutcome.read(keep / "simulation.waymark", "abandoned-cart") as outcome:
        people = {p.person: p for p in outcome.people()}
        ended = {line["person"]: line for line in lines
                 if line["what"] in ("completed", "exited", "entry blocked")}
        assert len(people) == 1000
        for person, line in ended.items():
            expected = {"completed": "completed",
                        "exited": f"exited: {line.get('reason')}",
                        "entry blocked": f"entry blocked: {line.get('reason')}"}[line["what"]]
            assert people[person].outcome == expected, person
        some = next(iter(ended))
        assert [s.what.value for s in outcome.steps_of(some)
                if s.what.value not in ("delivered", "opened", "clicked")] == \
            [line["what"] for line in lines if line["person"] == some]


def test_the_summary_json_names_the_edges_as_the_studio_reads_them(cart_audience, tmp_path):
    _lines, keep = cart_audience
    done = run_cli("simulate", str(CART), "--generate", str(AUDIENCE), "--summary", "--json",
                   timeout=300)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)["summary"]
    with SimulationOutcome.read(keep / "simulation.waymark", "abandoned-cart") as outcome:
        assert printed["edges"] == [edge.to_dict() for edge in outcome.edges()]
        assert printed["tiles"] == outcome.summary()["tiles"]


def test_edges_through_branches_and_split_arms_follow_the_port_taken(tmp_path):
    (tmp_path / "bundle.json").write_text(dump_bundle(branching_bundle()))
    (tmp_path / "scenario.json").write_text(json.dumps(BRANCH_SCENARIO))
    lines = simulate(tmp_path / "bundle.json", "--scenario", str(tmp_path / "scenario.json"),
                     "--keep", str(tmp_path / "keep"))
    with SimulationOutcome.read(tmp_path / "keep" / "simulation.waymark",
                                "test-journey") as outcome:
        assert nonzero(outcome) == taken_edges(lines) == Counter({
            ("start", "next", "size"): 3, ("size", "big", "split"): 2,
            ("size", "other", "end-small"): 1, ("split", "a", "end-a"): 1,
            ("split", "b", "end-b"): 1})


def test_nobody_is_anywhere_before_the_first_entry(small):
    _lines, outcome = small
    assert outcome.start == START
    assert outcome.counts_at(START) == {}
    assert outcome.counts_at(START + timedelta(minutes=59)) == {}
    assert outcome.tokens_at(START) == {}


def test_at_a_moment_people_are_where_their_steps_put_them(small):
    _lines, outcome = small
    two_hours_in = START + timedelta(hours=2)
    assert outcome.counts_at(two_hours_in) == {"opened-email": 2}
    assert outcome.tokens_at(two_hours_in) == {"ann": "opened-email", "bob": "opened-email"}
    assert outcome.tokens_at(two_hours_in, limit=1) is None
    evening = START + timedelta(hours=21)  # Ann has opened and left, Eve has come
    assert outcome.tokens_at(evening) == {"bob": "opened-email", "eve": "opened-email"}


def test_at_the_end_the_counts_are_who_is_still_there(small):
    _lines, outcome = small
    still = {t["tile"]: t["still_there"] for t in outcome.summary()["tiles"]
             if t["still_there"]}
    assert still == {"opened-email": 1, "wait-1-day": 1}
    assert outcome.end == SCENARIO_END
    assert outcome.counts_at(outcome.end) == still
    assert outcome.tokens_at(outcome.end) == {"bob": "wait-1-day", "eve": "opened-email"}


def test_a_persons_trail_and_outcome(small):
    lines, outcome = small
    passed, edges, at = outcome.trail_of("ann")
    assert passed == ("start", "email-reminder", "opened-email", "exit-opened")
    assert edges[-1] == ("opened-email", "yes", "exit-opened") and at == "exit-opened"
    # Dan's cart was too small: kept out at the trigger tile, which his trail shows
    assert outcome.trail_of("dan") == ((), (), "start")
    people = {p.person: (p.outcome, p.tile, p.steps) for p in outcome.people()}
    assert people["bob"][:2] == ("waiting at Wait a day", "wait-1-day")
    assert people["eve"][:2] == ("waiting at Opened the email?", "opened-email")
    assert people["dan"] == ("entry blocked: unmet trigger condition", "start", 1)
    assert people["ann"][0] == "completed"
    bob = outcome.steps_of("bob")
    assert [s.what.value for s in bob if s.what.value != "delivered"] == \
        [line["what"] for line in lines if line["person"] == "bob"]
    assert people["bob"][2] == len(bob)


def test_a_missing_workspace_or_journey_is_refused_by_name(small, tmp_path):
    with pytest.raises(OutcomeError, match="no such simulation workspace"):
        SimulationOutcome.read(tmp_path / "nothing.waymark", "abandoned-cart")
    with pytest.raises(OutcomeError, match="no simulation of 'other-journey'"):
        SimulationOutcome.read(Path(small[1].workspace.location), "other-journey")


def test_people_on_two_versions_are_counted_together(tmp_path):
    """Ann stays on version 1, Bob enters version 2 (its wait is 3 days): both are on the
    same edges and tiles, and at a moment each is where their own version put them."""
    bundle = second_version(tmp_path)
    scenario = Scenario.model_validate({
        "start": START.isoformat(), "end": "P6D", "contacts": PEOPLE,
        "events": [cart("PT0S", "ann"), journey("PT1H", "publish", bundle=bundle),
                   cart("PT2H", "bob")]})
    Simulator(read_bundle(CART), scenario, tmp_path / "keep", base=tmp_path).run()
    with SimulationOutcome.read(tmp_path / "keep" / "simulation.waymark",
                                "abandoned-cart") as outcome:
        assert outcome.tile_stats()["wait-1-day"].inflow == 2
        assert nonzero(outcome)[("wait-1-day", "next", "push-reminder")] == 2
        three_days_on = START + timedelta(days=3)  # Ann is done, Bob still waits
        assert outcome.tokens_at(three_days_on) == {"bob": "wait-1-day"}


def test_at_a_moment_each_edge_has_the_people_who_had_taken_it_by_then(small, cart_audience):
    _lines, outcome = small
    assert set(outcome.flows_at(START).values()) == {0}  # every edge, nobody on it yet
    by_two = {edge: n for edge, n in outcome.flows_at(START + timedelta(hours=2)).items() if n}
    assert by_two == {("start", "next", "email-reminder"): 2,  # ann and bob (dan refused)
                      ("email-reminder", "next", "opened-email"): 2}
    by_four = outcome.flows_at(START + timedelta(hours=4))
    assert by_four[("opened-email", "yes", "exit-opened")] == 1  # ann opened at 3 h
    assert by_four[("opened-email", "no", "sms-reminder")] == 0  # bob waits a day
    lines, keep = cart_audience
    with SimulationOutcome.read(keep / "simulation.waymark", "abandoned-cart") as outcome:
        for hours in (6, 30, 54):
            moment = outcome.start + timedelta(hours=hours)
            by_then = [line for line in lines
                       if datetime.fromisoformat(line["time"]) <= moment]
            assert Counter({edge: n for edge, n in outcome.flows_at(moment).items() if n}) \
                == taken_edges(by_then), hours
        assert outcome.flows_at(outcome.end) == {
            (e.source, e.port, e.target): e.people for e in outcome.edges()}
