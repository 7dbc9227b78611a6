"""The Dashboard's funnel follows the date range (`waymark stats --json/--csv --from --to`):
per tile, the people who came to it in the range and what became of them by its end,
read from the trail the real runtime wrote — the abandoned-cart sample over four days,
with a wait-for that times out, a wait that leaves no step of its own, and people still
waiting when a day ends."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from engine.cli import main
from engine.model import read_bundle
from engine.resources import resource
from engine.store import failures_store
from engine.store.database import writing
from tests.engine.harness import START
from tests.engine.test_analytics_report import CART, fill_cart, report
from tests.engine.test_runtime_poison import over_50_then_wait, zed_set_aside_at_the_wait

DAY = datetime(2026, 11, 23, tzinfo=UTC)  # the harness starts at 09:00 that day


@pytest.fixture
def days(harness_for):
    return fill_days(harness_for(read_bundle(resource("samples", "abandoned_cart.json"))))


def fill_days(h):
    """Day 0: ann, bob, cat, dan cart (as `fill_cart`: ann opens, cat buys, bob's cart is
    too small, dan's email blocked). Day 1, 08:00: eve carts; 09:00: dan's wait for the
    email runs out, he is texted and waits a day. Day 2: dan is pushed and done; eve
    texted. Day 3: eve pushed and done."""
    fill_cart(h)
    h.advance(timedelta(hours=20))
    h.person("eve")
    h.fire("abandoned_cart", "eve", cart_total=60)
    h.advance(timedelta(days=3))
    return h


def funnel(h, first: int, last: int) -> dict[str, tuple]:
    """Days first..last (inclusive) after DAY: tile -> (entered, moved on, left, still)."""
    rep = report(h, start=DAY + timedelta(days=first), end=DAY + timedelta(days=last + 1))
    return {row.tile_id: (row.entered, row.moved_on, row.left, row.still_there)
            for row in rep.funnel}


def test_a_day_counts_who_came_to_each_tile_that_day_and_where_they_were_at_its_end(days):
    assert funnel(days, 0, 0) == {
        "start": (4, 3, {"unmet trigger condition": 1}, 0),  # bob's small cart
        "email-reminder": (3, 3, {}, 0),
        # ann opened (yes), cat bought (the exit trigger), dan waits into the next day
        "opened-email": (3, 1, {"exit trigger: Purchase completed": 1}, 1),
        "exit-opened": (1, 1, {}, 0)}
    # dan, waiting for the email since day 0, is counted where he came next, not again
    # where he was; eve came and waits into day 2; the wait that day leaves no step
    assert funnel(days, 1, 1) == {
        "start": (1, 1, {}, 0), "email-reminder": (1, 1, {}, 0),
        "opened-email": (1, 0, {}, 1),
        "sms-reminder": (1, 1, {}, 0), "wait-1-day": (1, 0, {}, 1)}
    assert funnel(days, 2, 2) == {  # dan pushed and done, eve texted
        "sms-reminder": (1, 1, {}, 0), "wait-1-day": (1, 0, {}, 1),
        "push-reminder": (1, 1, {}, 0), "exit-done": (1, 1, {}, 0)}


def test_over_the_whole_trail_the_ranges_funnel_is_the_counters(days) -> None:
    since_publishing = report(days).funnel  # no range: the counters
    assert report(days, start=DAY - timedelta(days=30),
                  end=DAY + timedelta(days=30)).funnel == since_publishing
    # two days: dan's second day and eve's first are counted once, where they came
    assert funnel(days, 1, 2)["wait-1-day"] == (2, 1, {}, 1)


def test_a_range_where_nothing_happened_has_no_data_but_knows_people_came(days) -> None:
    rep = report(days, start=DAY - timedelta(days=9), end=DAY - timedelta(days=2))
    assert rep.funnel == [] and not rep.has_data and rep.anyone_ever
    opened = report(days, start=DAY + timedelta(hours=12), end=DAY + timedelta(hours=13))
    assert opened.has_data  # ann opened the email and came to her exit


def test_stats_json_and_csv_print_the_ranges_funnel(days, capsys) -> None:
    where = ["--workspace", days.location]
    assert main(["stats", CART, "--json", "--from", "2026-11-24T00:00+00:00",
                 "--to", "2026-11-25T00:00+00:00", *where]) == 0
    printed = json.loads(capsys.readouterr().out)
    wait = next(row for row in printed["funnel"] if row["tile_id"] == "wait-1-day")
    assert (wait["entered"], wait["moved_on"], wait["still_there"]) == (1, 0, 1)
    assert "exit-done" not in {row["tile_id"] for row in printed["funnel"]}
    assert main(["stats", CART, "--csv", "--from", "2026-11-23T00:00+00:00",
                 "--to", "2026-11-24T00:00+00:00", *where]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(r["tile_id"], r["metric"], r["reason"], r["value"]) for r in rows
            if r["section"] == "funnel" and r["tile_id"] == "opened-email"} == {
        ("opened-email", "entered", "", "3"), ("opened-email", "moved_on", "", "1"),
        ("opened-email", "still_there", "", "1"), ("opened-email", "set_aside", "", "0"),
        ("opened-email", "left", "exit trigger: Purchase completed", "1")}


def test_a_run_set_aside_after_an_error_is_counted_so_and_goes_on_when_retried(
        harness_for) -> None:
    h = harness_for(over_50_then_wait())
    zed_set_aside_at_the_wait(h)
    week = {"start": START - timedelta(days=1), "end": START + timedelta(days=6)}
    wait = next(row for row in report(h, journey=h.journey_id, **week).funnel
                if row.tile_id == "wait")
    assert (wait.moved_on, wait.left, wait.still_there, wait.set_aside) == (1, {}, 0, 1)
    assert report(h, journey=h.journey_id, **week).funnel == report(
        h, journey=h.journey_id).funnel  # as the counters say
    h.person("zed")  # the contact is fixed, and the run retried
    with writing(h.workspace.db) as conn:
        assert failures_store.retry(conn, None, h.clock.now().timestamp()) == 1
    h.runtime.tick()
    after = report(h, journey=h.journey_id, **week).funnel
    assert after == report(h, journey=h.journey_id).funnel
    assert next(row for row in after if row.tile_id == "wait").moved_on == 2


def test_a_range_without_json_or_csv_is_refused_rather_than_ignored(days, capsys) -> None:
    """The text report is the counters' (since publishing): a range given to it was
    silently left out, and the figures printed looked like the range's."""
    assert main(["stats", CART, "--from", "2026-11-24", "--workspace", days.location]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--from and --to go with --json or --csv" in captured.err
