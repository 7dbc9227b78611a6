"""`waymark test`, `waymark activity` and `waymark runs`: test mode and the trail from the
command line."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from engine.cli import main
from engine.model import ExitTile, read_bundle
from engine.resources import resource

CART = "abandoned-cart"


def waymark(h, *args: str) -> int:
    return main([*args, "--workspace", h.location])


def cart(harness_for, *, publish: bool = True, **options):
    bundle = read_bundle(resource("samples", "abandoned_cart.json"))
    if publish:
        return harness_for(bundle, **options)
    h = harness_for(**options)
    h.journey_id = h.workspace.import_bundle(bundle).id
    return h


def test_a_test_contact_is_added_and_listed(harness_for, capsys) -> None:
    h = harness_for()
    assert waymark(h, "contacts", "add", "tess", "--email", "tess@example.com", "--test") == 0
    assert waymark(h, "contacts", "add", "ann") == 0
    assert h.workspace.contact("tess").test and not h.workspace.contact("ann").test
    capsys.readouterr()
    assert waymark(h, "contacts", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "TEST"
    assert [line.rstrip().endswith("yes") for line in lines[2:]] == [False, True]


def test_test_start_status_next_and_stop(harness_for, capsys) -> None:
    h = cart(harness_for, publish=False, start=datetime.now(UTC))  # the CLI's clock
    h.person("tess", test=True)
    assert waymark(h, "test", "status") == 0
    assert "no tests running" in capsys.readouterr().out
    assert waymark(h, "test", "start", CART, "--waits", "20", "--bypass-conditions") == 0
    assert capsys.readouterr().out.strip() == (
        f"testing {CART!r}: only test contacts enter its draft; waits last at most 20 s, "
        "entry conditions bypassed")
    h.runtime.reload_versions()
    h.fire("abandoned_cart", "tess", cart_total=5)
    assert waymark(h, "test", "status") == 0
    assert capsys.readouterr().out.splitlines()[2].split()[-2:] == ["1", "1"]
    assert waymark(h, "test", "next", "tess") == 0
    assert "is due now" in capsys.readouterr().out
    # "now" is the CLI's wall clock: on a busy machine it is seconds past the harness's
    # clock, which started at it (CI once failed here, the run still due)
    h.advance(max(timedelta(seconds=1), datetime.now(UTC) - h.clock.now()) + timedelta(seconds=1))
    assert h.runs()[0].tile_id == "wait-1-day"
    assert waymark(h, "test", "stop", CART) == 0
    assert "1 test run(s) removed" in capsys.readouterr().out
    assert waymark(h, "test", "stop", CART) == 2
    assert "has no test running" in capsys.readouterr().err
    assert waymark(h, "test", "next", "tess") == 2
    assert "'tess' has no test run going" in capsys.readouterr().err


def test_test_start_lists_the_design_problems_that_refuse_it(harness_for, capsys) -> None:
    h = cart(harness_for, publish=False)
    journey = h.workspace.load_journey(CART)
    journey.tiles.append(ExitTile(id="stray"))
    h.workspace.save_journey(journey)
    assert waymark(h, "test", "start", CART) == 1
    out, err = capsys.readouterr()
    assert out.startswith("stray: ") and "was not started as a test" in err
    assert waymark(h, "test", "start", "nope") == 2
    assert "no journey 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        waymark(h, "test", "start", CART, "--waits", "-1")
    assert "-1: give 0 seconds or more" in capsys.readouterr().err


def test_activity_shows_the_newest_narrowed_and_as_json(harness_for, capsys) -> None:
    h = cart(harness_for)
    assert waymark(h, "activity") == 0
    assert capsys.readouterr().out == "no activity yet\n"
    for person, total in (("ann", 80), ("bob", 20)):
        h.person(person)
        h.fire("abandoned_cart", person, cart_total=total)
        h.advance(timedelta(minutes=1))
    capsys.readouterr()
    assert waymark(h, "activity", "--last", "3") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and "bob entry blocked at start" in lines[-1]
    assert lines[-1].endswith(": unmet trigger condition")
    assert waymark(h, "activity", "--person", "ann", "--kind", "sent", "--kind", "waiting",
                   "--json") == 0
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(i["kind"], i["tile"]) for i in items] == [("sent", "email-reminder"),
                                                       ("waiting", "opened-email")]
    assert items[1]["reason"] == "for Initial email reminder opened" and items[1]["until"]


def test_activity_follow_prints_what_happens_until_interrupted(harness_for) -> None:
    h = cart(harness_for)
    h.person("ann")
    follow = subprocess.Popen([sys.executable, "-m", "engine", "activity", "--follow",
                               "--workspace", h.location], stdout=subprocess.PIPE, text=True)
    try:
        h.fire("abandoned_cart", "ann", cart_total=80)
        lines = [follow.stdout.readline() for _ in range(4)]
    finally:
        follow.send_signal(signal.SIGINT)
        assert follow.wait(timeout=10) == 0
    assert [line.split()[2] for line in lines] == ["event", "entered", "sent", "waiting"]


def test_runs_shows_a_persons_path_with_the_reasons(harness_for, capsys) -> None:
    h = cart(harness_for)
    h.person("ann")
    h.fire("abandoned_cart", "ann", cart_total=80)
    h.advance(timedelta(days=1))
    capsys.readouterr()
    assert waymark(h, "runs", "ann") == 0
    out = capsys.readouterr().out
    assert "Abandoned cart reminders — version 1, run 1: waiting at wait-1-day (Wait a day)" \
        in out
    [branched] = [line.split(maxsplit=2)[2] for line in out.splitlines() if "branched" in line]
    assert re.fullmatch(r"opened-email +Opened the email\? +branched +took No; time limit "
                        r"passed", branched)
    assert waymark(h, "runs", "nobody") == 0
    assert "nobody has no runs (no such contact)" in capsys.readouterr().out
