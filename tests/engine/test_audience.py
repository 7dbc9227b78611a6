"""A generated audience (`waymark simulate --generate`): drawn as asked, reproducible from
its seed, refused naming the field when it does not fit the bundle, and simulated end to
end with a summary whose counts agree with the people generated."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime

import jsonschema
import pytest

from engine.cli import main
from engine.model import DocumentError, read_bundle
from engine.model.conditions import ConditionGroup
from engine.model.durations import parse_duration
from engine.resources import resource
from engine.simulation.audience import AudienceSpec, generate, load_spec, starter_spec

BUNDLE = read_bundle(resource("samples", "abandoned_cart.json"))
SAMPLE = json.loads(resource("samples", "abandoned_cart.audience.json").read_text())


def spec(people: int = 3000, seed: int = 7, **changes) -> AudienceSpec:
    data = {**copy.deepcopy(SAMPLE), "people": people, "seed": seed, **changes}
    return AudienceSpec.model_validate(data)


def seconds(at: str) -> int:
    return int(parse_duration(at).total_seconds())


def items(scenario, trigger=None, interaction=None) -> dict[str, int]:
    """person -> seconds after the start, for one kind of scenario item."""
    return {e.person: seconds(e.at) for e in scenario.events
            if (trigger and getattr(e, "trigger", None) == trigger)
            or (interaction and getattr(e, "interaction", None) == interaction)}


def test_the_sample_spec_satisfies_its_published_schema() -> None:
    schema = json.loads(resource("schema", "audience-spec.schema.json").read_text())
    jsonschema.validate(SAMPLE, schema)


def test_the_people_and_their_attributes_are_drawn_as_asked() -> None:
    scenario = generate(spec(), BUNDLE)
    assert len(scenario.contacts) == len({c.id for c in scenario.contacts}) == 3000
    entries = [e for e in scenario.events if getattr(e, "trigger", "") == "abandoned_cart"]
    assert {e.person for e in entries} == {c.id for c in scenario.contacts}
    totals = [e.attributes["cart_total"] for e in entries]
    assert all(20 <= t <= 200 for t in totals) and 100 < sum(totals) / len(totals) < 120
    assert all(isinstance(e.attributes["item_count"], int)
               and 1 <= e.attributes["item_count"] <= 6 for e in entries)
    assert all(0 <= seconds(e.at) <= 12 * 3600 for e in entries)  # the 12-hour period
    assert all(c.email for c in scenario.contacts)
    assert 0.27 < sum(bool(c.phone) for c in scenario.contacts) / 3000 < 0.33


def test_behaviours_happen_to_the_asked_share_within_their_window() -> None:
    scenario = generate(spec(), BUNDLE)
    entered = items(scenario, trigger="abandoned_cart")
    opened, clicked = items(scenario, interaction="opened"), items(scenario, interaction="clicked")
    bought = items(scenario, trigger="purchase_completed")
    assert 0.37 < len(opened) / 3000 < 0.43
    assert 0.08 < len(clicked) / 3000 < 0.12
    assert 0.035 < len(bought) / 3000 < 0.065
    assert all(60 <= opened[p] - entered[p] <= 6 * 3600 for p in opened)
    # "after": 0 — only openers click, within the hour after they opened
    assert all(p in opened and 60 <= clicked[p] - opened[p] <= 3600 for p in clicked)
    assert all(60 <= bought[p] - entered[p] <= 2 * 86400 for p in bought)
    totals = [e.attributes["order_total"] for e in scenario.events
              if getattr(e, "trigger", "") == "purchase_completed"]
    assert all(20 <= t <= 200 for t in totals)  # the normal draw, clipped
    assert {c.attributes["firstname"] for c in scenario.contacts} == {"Ann", "Bob", "Cat", "Dan"}


def test_times_fall_on_the_minute_unless_the_spec_asks_for_seconds() -> None:
    """The resolution moves times, not who does what: the same people enter, open, click
    and buy, each within their window, on whole minutes (PT1M, the default: people who
    share a minute are stepped together) or on any second (PT1S)."""
    minutes, each_second = (generate(spec(**given), BUNDLE)
                            for given in ({}, {"resolution": "PT1S"}))
    for kind in ({"trigger": "abandoned_cart"}, {"interaction": "opened"},
                 {"interaction": "clicked"}, {"trigger": "purchase_completed"}):
        on_minutes, on_seconds = items(minutes, **kind), items(each_second, **kind)
        assert on_minutes.keys() == on_seconds.keys()
        assert all(at % 60 == 0 for at in on_minutes.values()), kind
        assert sum(at % 60 != 0 for at in on_seconds.values()) > len(on_seconds) / 2, kind
    entered, opened = items(minutes, trigger="abandoned_cart"), items(minutes, interaction="opened")
    clicked = items(minutes, interaction="clicked")
    # each time moved by less than a minute from the one drawn to the second, after what
    # it comes after (a click after its open)
    by_second = [items(each_second, trigger="abandoned_cart"),
                 items(each_second, interaction="opened"),
                 items(each_second, interaction="clicked")]
    assert all(abs(entered[p] - by_second[0][p]) < 60 for p in entered)
    for (base, then), (base_s, then_s) in (((entered, opened), by_second[:2]),
                                          ((opened, clicked), by_second[1:])):
        assert all(abs((then[p] - base[p]) - (then_s[p] - base_s[p])) < 60 for p in then)
    assert all(0 <= at <= 12 * 3600 for at in entered.values())
    assert all(60 <= opened[p] - entered[p] <= 6 * 3600 for p in opened)
    assert all(60 <= clicked[p] - opened[p] <= 3600 for p in clicked)
    # far fewer moments to step: ~720 minutes of entries, not ~3000 seconds
    assert len(set(entered.values())) <= 721 < len(set(items(each_second,
                                                           trigger="abandoned_cart").values()))


def test_a_window_holding_no_whole_step_keeps_the_time_drawn() -> None:
    """Opened within 90 s, on hourly steps: no whole hour lies between a minute and 90 s
    after entry, so the opens keep their seconds rather than leave their window."""
    changed = copy.deepcopy(SAMPLE["behaviours"])
    changed[0]["within"] = "PT90S"
    scenario = generate(spec(behaviours=changed, resolution="PT1H"), BUNDLE)
    entered, opened = (items(scenario, trigger="abandoned_cart"),
                       items(scenario, interaction="opened"))
    assert all(at % 3600 == 0 for at in entered.values())
    assert opened and all(60 <= opened[p] - entered[p] <= 90 for p in opened)


def test_the_same_seed_gives_the_same_scenario_byte_for_byte() -> None:
    first = generate(spec(people=500), BUNDLE).model_dump_json()
    assert generate(spec(people=500), BUNDLE).model_dump_json() == first
    assert generate(spec(people=500, seed=8), BUNDLE).model_dump_json() != first


def bad(path: list, value) -> dict:
    data = copy.deepcopy(SAMPLE)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


BAD_SPECS = [
    (bad(["entry", "trigger"], "abandoned_kart"), "$.entry.trigger",
     "no trigger 'abandoned_kart' in the bundle (did you mean abandoned_cart?)"),
    (bad(["entry", "attributes", "cart_totl"], {"uniform": [1, 2]}),
     "$.entry.attributes.cart_totl", "no attribute 'cart_totl' (did you mean cart_total?)"),
    (bad(["entry", "attributes", "currency"], {"uniform": [1, 2]}),
     "$.entry.attributes.currency.uniform", "a text attribute cannot hold numbers"),
    (bad(["entry", "attributes", "cart_total"], {"constant": "lots"}),
     "$.entry.attributes.cart_total.constant", "a number attribute cannot hold 'lots'"),
    (bad(["entry", "attributes", "cart_total"], {"choice": {"ten": 1}}),
     "$.entry.attributes.cart_total.choice", "'ten' is not a number"),
    (bad(["behaviours", 1, "does", "tile"], "email-remindr"), "$.behaviours[1].does.tile",
     "no message tile 'email-remindr' in the journey (did you mean email-reminder?)"),
    (bad(["behaviours", 0, "does"], {"kind": "interaction", "tile": "sms-reminder",
                                     "interaction": "opened"}),
     "$.behaviours[0].does.interaction", "sms messages have no 'opened'"),
    (bad(["behaviours", 2, "does", "attributes", "order_id"], {"uniform": [1, 9]}),
     "$.behaviours[2].does.attributes.order_id.uniform", "a text attribute cannot hold"),
    (bad(["behaviours", 2, "does", "trigger"], "purchase"), "$.behaviours[2].does.trigger",
     "no trigger 'purchase'"),
]


@pytest.mark.parametrize(("data", "place", "message"), BAD_SPECS,
                         ids=[case[1] for case in BAD_SPECS])
def test_a_spec_that_does_not_fit_the_bundle_is_refused_naming_the_field(
        data, place, message) -> None:
    with pytest.raises(DocumentError) as refused:
        generate(load_spec(json.dumps(data), "spec.json"), BUNDLE, "spec.json")
    assert refused.value.path == place
    assert message in refused.value.detail
    assert str(refused.value).startswith(f"spec.json, at {place}: ")


MALFORMED = [
    (bad(["people"], 0), "$.people"),
    (bad(["people"], 2_000_000), "$.people"),
    (bad(["behaviours", 0, "share"], 1.5), "$.behaviours[0].share"),
    (bad(["behaviours", 0, "within"], "six hours"), "$.behaviours[0].within"),
    (bad(["behaviours", 0, "after"], 1), "$.behaviours[0].after"),
    (bad(["behaviours", 1, "share"], 0.5), "$.behaviours[1].share"),
    (bad(["period"], "half a day"), "$.period"),
    (bad(["resolution"], "PT0S"), "$.resolution"),
    (bad(["resolution"], "P1D"), "$.resolution"),
    (bad(["resolution"], "PT0.5S"), "$.resolution"),
    (bad(["resolution"], "a minute"), "$.resolution"),
    (bad(["entry", "attributes", "cart_total"], {"unifrom": [20, 200]}),
     "$.entry.attributes.cart_total.unifrom"),
    (bad(["entry", "attributes", "cart_total"], {"uniform": [200, 20]}),
     "$.entry.attributes.cart_total.uniform"),
    (bad(["entry", "attributes", "cart_total"], {"uniform": [1, 2], "constant": 3}),
     "$.entry.attributes.cart_total"),
]


@pytest.mark.parametrize(("data", "place"), MALFORMED, ids=[case[1] for case in MALFORMED])
def test_a_malformed_spec_is_refused_naming_the_field(data, place) -> None:
    with pytest.raises(DocumentError) as refused:
        load_spec(json.dumps(data), "spec.json")
    assert refused.value.path == place


def run_cli(tmp_path, capsys, data: dict, *options: str) -> tuple[int, str, str]:
    (tmp_path / "spec.json").write_text(json.dumps(data))
    code = main(["simulate", str(resource("samples", "abandoned_cart.json")),
                 "--generate", str(tmp_path / "spec.json"), *options])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulating_a_generated_audience_gives_a_consistent_summary(tmp_path, capsys) -> None:
    data = {**SAMPLE, "people": 200}
    code, out, _ = run_cli(tmp_path, capsys, data, "--summary", "--json")
    assert code == 0
    tiles = {t["tile"]: t for t in json.loads(out)["summary"]["tiles"]}
    scenario = generate(AudienceSpec.model_validate(data), BUNDLE)
    qualified = sum(e.attributes["cart_total"] > 50 for e in scenario.events
                    if getattr(e, "trigger", "") == "abandoned_cart")
    assert tiles["start"]["entered"] == 200
    assert tiles["start"]["moved_on"] == tiles["email-reminder"]["entered"] == qualified
    assert tiles["start"]["left"] == {"unmet trigger condition": 200 - qualified}
    # 40 % open within 6 hours, well inside the wait-for's day: its Yes is about 40 %
    share = tiles["exit-opened"]["entered"] / tiles["opened-email"]["entered"]
    assert 0.3 < share < 0.5
    assert all(t["still_there"] == 0 for t in tiles.values())


def test_the_text_summary_lists_the_tiles(tmp_path, capsys) -> None:
    code, out, _ = run_cli(tmp_path, capsys, {**SAMPLE, "people": 30}, "--summary")
    assert code == 0
    assert "Opened the email?" in out and "messages: sent" in out


def test_the_cli_refuses_a_bad_spec_naming_the_file_and_field(tmp_path, capsys) -> None:
    data = bad(["behaviours", 1, "does", "tile"], "email-remindr")
    code, out, err = run_cli(tmp_path, capsys, data)
    assert code != 0 and out == ""
    assert "spec.json, at $.behaviours[1].does.tile: no message tile 'email-remindr'" in err


def test_scenario_and_generate_are_one_or_the_other(tmp_path, capsys) -> None:
    (tmp_path / "spec.json").write_text(json.dumps(SAMPLE))
    with pytest.raises(SystemExit):
        main(["simulate", str(resource("samples", "abandoned_cart.json")),
              "--generate", str(tmp_path / "spec.json"),
              "--scenario", str(resource("samples", "abandoned_cart.scenario.json"))])
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_summary_of_a_written_scenario_counts_its_four_people(capsys) -> None:
    code = main(["simulate", str(resource("samples", "abandoned_cart.json")), "--scenario",
                 str(resource("samples", "abandoned_cart.scenario.json")), "--summary", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    tiles = {t["tile"]: t for t in summary["tiles"]}
    # ann, bob and cat have carts over 50; ann opens the email, cat buys on day two
    assert tiles["start"]["moved_on"] == 3 and tiles["exit-opened"]["entered"] == 1
    assert summary["goal"]["met"] == 1 and summary["messages"]["sent"] >= 3


def test_interactions_of_people_who_never_got_the_message_are_one_line(tmp_path,
                                                                       capsys) -> None:
    """Generated opens and clicks also fall to people whose cart did not qualify; they were
    a note each (20 lines, then "… and 94 more"). Now one line says how many and why."""
    code, _, err = run_cli(tmp_path, capsys, {**SAMPLE, "people": 200}, "--summary")
    assert code == 0
    ignored = [line for line in err.splitlines() if "never got" in line]
    assert len(ignored) == 1, err
    assert re.fullmatch(r"note: \d+ interactions ignored: the person never got that message "
                        r"\(not entered, blocked or held before it\)", ignored[0])
    assert "no such message was sent to them" not in err


@pytest.mark.parametrize("kind", ["generate", "scenario"])
def test_a_duration_past_the_calendar_is_refused_naming_its_field(tmp_path, capsys,
                                                                  kind) -> None:
    """P99999999D ended in an OverflowError traceback, from a spec and a scenario alike."""
    if kind == "generate":
        code, out, err = run_cli(tmp_path, capsys, {**SAMPLE, "period": "P99999999D"})
        where = "at $.period"
    else:
        written = json.loads(resource("samples", "abandoned_cart.scenario.json").read_text())
        (tmp_path / "s.json").write_text(json.dumps({**written, "end": "P99999999D"}))
        code = main(["simulate", str(resource("samples", "abandoned_cart.json")),
                     "--scenario", str(tmp_path / "s.json")])
        out, err = capsys.readouterr()
        where = "s.json"
    assert code == 2 and out == ""
    assert where in err and "'P99999999D' after the start is past the year 9999" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("kind", "start", "said"), [
    ("generate", "0001-01-01T00:00:00+14:00", "at $.start: 0001-01-01T00:00:00+14:00 is "
     "before 1970-01-01 (UTC), the earliest a simulation may start"),
    ("scenario", "0001-01-01T00:00:00Z", "at $.start: 0001-01-01T00:00:00+00:00 is before"),
    ("generate", "8999-12-31T00:00:00Z", "at $.end: 9000-01-04T00:00:00+00:00 is after "
     "9000-01-01 (UTC), the latest a simulation may end"),
    ("scenario", "9999-12-25T00:00:00Z", "at $.end: 9999-12-30T00:00:00+00:00 is after"),
])
def test_a_period_at_the_calendars_ends_is_refused_naming_its_field(
        tmp_path, capsys, kind, start, said) -> None:
    """Hostile input: a spec or scenario starting on 0001-01-01 ended in a traceback (the
    runtime reckons 90 days back from any moment); one in late December 9999 set every
    event aside, its waits past the calendar. A simulation runs from 1970 to 9000."""
    if kind == "generate":
        code, out, err = run_cli(tmp_path, capsys, {**SAMPLE, "start": start, "end": "P4D"})
    else:
        written = json.loads(resource("samples", "abandoned_cart.scenario.json").read_text())
        (tmp_path / "s.json").write_text(json.dumps({**written, "start": start}))
        code = main(["simulate", str(resource("samples", "abandoned_cart.json")),
                     "--scenario", str(tmp_path / "s.json")])
        out, err = capsys.readouterr()
    assert (code, out) == (2, "") and said in err, err
    assert "Traceback" not in err and "set aside" not in err


@pytest.mark.parametrize("sample", ["abandoned_cart.json", "brew_guide.json",
                                    "case_resolved_survey.json"])
def test_a_spec_made_from_a_journey_fits_it_and_lets_most_people_in(sample, tmp_path,
                                                                   capsys) -> None:
    """The studio's starting spec for a journey without one (`starter_spec`): valid for
    the journey, the entry's own conditions met by most people, each message opened or
    clicked by some, the goal reached by a few. Simulated: most people enter (the case
    survey, started by a record trigger, once let nobody in: its people came as trigger
    events with no case, and "case.status equals Resolved" stopped all 300)."""
    bundle = read_bundle(resource("samples", sample))
    start = datetime(2026, 12, 2, 9, tzinfo=UTC)
    made = starter_spec(bundle, start, people=300)
    scenario = generate(load_spec(json.dumps(made)), bundle)
    (tmp_path / "spec.json").write_text(json.dumps(made))
    assert main(["simulate", str(resource("samples", sample)), "--generate",
                 str(tmp_path / "spec.json"), "--summary", "--json"]) == 0
    tiles = {t["tile"]: t for t in json.loads(capsys.readouterr().out)["summary"]["tiles"]}
    first = tiles[next(t.id for t in bundle.journey.tiles if t.kind == "trigger")]
    assert first["entered"] == 300 and first["moved_on"] > 150, first
    entries = [e for e in scenario.events if e.kind == "trigger"
               and e.trigger == bundle.journey.start.trigger]
    if sample == "case_resolved_survey.json":  # a case resolved about each person
        changes = [e for e in scenario.events if e.kind == "record"]
        assert {e.table for e in changes} == {"case"} and len(changes) == 600
        assert sum(e.values.get("status") == "Resolved" for e in changes) == 300
        assert first["moved_on"] == 300 and not entries
    else:
        assert len(entries) == 300
    assert scenario.start == start
    messages = {t.id for t in bundle.journey.tiles if t.kind in ("email", "sms", "push")}
    assert {b["does"]["tile"] for b in made["behaviours"] if "tile" in b["does"]} == messages
    conditions = bundle.journey.start.conditions
    if sample == "abandoned_cart.json":  # cart_total > 50: about two in three
        met = sum(1 for e in entries if e.attributes["cart_total"] > 50)
        assert 150 < met < 260
        assert made["behaviours"][-1]["does"]["trigger"] == "purchase_completed"  # the goal
    elif sample == "brew_guide.json":  # form_name equals the guide's form: everyone
        assert {e.attributes["form_name"] for e in entries} == {
            next(c.value for c in conditions.leaves() if c.attribute == "form_name")}


def test_no_spec_is_made_for_a_journey_without_an_entry_trigger() -> None:
    bundle = read_bundle(resource("samples", "abandoned_cart.json"))
    start = bundle.journey.start.model_copy(update={"trigger": None})
    journey = bundle.journey.model_copy(update={"start": start})
    assert starter_spec(bundle.model_copy(update={"journey": journey}),
                        datetime(2026, 12, 2, tzinfo=UTC)) is None


def test_a_number_past_what_a_float_holds_is_refused_naming_its_field() -> None:
    """1e999 reads as infinity: it drew infinite cart totals (and, made whole, stopped
    the generator with an OverflowError)."""
    text = json.dumps({**SAMPLE, "people": 3}).replace('"uniform": [20, 200]',
                                                      '"uniform": [20, 1e999]')
    with pytest.raises(DocumentError) as refused:
        load_spec(text, "spec.json")
    assert "$.entry.attributes.cart_total.uniform[1]" in str(refused.value)
    assert "finite" in str(refused.value)


@pytest.mark.parametrize("condition", [
    {"attribute": "cart_total", "op": "gt", "value": 1e308},  # 2.5 times it is infinite
    {"attribute": "cart_total", "op": "lt", "value": -5},  # no range from 0 up to it
    {"attribute": "no_such", "op": "equals", "value": "x"},  # not the trigger's
    {"attribute": "authId", "op": "equals", "value": "ann"}])  # the generator's to give
def test_a_spec_made_from_odd_entry_conditions_is_still_one_that_runs(condition) -> None:
    """The made spec must never be one the person is told is wrong: a condition it cannot
    meet with a valid draw keeps the plain draw."""
    start = BUNDLE.journey.start.model_copy(update={"conditions": ConditionGroup(
        items=[{"source": "trigger", **condition}])})
    bundle = BUNDLE.model_copy(update={"journey": BUNDLE.journey.model_copy(
        update={"start": start})})
    made = starter_spec(bundle, datetime(2026, 12, 2, tzinfo=UTC), people=20)
    assert len(generate(load_spec(json.dumps(made)), bundle).contacts) == 20
    assert condition["attribute"] not in ("no_such", "authId") or \
        condition["attribute"] not in made["entry"]["attributes"]


@pytest.mark.parametrize(("name", "draw", "place", "message"), [
    ("statsu", {"constant": "Resolved"}, "$.entry.attributes.statsu",
     "no attribute 'statsu' (did you mean status?)"),
    ("customer", {"constant": "ann"}, "$.entry.attributes.customer",
     "no attribute 'customer'"),  # the person the case is about: the generator's
    ("satisfaction", {"constant": "happy"}, "$.entry.attributes.satisfaction.constant",
     "a number attribute cannot hold 'happy'"),
])
def test_a_record_triggers_entry_draws_its_records_columns_named_as_in_its_table(
        name, draw, place, message) -> None:
    bundle = read_bundle(resource("samples", "case_resolved_survey.json"))
    made = starter_spec(bundle, datetime(2026, 12, 2, tzinfo=UTC), people=10)
    assert set(made["entry"]["attributes"]) == {"title", "status", "priority", "satisfaction"}
    made["entry"]["attributes"][name] = draw
    with pytest.raises(DocumentError) as refused:
        generate(load_spec(json.dumps(made), "spec.json"), bundle, "spec.json")
    assert refused.value.path == place and message in refused.value.detail


def test_a_spec_pauses_and_resumes_the_journey_and_people_are_held_meanwhile(
        tmp_path, capsys) -> None:
    """The lifecycle rules seen with a generated audience (issue 15): paused from 6 hours
    to 2 days, people who came then were held at the entry and went on at resume."""
    data = {**SAMPLE, "people": 200,
            "journey": [{"at": "PT6H", "action": "pause"}, {"at": "P2D", "action": "resume"}]}
    scenario = generate(load_spec(json.dumps(data)), BUNDLE)
    assert [(e.at, e.action) for e in scenario.events if e.kind == "journey"] == [
        ("PT21600S", "pause"), ("PT172800S", "resume")]
    code, out, _ = run_cli(tmp_path, capsys, data, "--summary", "--json")
    assert code == 0
    summary = json.loads(out)["summary"]
    held = {r["tile"]: r["count"] for r in summary["reasons"]
            if r["what"] == "held" and r["reason"] == "journey paused"}
    assert held.get("start", 0) > 50  # entries spread over 12 hours: half came while paused
    assert all(t["still_there"] == 0 for t in summary["tiles"])  # resumed: all went on


@pytest.mark.parametrize(("journey", "place", "message"), [
    ([{"at": "PT6H", "action": "resume"}], "$.journey[0].action",
     "cannot resume a journey that is live (not paused) at PT6H"),
    ([{"at": "P9D", "action": "pause"}], "$.journey[0].at",
     "P9D is after the simulation ends (P5D)"),
    ([{"at": "P2D", "action": "pause"}, {"at": "P1D", "action": "resume"}],
     "$.journey[1].at", "before the change above it"),
    ([{"at": "P1D", "action": "stop"}, {"at": "P2D", "action": "pause"}],
     "$.journey[1].action", "cannot pause a journey that is stopped"),
    ([{"at": "P1D", "action": "publish"}], "$.journey[0].action", "'pause', 'resume' or "),
    ([{"at": "P1D", "action": "stop"}] * 21, "$.journey", "at most 20"),  # a hostile file
])
def test_journey_changes_the_journey_cannot_take_are_refused_naming_them(
        journey, place, message) -> None:
    with pytest.raises(DocumentError) as refused:
        load_spec(json.dumps({**SAMPLE, "journey": journey}), "spec.json")
    assert refused.value.path == place and message in refused.value.detail, refused.value
