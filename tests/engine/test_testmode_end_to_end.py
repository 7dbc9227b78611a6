"""Trying a journey for real: `waymark serve`, events through its socket, test mode and
the trail from the command line."""

from __future__ import annotations

import json

from engine.observe import RunTrail, activity, engine_figures, person_trail
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, cart_workspace, post, run_cli, wait_until

CART = "abandoned-cart"


def waymark(path, *args: str) -> str:
    done = run_cli(*args, "--workspace", str(path))
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_of(path, person: str) -> RunTrail | None:
    with Workspace.open(path) as workspace, workspace.db.connect() as conn:
        runs = person_trail(conn, person).runs
    return runs[0] if runs else None


def at(path, person: str, tile: str, status: str = "waiting") -> bool:
    run = run_of(path, person)
    return run is not None and (run.tile_id, run.status) == (tile, status)


def test_a_test_run_of_the_abandoned_cart_through_a_real_engine(tmp_path) -> None:
    path, key = cart_workspace(tmp_path)
    for person, test in (("tess", ["--test"]), ("ann", [])):
        waymark(path, "contacts", "add", person, "--email", f"{person}@example.com", "--phone",
                "+31600000000", "--push-token", f"t-{person}", *test)
    assert "waits last at most 1 s" in waymark(path, "test", "start", CART, "--waits", "1")
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        cart = serve.url + "/v1/triggers/abandoned_cart"
        for person in ("tess", "ann"):  # at the same time: one is a test contact
            assert post(cart, key, {"authId": person, "attributes": {"cart_total": 80}})[0] == 202
        wait_until(lambda: at(path, "tess", "exit-done", "completed"))
        [tess] = json.loads(waymark(path, "runs", "tess", "--json"))["runs"]
        ann = run_of(path, "ann")
        assert (tess["version"], tess["test"]) == (0, True)
        assert (ann.version, ann.tile_id, ann.status) == (1, "opened-email", "waiting")
        assert [step["what"] for step in tess["steps"] if step["what"] != "delivered"] == [
            "entered", "sent", "waiting", "branched", "sent", "waiting", "sent", "completed"]
        emails = list((tmp_path / "shop-outbox").glob("*.eml"))
        marked = [e for e in emails if "X-Waymark-Test: test run" in e.read_text()]
        assert len(emails) == 2 and len(marked) == 1

        stats = waymark(path, "stats", CART)
        assert "version 1" in stats and "version 0" not in stats

        # without the cap, the wait-for waits a day, until the tester says "next step"
        waymark(path, "test", "start", CART)
        assert post(cart, key, {"authId": "tess", "attributes": {"cart_total": 80}})[0] == 202
        wait_until(lambda: at(path, "tess", "opened-email"))
        with Workspace.open(path) as workspace, workspace.db.connect() as conn:
            before = activity(conn)
        assert "is due now" in waymark(path, "test", "next", "tess", "--journey", CART)
        wait_until(lambda: at(path, "tess", "wait-1-day"))
        with Workspace.open(path) as workspace, workspace.db.connect() as conn:
            new = activity(conn, after=before.newest)
            assert [i.ref for i in activity(conn, limit=1000)] == [
                *(i.ref for i in new), *(i.ref for i in activity(conn, before=before.newest,
                                                                  limit=1000))]
            figures = engine_figures(conn)
        assert {(i.kind.value, i.branch_name, i.reason) for i in new if i.kind == "branched"} == {
            ("branched", "No", "next step now (test)")}
        assert (figures.accepted_today, figures.testing_journeys) == (3, 1)
    finally:
        serve.stop()

    serve.start()  # the trail is where it was after a restart
    try:
        trail = waymark(path, "runs", "tess")
        assert "Abandoned cart reminders — version 0 (test)" in trail
        assert "took No; next step now (test)" in trail
        assert "waiting at wait-1-day (Wait a day): the wait to end, until" in trail
        assert "stopped the test" in waymark(path, "test", "stop", CART)
        assert "tess has no runs" in waymark(path, "runs", "tess")
        assert at(path, "ann", "opened-email")
    finally:
        serve.stop()
