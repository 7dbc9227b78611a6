"""The observer API on a big workspace: 1,000,000 stored events and 1,000,000 steps.

Run on demand: python3 -m pytest tests/perf/test_observe_perf.py -s
The issue's benchmark is "opening the Activity dock on a workspace with 1,000,000 stored
events < 1 s"; each call here should answer in < 50 ms, so the studio can poll at 250 ms.
"""

from __future__ import annotations

import time

from engine.observe import (
    activity,
    counts_token,
    engine_figures,
    people_at,
    person_trail,
    tile_counts,
)
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine.harness import START
from tests.perf.big_workspace import CART, YEAR, live_cart, write_cart_events
from tests.perf.conftest import report, timed

EVENTS = STEPS = 1_000_000
PEOPLE = 50_000
TILES = ["start", "email-reminder", "opened-email", "sms-reminder", "wait-1-day",
         "push-reminder", "exit-done"]
WHATS = ["entered", "sent", "waiting", "branched", "sent", "waiting", "completed"]


def big_workspace(folder) -> Workspace:
    """The cart sample live, and a year's traffic written straight into its tables."""
    workspace = live_cart(folder)
    t0 = START.timestamp() - YEAR
    with writing(workspace.db) as conn:
        conn.exec_driver_sql("INSERT INTO contacts (id, kind, email, attributes, created_at, "
                             "updated_at) VALUES (?, 'contact', ?, '{}', 0, 0)",
                             [(f"p{i}", f"p{i}@example.com") for i in range(PEOPLE)])
        write_cart_events(conn, EVENTS, PEOPLE, every=30)
        conn.exec_driver_sql(
            "INSERT INTO steps (at, what, journey_id, version, contact_id, tile_id, run_id) "
            "VALUES (?, ?, 'abandoned-cart', 1, ?, ?, ?)",
            [(t0 + i * 30, WHATS[i % 7], f"p{(i // 7) % PEOPLE}", TILES[i % 7], i // 7 + 1)
             for i in range(STEPS)])
        conn.exec_driver_sql(
            "INSERT INTO runs (journey_id, version, contact_id, tile_id, status, due_at, "
            "entered_at, arrived_at, trigger_data, state) VALUES ('abandoned-cart', 1, ?, "
            "'opened-email', 'waiting', ?, ?, ?, '{}', '{}')",
            [(f"p{i}", t0 + 86400, t0, t0) for i in range(PEOPLE)])
        conn.exec_driver_sql("INSERT INTO counters VALUES ('abandoned-cart', 1, ?, 'inflow', "
                             "'', ?)", [(tile, STEPS // 7) for tile in TILES])
    return workspace


def test_the_observer_api_on_a_million_events(tmp_path) -> None:
    began = time.perf_counter()
    workspace = big_workspace(tmp_path)
    built = time.perf_counter() - began
    with workspace.db.connect() as conn:
        first = activity(conn)
        opened = timed(lambda: activity(conn), repeat=5)
        figures = {
            "workspace built (s)": built,
            "activity, newest 200 (ms)": opened["median_ms"],
            "activity, since the last poll (ms)": timed(
                lambda: activity(conn, after=first.newest))["median_ms"],
            "activity, one page back (ms)": timed(
                lambda: activity(conn, before=first.oldest))["median_ms"],
            "activity, one person (ms)": timed(
                lambda: activity(conn, person="p77"))["median_ms"],
            "activity, one journey, 'exited' only (ms)": timed(
                lambda: activity(conn, journey=CART, kinds=["exited"]))["median_ms"],
            "counts_token (ms)": timed(lambda: counts_token(conn, CART, 1))["median_ms"],
            "tile_counts (ms)": timed(lambda: tile_counts(conn, CART, 1), 5)["median_ms"],
            "people_at waiting, 200 of 50,000 (ms)": timed(
                lambda: people_at(conn, CART, 1, "opened-email", "processing"))["median_ms"],
            "people_at inflow (ms)": timed(
                lambda: people_at(conn, CART, 1, "email-reminder", "inflow"))["median_ms"],
            "person_trail (ms)": timed(lambda: person_trail(conn, "p77"))["median_ms"],
            "engine_figures (ms)": timed(lambda: engine_figures(conn))["median_ms"],
        }
    workspace.close()
    report("The observer API: 1,000,000 events, 1,000,000 steps, 50,000 people", figures,
           {name: "< 50" for name in figures if name.endswith("(ms)")})
    assert len(first.items) == 200
