"""People moved per second by 1, 2 and 3 `waymark serve --cluster` engines on one
PostgreSQL workspace (a private server on this machine; skipped without one).

The events are written into the workspace in one transaction once the engines have
shared the partitions out, so the figure is the engines' (and PostgreSQL's), not a
client's: each event lets a person into a journey that waits a day (a run inserted, a
step of the trail, counters). Run on demand: `pytest tests/perf/test_cluster_perf.py -s`.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter

import psutil
import pytest
from sqlalchemy import create_engine, text

from engine.model import ExitTile, TriggerTile, WaitTile
from engine.workspace import Workspace
from tests.engine.journeys import bundle
from tests.engine.postgres_support import postgres_server
from tests.engine.serve_support import wait_until
from tests.engine.test_cluster_serve import engine, rows, shared_by
from tests.perf.conftest import report

EVENTS = 12_000
_numbers = itertools.count()


@pytest.fixture(scope="module")
def server_url():
    with postgres_server() as url:
        yield url


def fresh_database(server_url: str) -> str:
    name = f"perf_{next(_numbers)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    with Workspace.open(url) as workspace:
        workspace.import_bundle(bundle([TriggerTile(id="start"),
                                        WaitTile(id="wait", duration="P1D"),
                                        ExitTile(id="end")]))
        assert workspace.publish("test-journey").published
    return url


def store_events(url: str, count: int) -> None:
    """As sockets would: accepted, waiting, each for another person; then NOTIFY."""
    with Workspace.open(url, create=False) as workspace, workspace.db.begin() as conn:
        conn.execute(text(
            "INSERT INTO events (trigger, contact_id, data, occurred_at, received_at) "
            "SELECT 'order_placed', 'person-' || i, json_build_object('authId', "
            "'person-' || i, 'total', i), extract(epoch FROM now()), "
            "extract(epoch FROM now()) FROM generate_series(1, :n) AS i"), {"n": count})
        conn.execute(text("SELECT pg_notify('waymark_events', '')"))


def moved(url: str) -> int:
    return rows(url, "SELECT count(*) FROM runs")[0][0]


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and their children, the exited ones included."""
    total = 0.0
    for pid in pids:
        process = psutil.Process(pid)
        times = process.cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                times = child.cpu_times()
            except (psutil.Error, ValueError):
                continue  # ended just now: counted in its parent's children's time
            total += times.user + times.system
    return total


def waits(url: str, seconds: float) -> Counter:
    """What the server's busy sessions were doing, sampled every 50 ms."""
    seen: Counter = Counter()
    end = time.monotonic() + seconds
    with Workspace.open(url, create=False) as workspace, workspace.db.connect() as conn:
        while time.monotonic() < end:
            for state, event in conn.execute(text(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'CPU') "
                    "FROM pg_stat_activity WHERE datname = current_database() AND "
                    "pid <> pg_backend_pid() AND state <> 'idle'")):
                seen[f"{state} / {event}"] += 1
            conn.rollback()
            time.sleep(0.05)
    return seen


def postmaster(url: str) -> int:
    """The private server's main process (its backends are its children)."""
    backend = rows(url, "SELECT pg_backend_pid()")[0][0]
    return psutil.Process(backend).parent().pid


@pytest.mark.parametrize("engines", [1, 2, 3])
def test_people_moved_per_second(server_url, tmp_path, engines) -> None:
    url = fresh_database(server_url)
    served = [engine(url, tmp_path, f"e{i}") for i in range(engines)]
    try:
        wait_until(lambda: shared_by(url, served), timeout=30)
        mine = [e.process.pid for e in served]
        server = [postmaster(url)]
        engine_cpu, pg_cpu = cpu_seconds(mine), cpu_seconds(server)
        start = time.perf_counter()
        store_events(url, EVENTS)
        sampled = waits(url, 4.0)
        wait_until(lambda: moved(url) >= EVENTS, timeout=600, poll=0.2)
        took = time.perf_counter() - start
        engine_cpu = cpu_seconds(mine) - engine_cpu
        pg_cpu = cpu_seconds(server) - pg_cpu
    finally:
        for e in served:
            e.stop()
    assert moved(url) == EVENTS
    report(f"{engines} cluster engine(s), {EVENTS} people entering a journey", {
        "people moved/s": EVENTS / took, "seconds": took,
        "engines' CPU (s, all)": engine_cpu, "PostgreSQL's CPU (s)": pg_cpu,
        "CPU used of 2 cores (%)": 100 * (engine_cpu + pg_cpu) / (2 * took)})
    samples = sum(sampled.values()) or 1
    print("   sessions of the workspace, sampled:", ", ".join(
        f"{what} {100 * n / samples:.0f}%" for what, n in sampled.most_common(6)))
