"""A workspace saved before Waymark checked the span of dates it reckons in (1900-9000,
`engine.model.moments`) may hold journeys that name a date outside it: the year 9999
written for "no end", 0001 for "always". A bundle from outside naming one is refused
(`test_bundles`); what the workspace holds opens and runs. Before, the studio stopped at
its start with a traceback, `waymark journeys list` printed only the error, and `serve`
refused to start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.model import BundleError, bundle_from_data, load_bundle, read_bundle, to_data
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.harness import Harness
from tests.engine.journeys import thank_then_wait
from tests.engine.older_workspaces import (
    NO_END,
    as_a_newer_waymark_published,
    as_an_older_waymark_saved,
    cart_workspace_left_by,
)
from tests.engine.serve_support import run_cli


def test_a_journey_with_a_window_past_the_span_still_lets_people_in(tmp_path) -> None:
    h = Harness(tmp_path, thank_then_wait())
    try:
        as_an_older_waymark_saved(h.workspace)
        h.restart()
        [info] = h.workspace.journeys()
        assert (info.id, info.state, info.version) == ("test-journey", "live", 1)
        h.person("ann")
        h.fire("order_placed", "ann")
        h.advance(timedelta(days=2))
        assert h.path("ann")[:3] == ["entered start", "sent mail", "waiting wait"]
        draft = h.workspace.load_journey("test-journey").start
        # read as the nearest dates within the span, on the same weekday and time of day
        assert draft.window_end <= datetime(9000, 1, 1, tzinfo=UTC) < draft.window_end + \
            timedelta(weeks=1)
        assert draft.window_start >= datetime(1900, 1, 1, tzinfo=UTC) > draft.window_start - \
            timedelta(weeks=1)
        assert (draft.window_end.weekday(), draft.window_end.time()) == (4, NO_END_TIME)
    finally:
        h.close()


NO_END_TIME = datetime.fromisoformat(NO_END).time()


def test_the_commands_and_serve_open_such_a_workspace(tmp_path) -> None:
    location = cart_workspace_left_by(tmp_path / "older.waymark", as_an_older_waymark_saved)
    listed = run_cli("journeys", "list", "--workspace", str(location), timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "abandoned-cart" in listed.stdout and "live" in listed.stdout
    exported = run_cli("export", "abandoned-cart", "--workspace", str(location),
                       "--out", str(tmp_path / "out.json"), timeout=60)
    assert exported.returncode == 0, exported.stderr
    # what is exported is within the span: another workspace (or this one) takes it back
    assert load_bundle((tmp_path / "out.json").read_bytes()).journey.start.window_end.year \
        == 8999


def test_a_bundle_from_outside_is_still_refused_and_a_weekly_schedule_keeps_its_day() -> None:
    data = to_data(read_bundle(resource("samples", "abandoned_cart.json")))
    data["journey"]["start"]["window_end"] = NO_END
    stored = bundle_from_data(data, stored=True).journey.start.window_end
    assert stored.isoformat() == "8999-12-27T23:59:59-05:00"
    with pytest.raises(BundleError, match=r"window_end: .* is after 9000-01-01 \(UTC\)"):
        bundle_from_data(data)
    monday = datetime(1850, 1, 7, 9, 30, tzinfo=UTC)
    data["journey"]["start"].pop("window_end")
    data["journey"]["start"]["schedule"] = {"mode": "weekly", "at": monday.isoformat()}
    data["journey"]["start"]["trigger"] = None
    read = bundle_from_data(data, stored=True).journey.start.schedule.at
    assert (read.weekday(), read.time(), read.year) == (0, monday.time(), 1900)


def test_a_version_a_newer_waymark_published_is_listed_and_serve_says_why_it_cannot_run(
        tmp_path) -> None:
    """One this Waymark cannot read at all: the workspace's journeys are still listed
    (the studio stopped at its start with a traceback), and the engine says which version
    and why it cannot start (`test_serve_end_to_end`)."""
    location = cart_workspace_left_by(tmp_path / "newer.waymark",
                                      as_a_newer_waymark_published)
    with Workspace.open(location) as workspace:
        [info] = workspace.journeys()
    assert (info.id, info.state, info.version) == ("abandoned-cart", "live", 1)
    listed = run_cli("journeys", "list", "--workspace", str(location), timeout=60)
    assert listed.returncode == 0 and "abandoned-cart" in listed.stdout, listed.stderr
