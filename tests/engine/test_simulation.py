"""`waymark simulate` on journeys beyond the samples: segment refreshes, branch outputs."""

from __future__ import annotations

import gc
import json
from datetime import timedelta

from engine.cli import main
from engine.model import (
    Arm,
    AttributeBranchTile,
    Branch,
    Condition,
    ConditionGroup,
    Edge,
    ExitTile,
    SplitTile,
    TriggerTile,
    dump_bundle,
    read_bundle,
)
from engine.resources import resource
from engine.simulation.scenario import Scenario
from engine.simulation.simulator import Simulator
from tests.engine.journeys import bundle
from tests.engine.test_segments import NOW, segment_bundle


def simulate(tmp_path, journey_bundle, scenario: dict, *options: str) -> int:
    (tmp_path / "bundle.json").write_text(dump_bundle(journey_bundle))
    (tmp_path / "scenario.json").write_text(json.dumps(scenario))
    return main(["simulate", str(tmp_path / "bundle.json"),
                 "--scenario", str(tmp_path / "scenario.json"), *options])


def steps(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_an_hourly_refresh_that_lets_nobody_in_is_not_stuck(tmp_path, capsys) -> None:
    """Ann is in the segment from the start, Bob joins it at 14:30: each enters at the next
    hourly refresh, and the refreshes in between, which let nobody in, are not "stuck"."""
    scenario = {
        "start": NOW.isoformat(), "end": "P1D",
        "contacts": [{"id": "ann", "email": "ann@example.com", "attributes": {"city": "Austin"}},
                     {"id": "bob", "email": "bob@example.com", "attributes": {"city": "Dallas"}}],
        "events": [{"kind": "contact", "at": "PT5H30M", "person": "bob",
                    "set": {"city": "Austin"}}]}
    journey = segment_bundle("once_refresh", until=NOW + timedelta(days=2))
    assert simulate(tmp_path, journey, scenario, "--json") == 0
    out = capsys.readouterr()
    entered = {s["person"]: s["time"] for s in steps(out.out) if s["what"] == "entered"}
    assert entered == {"ann": "2026-11-23T10:00:00Z", "bob": "2026-11-23T15:00:00Z"}
    assert "stuck" not in out.err


def test_after_a_refresh_that_lets_nobody_in_the_engine_waits_for_the_next(harness_for) -> None:
    """Not at once again and again: the engine sleeps until the following refresh."""
    h = harness_for(segment_bundle("once_refresh", until=NOW + timedelta(days=2)))
    h.person("bob", attributes={"city": "Dallas"})
    h.advance(timedelta(hours=1, minutes=1))  # the first refresh, at 10:00, lets nobody in
    assert h.runs() == []
    assert h.runtime.next_due() == NOW + timedelta(hours=2)


def branching_bundle() -> object:
    big = ConditionGroup(items=[Condition(attribute="total", op="ge", value=100)])
    tiles = [TriggerTile(id="start"),
             AttributeBranchTile(id="size", name="Order size", branches=[
                 Branch(id="big", name="Big order", condition=big)]),
             SplitTile(id="split", mode="count", arms=[Arm(id="a", name="First one", count=1),
                                                       Arm(id="b")]),
             ExitTile(id="end-a"), ExitTile(id="end-b"), ExitTile(id="end-small")]
    edges = [Edge(source="start", target="size"),
             Edge(source="size", port="big", target="split"),
             Edge(source="size", port="other", target="end-small"),
             Edge(source="split", port="a", target="end-a"),
             Edge(source="split", port="b", target="end-b")]
    return bundle(tiles, edges)


BRANCH_SCENARIO = {
    "start": NOW.isoformat(), "end": "PT1H",
    "events": [{"kind": "trigger", "at": f"PT{i + 1}M", "trigger": "order_placed",
                "person": person, "attributes": {"total": total}}
               for i, (person, total) in enumerate([("ann", 150), ("bob", 150), ("cat", 5)])]}


def test_a_step_names_the_output_taken_by_its_port_id_and_its_label(tmp_path, capsys) -> None:
    assert simulate(tmp_path, branching_bundle(), BRANCH_SCENARIO, "--json") == 0
    branched = [(s["person"], s["tile"], s["branch"], s["branch_name"])
                for s in steps(capsys.readouterr().out) if s["what"] == "branched"]
    assert branched == [("ann", "size", "big", "Big order"),
                        ("ann", "split", "a", "First one (1)"),
                        ("bob", "size", "big", "Big order"),
                        ("bob", "split", "b", "rest"),
                        ("cat", "size", "other", "Other")]


def test_yes_and_no_are_port_ids_too_with_their_labels(capsys) -> None:
    cart = resource("samples", "abandoned_cart.json")
    assert main(["simulate", str(cart), "--json", "--scenario",
                 str(resource("samples", "abandoned_cart.scenario.json"))]) == 0
    branched = {(s["person"], s["branch"], s["branch_name"])
                for s in steps(capsys.readouterr().out) if s["what"] == "branched"}
    assert branched == {("ann", "yes", "Yes"), ("bob", "no", "No"), ("cat", "no", "No")}


def test_the_timeline_shows_the_label_and_the_port_id_when_they_differ(tmp_path,
                                                                       capsys) -> None:
    assert simulate(tmp_path, branching_bundle(), BRANCH_SCENARIO) == 0
    out = capsys.readouterr().out
    assert "branched      size (Order size): Big order [big]" in out
    assert "branched      split (Split): First one (1) [a]" in out
    assert "branched      size (Order size): Other\n" in out


def test_a_wait_into_another_year_says_its_year(tmp_path, capsys) -> None:
    """A wait from New Year's Eve read "until Fri 01 Jan 12:01", and one a trigger's date
    put at the end of the calendar (9000) "until Wed 01 Jan 00:00": as next New Year's."""
    written = json.loads(resource("samples", "abandoned_cart.scenario.json").read_text())
    (tmp_path / "s.json").write_text(json.dumps({**written, "start": "2026-12-31T12:00:00Z"}))
    assert main(["simulate", str(resource("samples", "abandoned_cart.json")), "--scenario",
                 str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "Thu 31 Dec 12:00  waiting       opened-email (Opened the email?) until Fri 01 " \
           "Jan 12:00 2027, for Initial email reminder opened" in out
    # within one year, none
    assert "Fri 01 Jan 12:00  waiting       wait-1-day (Wait a day) until Sat 02 Jan 12:00\n" \
        in out


def test_simulate_refuses_a_workspace_and_says_why(tmp_path, capsys) -> None:
    workspace = tmp_path / "w.waymark"
    assert simulate(tmp_path, branching_bundle(), BRANCH_SCENARIO,
                    "--workspace", str(workspace)) == 2
    err = capsys.readouterr().err
    assert "throw-away workspace" in err and "--keep DIR" in err
    assert not workspace.exists()


def test_a_simulation_collects_cycles_less_often_while_it_runs_and_puts_that_back(
        tmp_path) -> None:
    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    scenario = Scenario.model_validate(json.loads(
        resource("samples", "abandoned_cart.scenario.json").read_text()))
    before = gc.get_threshold()
    during = []
    Simulator(cart, scenario, on_record=lambda _r: during.append(gc.get_threshold())).run()
    assert during and all(t[0] > before[0] for t in during)
    assert gc.get_threshold() == before


CART = resource("samples", "abandoned_cart.json")


def test_a_contact_change_can_set_consents_and_an_opt_out_blocks_the_email(tmp_path,
                                                                            capsys) -> None:
    scenario = {"start": "2026-11-23T09:00:00Z", "end": "P1D",
                "contacts": [{"id": "ann", "email": "ann@example.com"}],
                "events": [{"at": "PT1H", "kind": "contact", "person": "ann", "set": {
                    "consents": [{"channel": "email", "status": "opted_out"}]}},
                           {"at": "PT2H", "kind": "trigger", "trigger": "abandoned_cart",
                            "person": "ann", "attributes": {"cart_total": 120}}]}
    assert simulate(tmp_path, read_bundle(CART), scenario, "--json") == 0
    email = next(s for s in steps(capsys.readouterr().out) if s.get("tile") == "email-reminder")
    assert email["what"] == "blocked" and "opted out" in email["reason"]


def test_a_contact_change_that_is_not_a_contact_is_refused_naming_it(tmp_path,
                                                                     capsys) -> None:
    scenario = {"start": "2026-11-23T09:00:00Z", "end": "P1D",
                "contacts": [{"id": "ann", "email": "ann@example.com"}],
                "events": [{"at": "PT1H", "kind": "contact", "person": "ann", "set": {
                    "consents": [{"channel": "email", "status": "maybe"}]}}]}
    assert simulate(tmp_path, read_bundle(CART), scenario) == 2
    err = capsys.readouterr().err
    assert "contact 'ann'" in err and "consents" in err and "Traceback" not in err


def test_a_scenario_item_the_socket_would_refuse_is_refused_naming_its_place(
        tmp_path, capsys) -> None:
    """Simulated as written, an event of `abandoned_kart` took its person nowhere without
    a word, and "cart_total": "lots" said "entry blocked: unmet trigger condition"."""
    cart = {"at": "PT0S", "kind": "trigger", "trigger": "abandoned_cart"}
    scenario = {"start": "2026-11-23T09:00:00Z", "end": "P1D", "events": [
        {**cart, "person": "ann", "attributes": {"cart_total": 120}},
        {**cart, "person": "bob", "attributes": {"cart_total": "lots"}},
        {**cart, "trigger": "abandoned_kart", "person": "cat", "attributes": {}},
        {**cart, "person": "dan", "attributes": {"cart_totl": 40}},
        {"at": "PT1H", "kind": "record", "table": "cases", "id": "C1", "values": {}},
        {"at": "PT1H", "kind": "record", "table": "case", "id": "C1",
         "values": {"customer": "ann", "satisfaction": "two"}},
        {"at": "PT1H", "kind": "record", "table": "case", "id": "C1", "values": {"statu": 1}},
    ]}
    assert simulate(tmp_path, read_bundle(CART), scenario) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert "at $.events[1].attributes.cart_total: expected a number, got text" in err
    assert ("at $.events[2].trigger: no trigger 'abandoned_kart' in the bundle (did you "
            "mean abandoned_cart?)") in err
    assert "at $.events[3].attributes.cart_totl: unknown attribute" in err
    assert "at $.events[4].table: no record table 'cases' in the bundle (did you mean case?)" \
        in err
    assert "at $.events[5].values.satisfaction: expected a number, got text" in err
    assert "at $.events[6].values.statu: table 'case' has no column 'statu' (did you mean " \
        "status?)" in err
    assert "events[0]" not in err


def test_a_missing_publish_bundle_is_an_error_not_a_traceback_and_the_first_in_time(
        tmp_path, capsys) -> None:
    scenario = {"start": "2026-11-23T09:00:00Z", "end": "P1D",
                "contacts": [{"id": "ann", "email": "ann@example.com"}],
                "events": [{"at": "PT2H", "kind": "journey", "action": "publish",
                            "bundle": "missing-a.json"},
                           {"at": "PT1H", "kind": "journey", "action": "publish",
                            "bundle": "missing-b.json"}]}
    assert simulate(tmp_path, read_bundle(CART), scenario) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "events[1].bundle" in err and "missing-b" in err


def test_a_throw_away_simulation_counts_what_a_kept_one_counts_without_finishing_it(
        tmp_path) -> None:
    """Nobody reads a throw-away simulation's messages or the events its deliveries raise:
    the emails are rendered but not finished and the counted-only events are not stored.
    What it counts (the summary, every step) is what a kept simulation counts."""
    from engine.simulation.audience import generate, load_spec
    from engine.simulation.summary import simulation_summary
    cart = read_bundle(CART)
    spec = {**json.loads(resource("samples", "abandoned_cart.audience.json").read_text()),
            "people": 150}
    scenario = generate(load_spec(json.dumps(spec).encode(), "spec"), cart, "spec")
    seen: dict[str, dict] = {}

    def finished(name: str):
        def look(workspace) -> None:
            with workspace.db.connect() as conn:
                events = dict(conn.exec_driver_sql(
                    "SELECT trigger, count(*) FROM events GROUP BY trigger").all())
                payload = conn.exec_driver_sql(
                    "SELECT payload FROM ledger WHERE channel = 'email' LIMIT 1").scalar()
            seen[name] = {"summary": simulation_summary(workspace, cart.journey.id),
                          "events": events, "email": json.loads(payload)}
        return look

    kept = Simulator(cart, scenario, tmp_path / "kept", on_finish=finished("kept")).run()
    thrown = Simulator(cart, scenario, on_finish=finished("thrown")).run()
    assert [(r.at, r.what, r.contact_id, r.tile_id, r.reason) for r in thrown.records] == [
        (r.at, r.what, r.contact_id, r.tile_id, r.reason) for r in kept.records]
    assert seen["thrown"]["summary"] == seen["kept"]["summary"]
    assert seen["kept"]["summary"]["messages"]["delivered"] > 100
    assert seen["kept"]["events"]["email_delivered"] > 100
    assert "email_delivered" not in seen["thrown"]["events"]
    assert seen["thrown"]["events"]["abandoned_cart"] == seen["kept"]["events"]["abandoned_cart"]
    kept_email, thrown_email = seen["kept"]["email"], seen["thrown"]["email"]
    assert "/t/o/" in kept_email["parts"]["html"] and kept_email["parts"]["text"]
    assert "/t/o/" not in thrown_email["parts"]["html"]
    assert kept_email["context"]["contact"] and thrown_email["context"] == {}


def test_a_text_after_a_phone_change_goes_to_the_new_number(tmp_path) -> None:
    """The simulation keeps the contacts it has read between moments; a contact change in
    the scenario is read again: Ann's reminder text, a day after her email, goes to the
    number she changed to in between."""
    scenario = Scenario.model_validate({
        "start": "2026-11-23T09:00:00Z", "end": "P3D",
        "contacts": [{"id": "ann", "email": "ann@example.com", "phone": "+14155550100"}],
        "events": [{"at": "PT1M", "kind": "trigger", "trigger": "abandoned_cart",
                    "person": "ann", "attributes": {"cart_total": 120}},
                   {"at": "PT2H", "kind": "contact", "person": "ann",
                    "set": {"phone": "+14155550199"}}]})
    sent: dict[str, str] = {}

    def look(workspace) -> None:
        with workspace.db.connect() as conn:
            sent.update(conn.exec_driver_sql(
                "SELECT channel, contact_point FROM ledger WHERE channel != 'push'").all())

    Simulator(read_bundle(CART), scenario, on_finish=look).run()
    assert sent == {"email": "ann@example.com", "sms": "+14155550199"}
