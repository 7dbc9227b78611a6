"""The runtime at scale: a simulated crowd, a mass wake-up, a million people waiting.

Run on demand: python3 -m pytest tests/perf/test_runtime_perf.py -s
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import psutil
from sqlalchemy import insert

from engine.model import (
    Contact,
    EmailTile,
    ExitTile,
    TriggerTile,
    WaitTile,
    read_bundle,
)
from engine.resources import resource
from engine.runtime.clock import SimulatedClock
from engine.runtime.runtime import Runtime
from engine.simulation.scenario import Scenario
from engine.simulation.simulator import Simulator
from engine.store import schema as s
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.journeys import bundle
from tests.perf.conftest import report

START = datetime(2026, 11, 23, 9, tzinfo=UTC)


def crowd_scenario(people: int, spread_step: int = 1) -> Scenario:
    """Everyone abandons a cart within an hour (at whole multiples of `spread_step`
    seconds); some open the email, some buy, some spend too little."""
    rng = random.Random(7)
    contacts, events = [], []
    for i in range(people):
        who = f"p{i}"
        contacts.append(Contact(id=who, email=f"{who}@example.com", phone="+31600000000",
                                push_token=f"t{i}", attributes={"firstname": f"P{i}"}))
        at = f"PT{rng.randrange(0, 3600, spread_step)}S"
        events.append({"kind": "trigger", "at": at, "trigger": "abandoned_cart",
                       "person": who, "attributes": {"cart_total": rng.choice([40, 65, 120])}})
        roll = rng.random()
        if roll < 0.3:
            events.append({"kind": "interaction", "at": "PT5H", "person": who,
                           "tile": "email-reminder", "interaction": "opened"})
        elif roll < 0.4:
            events.append({"kind": "trigger", "at": "P1DT4H", "trigger": "purchase_completed",
                           "person": who, "attributes": {"order_id": f"SO-{i}"}})
    return Scenario.model_validate({"start": START, "end": "P5D", "seed": 3,
                                    "contacts": contacts, "events": events})


def test_10000_people_through_the_abandoned_cart_over_5_days() -> None:
    """Arrivals at 3,600 distinct seconds (the hard case: every moment is a round trip)
    and at 60 distinct minutes (people arriving in waves). Run as `waymark simulate`
    runs it without --keep: the outbox keeps the messages in the workspace, no files."""
    cart = read_bundle(resource("samples", "abandoned_cart.json"))
    figures = {}
    for label, step in (("per-second arrivals", 1), ("per-minute arrivals", 60)):
        scenario = crowd_scenario(10_000, step)
        began = time.perf_counter()
        result = Simulator(cart, scenario).run()
        seconds = time.perf_counter() - began
        figures[f"wall seconds, {label}"] = seconds
        figures[f"steps per second, {label}"] = len(result.records) / seconds
    figures["steps recorded"] = len(result.records)
    figures["messages sent"] = sum(1 for r in result.records if r.what == "sent")
    report("10,000 people, abandoned cart, 5 simulated days", figures,
           {"wall seconds, per-second arrivals": "< 30"})


def mass_due_workspace(folder, runs: int, then_email: bool) -> Workspace:
    tiles = [TriggerTile(id="start"), WaitTile(id="wait", duration="PT1H")]
    tiles += [EmailTile(id="mail", content="thanks")] if then_email else []
    tiles += [WaitTile(id="later", duration="P1D"), ExitTile(id="end")]
    workspace = Workspace.open(folder / "mass.waymark", clock=SimulatedClock(START))
    workspace.import_bundle(bundle(tiles))
    workspace.publish("test-journey", seed=1)
    due = (START + timedelta(hours=1)).timestamp()
    with writing(workspace.db) as conn:
        if then_email:
            conn.execute(insert(s.contacts), [{
                "id": f"p{i}", "kind": "contact", "email": f"p{i}@example.com",
                "attributes": {"firstname": "P"}, "created_at": 0, "updated_at": 0}
                for i in range(runs)])
        for start in range(0, runs, 50_000):
            conn.execute(insert(s.runs), [{
                "journey_id": "test-journey", "version": 1, "contact_id": f"p{i}",
                "tile_id": "wait", "status": "waiting", "due_at": due,
                "entered_at": START.timestamp(), "arrived_at": START.timestamp(),
                "trigger_data": {}, "state": {}} for i in range(start, min(runs, start + 50_000))])
    return workspace


def advance_all(workspace: Workspace) -> tuple[int, float]:
    clock = SimulatedClock(START + timedelta(hours=1))
    runtime = Runtime(workspace.db, clock, batch_size=2000)
    began, moved = time.perf_counter(), 0
    while done := runtime.run_due():
        moved += done
    return moved, time.perf_counter() - began


def test_100000_runs_due_at_the_same_moment(tmp_path) -> None:
    plain = mass_due_workspace(tmp_path / "a", 100_000, then_email=False)
    moved, seconds = advance_all(plain)
    figures = {"runs advanced (wait → wait)": moved, "seconds": seconds,
               "runs per second": moved / seconds}
    plain.close()
    emailing = mass_due_workspace(tmp_path / "b", 20_000, then_email=True)
    moved_mail, seconds_mail = advance_all(emailing)
    figures["runs per second, wait → rendered email → wait"] = moved_mail / seconds_mail
    emailing.close()
    report("100,000 runs due at once", figures, {"runs per second": "≥ 5,000"})
    assert moved == 100_000


def test_a_million_people_waiting_start_to_ready_and_memory(tmp_path) -> None:
    workspace = mass_due_workspace(tmp_path, 1_000_000, then_email=False)
    with writing(workspace.db) as conn:  # spread the due times over the next 30 days
        conn.exec_driver_sql(
            "UPDATE runs SET due_at = due_at + 86400 + (id % 2592000)")
    workspace.close()
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--workspace",
                                str(tmp_path / "mass.waymark"), "--port", str(port)],
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()
        ready = time.perf_counter() - began
        assert "listening" in line
        time.sleep(3)  # a few heartbeats: the engine is idle with a million runs waiting
        rss = psutil.Process(process.pid).memory_info().rss / 2**20
    finally:
        process.terminate()
        process.wait(timeout=30)
    report("1,000,000 people waiting", {"start to ready (s)": ready, "engine RSS (MiB)": rss},
           {"start to ready (s)": "< 5", "engine RSS (MiB)": "< 400"})
