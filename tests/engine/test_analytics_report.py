"""The analytics report (`waymark stats JOURNEY --json/--csv`, the studio's dashboard) on a
workspace filled by the real runtime: the abandoned-cart sample, people carted, emailed,
opening, buying, blocked, and a test run that never counts."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.analytics_report import journey_report, workspace_report_mark
from engine.cli import main
from engine.model import read_bundle
from engine.resources import resource
from engine.store.analytics import journey_stats, version_stats
from engine.store.journeys_store import TEST_VERSION
from engine.store.steps_store import RETENTION
from tests.engine.harness import START, Harness

CART = "abandoned-cart"


@pytest.fixture
def cart(harness_for):
    return fill_cart(harness_for(read_bundle(resource("samples", "abandoned_cart.json"))))


def fill_cart(h):
    """ann and cat carted (emailed; ann opens it, cat buys), bob's cart too small, dan has
    no email address (blocked), and tess tried the draft in test mode."""
    for person in ("ann", "bob", "cat", "tess"):
        h.person(person)
    h.person("dan", email=None)
    h.workspace.save_contact(h.workspace.contact("tess").model_copy(update={"test": True}))
    for person, total in (("ann", 80), ("bob", 20), ("cat", 90), ("dan", 70)):
        h.fire("abandoned_cart", person, cart_total=total)
    h.deliver()
    h.advance(timedelta(hours=3))
    h.interact("ann", "email-reminder", "email_opened")
    h.fire("purchase_completed", "cat")
    assert h.workspace.start_test(CART).started
    h.runtime.reload_versions()
    h.fire("abandoned_cart", "tess", cart_total=80)
    return h


def report(h, journey: str = CART, **period):
    with h.workspace.db.connect() as conn:
        return journey_report(conn, h.workspace.load_journey(journey), **period)


def totals(rep) -> dict[str, int]:
    out: dict[str, int] = {}
    for point in rep.series:
        for what, n in point.counts.items():
            out[what] = out.get(what, 0) + n
    return out


def test_without_a_range_the_funnel_is_the_counters_of_every_published_version(cart) -> None:
    rep = report(cart)
    with cart.workspace.db.connect() as conn:
        stats = journey_stats(conn, CART)
        assert version_stats(conn, CART, TEST_VERSION).tiles["start"].inflow == 1  # tess
    assert {row.version for row in rep.funnel} == {1}  # the test run (version 0) is not here
    by_tile = {row.tile_id: row for row in rep.funnel}
    assert rep.funnel[0].tile_id == "start"  # in the journey's order
    for tile_id, tile in stats[1].tiles.items():
        row = by_tile[tile_id]
        assert (row.entered, row.moved_on, row.left, row.still_there) == (
            tile.inflow, tile.processed, tile.exited, tile.processing)
    assert by_tile["start"].entered == 4
    assert by_tile["start"].left == {"unmet trigger condition": 1}  # bob's small cart


def test_messages_goal_and_reasons_are_counted_from_what_happened(cart) -> None:
    rep = report(cart)
    sums = totals(rep)
    assert sums["sent"] == 2 and sums["delivered"] == 2 and sums["opened"] == 1
    assert sums["blocked"] == 1  # dan: no email address
    assert [(r.what, r.tile_id, r.reason.split(":")[0]) for r in rep.reasons] == [
        ("blocked", "email-reminder", "no email address"),
        ("entry blocked", "start", "unmet trigger condition")]
    goal = rep.goal
    assert (goal.trigger, goal.target_kind, goal.target_value) == (
        "purchase_completed", "percent", 50.0)
    # bob's entry was blocked: three entered, one bought, a third against a half
    assert (goal.entered, goal.met) == (3, 1) and round(goal.share) == 33 and not goal.reached
    assert [(v.version, v.entered, v.goal_met) for v in rep.versions] == [(1, 3, 1)]
    assert rep.has_data


def test_without_a_range_the_goal_counts_everyone_who_entered_after_the_trail_forgot_them(
        cart) -> None:
    """The trail keeps 90 days; the goals and the counters keep everything. A report
    without a range counted its entries from the trail: 91 days on, "1 of 0 people who
    entered" (its share none) and version 1 with nobody in it."""
    before = report(cart)
    cart.advance(RETENTION + timedelta(days=1))  # the runtime's housekeeping prunes
    with cart.workspace.db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM steps WHERE what = 'entered' "
                                 "AND version = 1")).scalar() == 0
    after = report(cart)
    assert (after.goal.entered, after.goal.met) == (before.goal.entered, before.goal.met) \
        == (3, 1)
    assert [(v.version, v.entered, v.goal_met) for v in after.versions] == [(1, 3, 1)]


def test_a_period_counts_only_what_happened_in_it(cart) -> None:
    after = report(cart, start=START + timedelta(hours=1), end=START + timedelta(days=1))
    assert after.bucket == "hour"  # a day's range is drawn per hour
    assert totals(after) == {"opened": 1, **dict.fromkeys(
        ("sent", "delivered", "clicked", "bounced", "blocked", "unsubscribed"), 0)}
    assert (after.goal.entered, after.goal.met) == (0, 1)  # cat bought in it
    # the funnel follows the range: ann came to her exit in it (she had waited since
    # before it began: counted where she came, not again where she was)
    assert [(row.tile_id, row.entered, row.moved_on) for row in after.funnel] == [
        ("exit-opened", 1, 1)]
    before = report(cart, end=START)
    assert before.series == [] and before.goal.met == 0 and before.bucket == "day"
    hour = [p.at for p in after.series]
    assert hour == ["2026-11-23T12:00:00Z"]  # the hour ann opened, starting on the hour


def test_a_journey_nobody_entered_has_no_data(harness_for) -> None:
    h = harness_for(read_bundle(resource("samples", "abandoned_cart.json")))
    rep = report(h)
    assert not rep.has_data and rep.series == [] and rep.goal.entered == 0


def test_stats_json_and_csv_print_the_report(cart, capsys) -> None:
    assert main(["stats", CART, "--json", "--workspace", cart.location]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(report(cart).to_json()))
    assert round(printed["goal"]["share"]) == 33 and printed["goal"]["reached"] is False
    assert main(["stats", CART, "--csv", "--from", "2026-11-01", "--to", "2026-12-01",
                 "--workspace", cart.location]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    sent = sum(int(r["value"]) for r in rows if (r["section"], r["metric"]) ==
               ("messages", "sent"))
    assert sent == 2
    assert {"section": "funnel", "version": "1", "tile_id": "start", "name": "Abandoned cart",
            "metric": "left", "reason": "unmet trigger condition", "period": "",
            "value": "1"} in rows
    assert main(["stats", CART, "--workspace", cart.location]) == 0  # the text stays
    assert "version 1" in capsys.readouterr().out


@pytest.mark.parametrize("when", ["0001-01-01", "0001-01-01T00:00:00+14:00",
                                  "9999-12-31T23:00:00-05:00"])
def test_a_date_at_the_calendars_ends_is_refused_as_a_date(cart, capsys, when) -> None:
    """Hostile input: --from 0001-01-01 said "invalid _when value" (the parser's name
    for it), and one with +14:00 ended in an OverflowError traceback."""
    with pytest.raises(SystemExit):
        main(["stats", CART, "--json", "--from", when, "--workspace", cart.location])
    err = capsys.readouterr().err
    assert (f"argument --from: {when!r} is too near the first or last day a date can have "
            "to be counted in UTC: write a year from 2 to 9998") in err
    assert "_when" not in err and "Traceback" not in err
    assert main(["stats", CART, "--json", "--from", "0002-01-01", "--to", "9998-12-31",
                 "--workspace", cart.location]) == 0
    assert json.loads(capsys.readouterr().out)["start"].startswith("0002-01-01")


def test_bad_dates_and_a_missing_journey_are_refused_clearly(cart, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["stats", CART, "--json", "--from", "last week", "--workspace", cart.location])
    assert "'last week' is not a date" in capsys.readouterr().err
    assert main(["stats", CART, "--json", "--from", "2026-11-24", "--to", "2026-11-23",
                 "--workspace", cart.location]) == 2
    assert "--to must be after --from" in capsys.readouterr().err
    assert main(["stats", "--json", "--workspace", cart.location]) == 2
    assert main(["stats", "nope", "--json", "--workspace", cart.location]) == 2
    assert "no journey 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("version", ["7", "-1", "0", "99999999999999999999"])
def test_a_version_the_journey_never_had_is_refused_naming_the_ones_it_has(
        cart, capsys, version) -> None:
    """A 20-digit version ended in a traceback (OverflowError from SQLite), -1 or 7 in an
    empty report, as if the version existed and nobody had entered it."""
    assert main(["stats", CART, "--json", "--version", version,
                 "--workspace", cart.location]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"abandoned-cart has no published version {version} (published: 1)" in \
        captured.err


def test_the_report_mark_moves_when_the_journeys_figures_may_and_only_then(tmp_path):
    """What a dashboard left open asks every few seconds before reading a report again."""
    h = Harness(tmp_path, read_bundle(resource("samples", "abandoned_cart.json")))
    try:
        mark = workspace_report_mark(h.workspace, CART)
        assert workspace_report_mark(h.workspace, CART) == mark  # nothing happened
        h.person("ann")
        assert workspace_report_mark(h.workspace, CART) == mark  # a contact is no figure
        h.fire("abandoned_cart", "ann", cart_total=80)
        entered = workspace_report_mark(h.workspace, CART)
        assert entered != mark
        h.deliver()
        sent = workspace_report_mark(h.workspace, CART)
        assert sent != entered
        h.workspace.pause(CART)
        assert workspace_report_mark(h.workspace, CART) != sent  # its state in the versions
    finally:
        h.close()
