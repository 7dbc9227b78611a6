"""The soak: valid and hostile traffic at 1,000 requests/s with a SIGKILL every 2 minutes.

Run on demand, on a machine with nothing else to do (10 minutes, plus a clean minute and
the drain):

    python3 -m pytest tests/perf/test_soak.py -s
    WAYMARK_SOAK_SECONDS=100 python3 -m pytest tests/perf/test_soak.py -s   # a short one

The length is WAYMARK_SOAK_SECONDS, else ten times WAYMARK_PERF_SECONDS, else 600 s. A
real `waymark serve` runs the ingestion benchmark's journey (cart abandoned → email at
once → wait a day) for 5,000 contacts. First a clean phase (a tenth of the length, at
least 10 s) of valid events at 1,000/s measures the acknowledgement latency. Then, for
the whole length, 800 valid events/s (`open_loop.py`) and 200 hostile requests/s
(`hostile.py`, with 30 connections held open beside them), while the test SIGKILLs
serve's whole process group every fifth of the length and starts it again at once, and
plants a poison event straight into the workspace in the middle of each fifth. After a
last SIGKILL, a restart and the drain it checks — and fails on — exactness: every 202 is
in the workspace once, under the eventId it was answered with, and started exactly one
run; a messageId sent again was answered with its first eventId; the failures table holds
the poison events and nothing else, and serve's log says each was set aside once and
shows no failed round and no traceback; no request got a 5xx, and each hostile kind got
the answer it should; the log stays small. It prints the acknowledgement p99 under the
hostile traffic against the clean run's (target: at most twice) without failing on it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.model import AttributeDef, Bundle
from engine.store import meta_store
from engine.store.database import database_url, writing
from engine.store.inbox import inbox_path
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, query, wait_until
from tests.perf.conftest import report
from tests.perf.open_loop import percentile
from tests.perf.test_ingestion_perf import PEOPLE, bench_bundle, bench_workspace

pytestmark = pytest.mark.perf


def soak_seconds() -> float:
    if "WAYMARK_SOAK_SECONDS" in os.environ:
        return float(os.environ["WAYMARK_SOAK_SECONDS"])
    return 10 * float(os.environ.get("WAYMARK_PERF_SECONDS", "60"))


SECONDS = soak_seconds()
CLEAN_SECONDS = max(10.0, SECONDS / 10)
RATE = 1000  # requests a second, valid and hostile together
HOSTILE_SHARE = 0.2
HELD = 30  # connections held open by the hostile client
KILLS = 5  # one every fifth of the length, the last when the traffic ends
AFTER_RESTART = 5.0  # seconds after a restart left out of the "settled" p99
ROOT = Path(__file__).parents[2]
POISONS = [  # stored straight into the workspace: they pass no door
    '{"cart_total": ' + "9" * 5000 + ', "sent": 0}',  # will not even load
    "[80]",  # not an object
]
ROUND_FAILED = re.compile(r"^\S+ failed$", re.MULTILINE)  # EngineHost's loop, a round raised


def soak_bundle() -> Bundle:
    """The benchmark's journey; each event carries its messageId as `ref` (so a run
    names the event that started it), and the email has a link to click."""
    cart = bench_bundle()
    trigger = next(t for t in cart.triggers if t.name == "cart")
    trigger.attributes.append(AttributeDef(name="ref", type="text"))
    cart.content[0].html += '<p><a href="https://shop.example/cart">Back to your cart</a></p>'
    return cart


def client(*args: object) -> subprocess.Popen:
    """A load generator (`tests.perf.open_loop` or `tests.perf.hostile`) under way."""
    return subprocess.Popen([sys.executable, "-m", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=SECONDS * 2 + 300)
    assert process.returncode == 0, out[-2000:]
    return json.loads(out)


def tracking_token(path: Path) -> str:
    """A sent message's tracking token: the hostile clicks carry a real one."""
    def first() -> str | None:
        rows = query(path, "SELECT payload FROM ledger WHERE payload IS NOT NULL LIMIT 1")
        payload = rows[0][0] if rows else None
        return (json.loads(payload) if isinstance(payload, str) else payload or {}).get(
            "tracking_token")
    return wait_until(first, timeout=120, poll=0.5)


def plant_poison(path: Path, number: int) -> int:
    """An event whose processing raises, stored as another program could have: its id."""
    now = time.time()
    with Workspace.open(path) as workspace, writing(workspace.db) as conn:
        return conn.exec_driver_sql(
            "INSERT INTO events (message_id, trigger, contact_id, data, occurred_at, "
            "received_at) VALUES (?, 'cart', ?, ?, ?, ?)",
            (f"poison-{number}", f"p{number}", POISONS[number % len(POISONS)], now, now)
        ).lastrowid


def settled(path: Path) -> bool:
    """The socket's inbox all imported into the workspace, and every event processed."""
    with sqlite3.connect(f"file:{inbox_path(database_url(path))}?mode=ro", uri=True) as inbox:
        [(identity,)] = inbox.execute("SELECT value FROM inbox_meta WHERE key = 'identity'")
        [(last,)] = inbox.execute("SELECT coalesce(max(id), 0) FROM inbox")
    with Workspace.open(path) as workspace, workspace.db.connect() as conn:
        imported = meta_store.inbox_imported(conn, identity)
        [(waiting,)] = conn.exec_driver_sql(
            "SELECT count(*) FROM events WHERE processed_at IS NULL")
    return last <= imported and waiting == 0


@dataclass
class Soak:
    """The soak phase: both clients under way, kills and poisons on a schedule."""

    serve: ServeProcess
    key: str
    token: str
    restarts: list[tuple[float, float]] = field(default_factory=list)  # killed, back
    poisons: list[int] = field(default_factory=list)  # their event ids

    def run(self) -> tuple[dict, dict]:
        url, valid_rate = self.serve.url, RATE * (1 - HOSTILE_SHARE)
        valid = client("tests.perf.open_loop", url, self.key, "cart", valid_rate, SECONDS,
                       PEOPLE, "valid", "--ref")
        hostile = client("tests.perf.hostile", url, self.key, "cart", RATE * HOSTILE_SHARE,
                         SECONDS, PEOPLE, "hostile", self.token, "--held", HELD)
        try:
            self.follow_schedule()
        except BaseException:
            valid.kill()
            hostile.kill()
            raise
        return finished(valid), finished(hostile)

    def follow_schedule(self) -> None:
        start = time.monotonic()
        for at, what in self.schedule():
            time.sleep(max(0.0, start + at - time.monotonic()))
            if what == "kill":
                self.restart()
            else:
                self.poisons.append(plant_poison(self.serve.workspace, len(self.poisons)))

    @staticmethod
    def schedule() -> list[tuple[float, str]]:
        fifth = SECONDS / KILLS
        return sorted([(k * fifth, "kill") for k in range(1, KILLS)]
                      + [((k + 0.5) * fifth, "poison") for k in range(KILLS)])

    def restart(self) -> None:
        """SIGKILL every process of serve at once, and start it again at once."""
        killed = time.time()
        self.serve.kill(group=True)
        self.serve.start()
        self.restarts.append((killed, time.time()))


def test_soak_with_hostile_traffic_and_sigkills_loses_nothing_and_fails_no_round(
        tmp_path) -> None:
    path, log = tmp_path / "soak.waymark", tmp_path / "serve.log"
    key = bench_workspace(path, soak_bundle())
    serve = ServeProcess(path, free_port(), new_session=True, log=log)
    serve.start()
    try:
        clean = finished(client("tests.perf.open_loop", serve.url, key, "cart", RATE,
                                CLEAN_SECONDS, PEOPLE, "clean", "--ref"))
        soak = Soak(serve, key, tracking_token(path))
        valid, hostile = soak.run()
        soak.restart()  # the last kill, as the traffic ends
        drain_started = time.monotonic()
        wait_until(lambda: settled(path), timeout=max(600.0, SECONDS), poll=1.0)
        drain_seconds = time.monotonic() - drain_started
    finally:
        if serve.process.poll() is None:
            serve.stop()
    print_figures(clean, valid, hostile, soak, drain_seconds, path, log.read_text())
    check_exactness(path, clean, valid, hostile, soak.poisons)
    check_answers(clean, valid, hostile)
    check_log(log.read_text(), soak.poisons)


# --- the checks ----------------------------------------------------------------------------

def accepted_receipts(*results: dict) -> dict[str, int]:
    """messageId → the eventId its 202 carried, over all clients."""
    receipts: dict[str, int] = {}
    for result in results:
        for message_id, answer in result["accepted"].items():
            receipts[message_id] = answer[1] if isinstance(answer, list) else answer
    return receipts


def check_exactness(path: Path, clean: dict, valid: dict, hostile: dict,
                    poisons: list[int]) -> None:
    accepted = accepted_receipts(clean, valid, hostile)
    stored = {row.message_id: row.receipt for row in query(
        path, "SELECT message_id, coalesce(inbox_id, id) AS receipt FROM events "
              "WHERE trigger = 'cart' AND message_id NOT LIKE 'poison-%'")}
    assert len(accepted) > 0
    # every 202 in the workspace, under the eventId it was answered with
    assert {m: stored.get(m) for m in accepted if stored.get(m) != accepted[m]} == {}
    runs = Counter(row[0] for row in query(
        path, "SELECT json_extract(trigger_data, '$.ref') FROM runs"))
    assert sum(runs.values()) == len(stored)  # one run per stored event...
    assert max(runs.values()) == 1 and set(runs) == set(stored)  # ...never two, none other
    failures = set(query(path, "SELECT kind, item_id FROM failures"))
    assert failures == {("event", event_id) for event_id in poisons}
    failed = {row[0] for row in query(path, "SELECT id FROM events WHERE outcome LIKE "
                                            "'failed%'")}
    assert failed == set(poisons)


def server_errors(statuses: dict) -> dict:
    return {status: n for status, n in statuses.items() if status.startswith("5")}


def check_answers(clean: dict, valid: dict, hostile: dict) -> None:
    assert server_errors(clean["statuses"]) == {} and server_errors(valid["statuses"]) == {}
    assert {kind: server_errors(outcomes) for kind, outcomes in hostile["outcomes"].items()
            if server_errors(outcomes)} == {}
    assert hostile["unexpected"] == {}
    assert hostile["duplicates_answered"] > 0


def check_log(text: str, poisons: list[int]) -> None:
    assert "Traceback" not in text, text[-5000:]
    assert ROUND_FAILED.findall(text) == []
    assert "unexpectedly" not in text, text[-5000:]
    assert text.count("set aside") == len(poisons), text[-5000:]
    starts = text.count("listening on")
    # a few lines per start and one summary a minute per kind of refusal, never per request
    assert len(text.splitlines()) <= 4 * starts + 4 * (SECONDS + CLEAN_SECONDS) / 60 + 20


# --- the figures ---------------------------------------------------------------------------

def settled_acks(valid: dict, restarts: list[tuple[float, float]]) -> list[float]:
    """Acknowledgement latencies of events sent outside the moments after a restart."""
    def restarting(sent: float) -> bool:
        return any(killed <= sent <= back + AFTER_RESTART for killed, back in restarts)
    return [latency for sent, _event_id, latency in valid["accepted"].values()
            if not restarting(sent)]


def processing_lag(path: Path) -> list[float]:
    """Seconds from received to processed, of every valid event."""
    return [row[0] for row in query(
        path, "SELECT processed_at - received_at FROM events WHERE trigger = 'cart' "
              "AND message_id NOT LIKE 'poison-%'")]


def print_figures(clean: dict, valid: dict, hostile: dict, soak: Soak, drain: float,
                  path: Path, log: str) -> None:
    settled_p99 = percentile(settled_acks(valid, soak.restarts), 0.99)
    lag = processing_lag(path)
    poison_lag = query(path, "SELECT max(processed_at - received_at) FROM events "
                             "WHERE message_id LIKE 'poison-%'")[0][0]
    report(f"soak: {SECONDS:g} s at {RATE:,}/s ({HOSTILE_SHARE:.0%} hostile), "
           f"{len(soak.restarts)} SIGKILLs", {
               "clean: accepted (202)": len(clean["accepted"]),
               "clean: ack p50 ms": clean["ack_p50_ms"], "clean: ack p99 ms": clean["ack_p99_ms"],
               "soak: valid accepted (202)": len(valid["accepted"]),
               "soak: hostile accepted (202)": len(hostile["accepted"]),
               "soak: ack p50 ms": valid["ack_p50_ms"], "soak: ack p99 ms": valid["ack_p99_ms"],
               f"soak: ack p99 ms, {AFTER_RESTART:g} s after restarts out": settled_p99,
               "ratio p99 soak / clean": valid["ack_p99_ms"] / clean["ack_p99_ms"],
               "ratio, restarts left out": settled_p99 / clean["ack_p99_ms"],
               "restart (kill → listening) max s": max(b - k for k, b in soak.restarts),
               "processing lag p50 s": percentile(lag, 0.5),
               "processing lag p99 s": percentile(lag, 0.99),
               "poison set aside within s (max)": poison_lag or float("nan"),
               "drain after the last restart s": drain,
               "serve log lines": len(log.splitlines()), "serve log bytes": len(log),
           }, {"ratio p99 soak / clean": "≤ 2"})
    print(f"   clean answers: {clean['statuses']}")
    print(f"   valid answers: {valid['statuses']}")
    for kind, outcomes in hostile["outcomes"].items():
        print(f"   hostile {kind:<40} {dict(outcomes)}")
    print(f"   held connections, longest open (s): {hostile['held_longest_s']}")
    print(f"   unexpected: {hostile['unexpected'] or 'none'}")
    print("   serve's log:\n" + "\n".join(f"   | {line}" for line in log.splitlines()[:60]))
