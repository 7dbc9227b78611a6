"""1, 2 and 3 `waymark serve --cluster` engines on one PostgreSQL workspace (a private
server on this machine; skipped without one), measured alternately, several rounds in
one sitting (the machine is shared: the ratios within a run say more than the figures).

- people moved/s: the events are written into the workspace in one transaction once the
  engines have shared the partitions out, so the figure is the engines' (and
  PostgreSQL's), not a client's;
- accepted events/s through the sockets: wrk (one process per socket, 48 connections
  each) posts for WAYMARK_PERF_SECONDS while the engines also move people.

Each event lets a new person into a journey that waits a day (a run inserted, a step of
the trail, counters). With each figure: the CPU of the engines, of PostgreSQL and of the
client, what the workspace's sessions were doing (sampled), and the load average.
Run on demand: `pytest tests/perf/test_cluster_perf.py -s` (WAYMARK_PERF_ROUNDS, 3).
"""

from __future__ import annotations

import itertools
import os
import resource
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text

from engine.model import ExitTile, TriggerTile, WaitTile
from engine.workspace import Workspace
from tests.engine.cluster_support import engine, rows, shared_by
from tests.engine.journeys import bundle
from tests.engine.postgres_support import postgres_server
from tests.engine.serve_support import ServeProcess, make_key, wait_until
from tests.perf import test_ingestion_perf
from tests.perf.conftest import report

EVENTS = 12_000
ROUNDS = int(os.environ.get("WAYMARK_PERF_ROUNDS", "3"))
SECONDS = float(os.environ.get("WAYMARK_PERF_SECONDS", "15"))  # of load through the sockets
# The client's connections to each socket (one request in flight on each): a socket
# commits what arrived during its last commit, so fewer connections per socket (a fixed
# number shared among more sockets) would measure the client's concurrency, not the
# engines (48 shared among 3 sockets: a third of the rate of 48 on one).
CONNECTIONS = 48
COUNTS = (1, 2, 3)  # engines
wrk = test_ingestion_perf.wrk  # the load client, installed when it can be
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
    """What the server's busy sessions were doing, sampled every 50 ms (a lock wait with
    the start of its statement: which shared rows it waits for)."""
    seen: Counter = Counter()
    end = time.monotonic() + seconds
    with Workspace.open(url, create=False) as workspace, workspace.db.connect() as conn:
        while time.monotonic() < end:
            for state, event in conn.execute(text(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'CPU') "
                    "|| CASE WHEN wait_event_type = 'Lock' THEN ' (' || left(query, 22) || "
                    "')' ELSE '' END "
                    "FROM pg_stat_activity WHERE datname = current_database() AND "
                    "pid <> pg_backend_pid() AND state <> 'idle'")):
                seen[f"{state} / {event}"] += 1
            conn.rollback()
            time.sleep(0.05)
    return seen


def postmaster(url: str) -> int:
    """The private server's main process (its backends are its children)."""
    with Workspace.open(url, create=False) as workspace, workspace.db.connect() as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return psutil.Process(backend).parent().pid  # while the backend lives




def client_cpu() -> float:
    """CPU time of this process's children that ended (the load client, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def runnable_seconds(pids: list[int]) -> float:
    """Time the threads of these processes (and their children) spent ready to run but
    waiting for a core (/proc/…/schedstat): on a shared machine, what others took."""
    total = 0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            processes = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for one in processes:
            for task in Path(f"/proc/{one.pid}/task").glob("*/schedstat"):
                try:
                    total += int(task.read_text().split()[1])
                except (OSError, IndexError, ValueError):
                    continue  # the thread ended just now
    return total / 1e9


OURS = ("engines' CPU", "PostgreSQL's CPU", "client's CPU")


def cpu_now(url: str, served: list[ServeProcess]) -> dict[str, float]:
    engines, server = [e.process.pid for e in served], [postmaster(url)]
    return {"workspace's transactions": transactions(url),
            "engines' CPU": cpu_seconds(engines), "PostgreSQL's CPU": cpu_seconds(server),
            "client's CPU": client_cpu(),
            "engines' wait for a core": runnable_seconds(engines),
            "PostgreSQL's wait for a core": runnable_seconds(server),
            "machine's CPU, all processes": machine_busy()}


def transactions(url: str) -> float:
    """Committed and rolled back in the workspace so far (PostgreSQL's statistics, which
    a session reports when it goes idle: a second late at most)."""
    return rows(url, "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                     "WHERE datname = current_database()")[0][0]


def machine_busy() -> float:
    """CPU seconds every process of the machine used (the other helpers' work too)."""
    times = psutil.cpu_times()
    idle = ("idle", "iowait", "guest", "guest_nice")  # a guest's time is in user's already
    return sum(v for name, v in times._asdict().items() if name not in idle)


def cpu_figures(before: dict[str, float], after: dict[str, float], took: float
                ) -> dict[str, float]:
    used = {f"{name} (s)": after[name] - before[name] for name in before}
    used["workspace's transactions/s"] = used.pop("workspace's transactions (s)") / took
    cores = os.cpu_count() or 1
    ours = sum(used[f"{name} (s)"] for name in OURS)
    return {**used, "others' CPU (s)": used["machine's CPU, all processes (s)"] - ours,
            f"CPU we used of {cores} cores (%)": 100 * ours / (cores * took),
            "load average (1 min)": os.getloadavg()[0]}


@contextmanager
def cluster(server_url: str, folder: Path, count: int
            ) -> Iterator[tuple[str, list[ServeProcess]]]:
    """`count` engines on a fresh workspace, once they have shared the partitions out."""
    url = fresh_database(server_url)
    folder.mkdir(parents=True)
    served = [engine(url, folder, f"e{i}") for i in range(count)]
    try:
        wait_until(lambda: shared_by(url, served), timeout=30)
        yield url, served
    finally:
        for e in served:
            e.stop()


def moved_round(server_url: str, folder: Path, count: int) -> tuple[dict, Counter]:
    with cluster(server_url, folder, count) as (url, served):
        before, start = cpu_now(url, served), time.perf_counter()
        store_events(url, EVENTS)
        sampled = waits(url, 4.0)
        wait_until(lambda: moved(url) >= EVENTS, timeout=600, poll=0.2)
        took = time.perf_counter() - start
        figures = {"people moved/s": EVENTS / took, "seconds": took,
                   **cpu_figures(before, cpu_now(url, served), took)}
        for name in OURS[:2]:  # the model for a larger machine starts from these
            figures[f"{name} per person (ms)"] = 1000 * figures[f"{name} (s)"] / EVENTS
        assert moved(url) == EVENTS
    return figures, sampled


def start_client(wrk_path: str, socket: str, key: str, tag: str, connections: int,
                 folder: Path) -> subprocess.Popen:
    """wrk posting orders, each for a new person (its messageId names them), for SECONDS."""
    script = test_ingestion_perf.post_script(
        folder / f"{tag}.lua", key, "order_placed",
        f'{{"authId":"{tag}-%d","messageId":"{tag}-%d","attributes":{{"total":1}}}}',
        "counter, counter")
    return subprocess.Popen([wrk_path, "-t1", f"-c{connections}", f"-d{int(SECONDS)}s", "-s",
                             str(script), socket], stdout=subprocess.PIPE, text=True)


def sockets_round(server_url: str, folder: Path, count: int, wrk_path: str
                  ) -> tuple[dict, Counter]:
    with cluster(server_url, folder, count) as (url, served):
        key = make_key(url)
        before, start = cpu_now(url, served), time.perf_counter()
        clients = [start_client(wrk_path, e.url, key, f"{folder.name}-{i}", CONNECTIONS,
                                folder) for i, e in enumerate(served)]
        sampled = waits(url, SECONDS - 1)
        outs = [client.communicate(timeout=SECONDS + 60)[0] for client in clients]
        took = time.perf_counter() - start
        figures = cpu_figures(before, cpu_now(url, served), took)
        people = moved(url)
        accepted = rows(url, "SELECT count(*) FROM events")[0][0]
        wait_until(lambda: moved(url) >= accepted, timeout=600, poll=0.2)
        drained = time.perf_counter() - start
    assert all("Non-2xx" not in out for out in outs), outs  # every request accepted
    return {"accepted events/s": accepted / took, "people moved/s under load": people / took,
            "all moved after (s)": drained, **figures}, sampled


def print_waits(sampled: Counter) -> None:
    samples = sum(sampled.values()) or 1
    print("   sessions of the workspace, sampled:", ", ".join(
        f"{what} {100 * n / samples:.0f}%" for what, n in sampled.most_common(6)))


def alternately(measure, title: str, main: str) -> None:
    """ROUNDS rounds of 1, 2, 3 engines (3, 2, 1 every other round); then the medians."""
    results: dict[int, list[dict]] = {count: [] for count in COUNTS}
    for round_ in range(ROUNDS):
        for count in COUNTS if round_ % 2 == 0 else reversed(COUNTS):
            figures, sampled = measure(count, f"r{round_}n{count}")
            figures[f"{main} per core we used"] = figures[main] / cores_used(figures)
            report(f"round {round_ + 1}: {count} cluster engine(s), {title}", figures)
            print_waits(sampled)
            results[count].append(figures)
    ones = results[COUNTS[0]]
    for count, measured in results.items():
        medians = {name: statistics.median(m[name] for m in measured) for name in measured[0]}
        report(f"median of {ROUNDS}: {count} cluster engine(s), {title}", {
            **medians, f"{main} / one engine's": medians[main] / statistics.median(
                m[main] for m in ones),
            "median of the rounds' ratios": statistics.median(
                m[main] / one[main] for m, one in zip(measured, ones, strict=True))})


def cores_used(figures: dict[str, float]) -> float:
    """How many of the machine's cores the engines, PostgreSQL and the client kept busy."""
    share = next(v for name, v in figures.items() if name.startswith("CPU we used of"))
    return share / 100 * (os.cpu_count() or 1)


def test_people_moved_per_second(server_url, tmp_path) -> None:
    alternately(lambda count, name: moved_round(server_url, tmp_path / name, count),
                f"{EVENTS} people entering a journey", "people moved/s")


def test_accepted_events_per_second_through_the_sockets(server_url, tmp_path, wrk) -> None:
    alternately(lambda count, name: sockets_round(server_url, tmp_path / name, count, wrk),
                f"posts through the sockets for {SECONDS:.0f} s", "accepted events/s")
