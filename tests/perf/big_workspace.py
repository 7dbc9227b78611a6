"""Big workspaces for the benchmarks that read what an engine stored: the cart sample
live, with a year's traffic written straight into its tables (a million events in
seconds, where the runtime would take an hour)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from sqlalchemy import Connection

from engine.model import read_bundle
from engine.resources import resource
from engine.runtime.clock import SimulatedClock
from engine.workspace import Workspace
from tests.engine.harness import START

CART = "abandoned-cart"
YEAR = 365 * 86400


def live_cart(folder: Path) -> Workspace:
    """A workspace with the abandoned-cart sample published, on a simulated clock."""
    workspace = Workspace.open(folder / "big.waymark", clock=SimulatedClock(START),
                               durable=False)
    workspace.import_bundle(read_bundle(resource("samples", "abandoned_cart.json")))
    workspace.publish(CART, seed=1)
    return workspace


def write_cart_events(conn: Connection, count: int, people: int, every: float) -> None:
    """`count` processed abandoned-cart events of people p0…, one each `every` seconds
    over the year before START (the same people from the same seed, run after run)."""
    rng, t0 = random.Random(5), START.timestamp() - YEAR
    conn.exec_driver_sql(
        "INSERT INTO events (trigger, contact_id, data, occurred_at, received_at, "
        "processed_at, outcome, inbox_id) VALUES ('abandoned_cart', ?, ?, ?, ?, ?, "
        "'entered abandoned-cart v1', ?)",
        [(f"p{rng.randrange(people)}", json.dumps({"cart_total": 80}),
          t0 + i * every, t0 + i * every, t0 + i * every, i + 1) for i in range(count)])
