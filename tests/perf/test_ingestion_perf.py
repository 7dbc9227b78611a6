"""The ingestion socket under load, against a real `waymark serve` with a live journey.

Run on demand (60 s per measurement by default; WAYMARK_PERF_SECONDS shortens it):

    python3 -m pytest tests/perf/test_ingestion_perf.py -s

- sustained accepted events/s with wrk (two threads, 64 connections), beside the same
  load on a bare aiohttp handler that only parses JSON and group-commits into SQLite
  (`bare_ingest.py`), and the ratio between the two;
- acknowledgement latency at a constant 1,000 events/s (open loop, `open_loop.py`), and
  what the same client measures against the bare handler (the least it can measure);
- trigger-to-first-message at a constant 500 events/s: from the moment the client sent
  the event to the moment the journey's first email was in the outbox.

Every measurement also checks that each event answered 202 is in the store (the socket's
inbox, or already the workspace).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from engine.model import (
    AttributeDef,
    Bundle,
    Contact,
    EmailContent,
    EmailTile,
    ExitTile,
    StartSettings,
    TriggerDefinition,
    TriggerTile,
    WaitTile,
)
from engine.store.database import database_url
from engine.store.inbox import inbox_path
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.journeys import bundle
from tests.engine.serve_support import ServeProcess, make_key, query, wait_until
from tests.perf.conftest import report
from tests.perf.open_loop import percentile

SECONDS = float(os.environ.get("WAYMARK_PERF_SECONDS", "60"))
PEOPLE = 5000
HERE = Path(__file__).parent


def bench_bundle() -> Bundle:
    """A cart abandoned: the reminder goes out at once, then a day's wait."""
    cart = bundle([TriggerTile(id="start"), EmailTile(id="reminder", content="reminder"),
                   WaitTile(id="wait", duration="P1D"), ExitTile(id="end")],
                  start=StartSettings(trigger="cart", reentry={"mode": "always"}))
    cart.triggers.append(TriggerDefinition(
        name="cart", title="Cart abandoned", state="ready",
        attributes=[AttributeDef(name="cart_total", type="number"),
                    AttributeDef(name="sent", type="number")]))
    cart.content.append(EmailContent(
        id="reminder", name="Reminder", status="ready",
        subject="{{ contact.firstname }}, your cart is waiting",
        html="<p>Hello {{ contact.firstname }}, your cart of {{ trigger.cart_total }} is "
             "still there.</p>"))
    return cart


def bench_workspace(path: Path, cart: Bundle | None = None) -> str:
    """The benchmark journey (or `cart`) live for PEOPLE contacts; returns a key for it."""
    with Workspace.open(path) as workspace:
        workspace.import_bundle(cart or bench_bundle())
        assert workspace.publish("test-journey").published
        for i in range(PEOPLE):
            workspace.save_contact(Contact(id=f"p{i}", email=f"p{i}@example.com",
                                           attributes={"firstname": f"P{i}"}))
    return make_key(path)


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "bench.waymark"
    key = bench_workspace(path)
    serve = ServeProcess(path, free_port())
    serve.start()
    yield serve, key
    serve.stop()


@pytest.fixture(scope="module")
def wrk() -> str:
    if shutil.which("wrk") is None and os.geteuid() == 0:
        subprocess.run("apt-get update -qq && apt-get install -y -qq wrk", shell=True,
                       timeout=300, check=False, capture_output=True)
    if shutil.which("wrk") is None:
        pytest.skip("wrk (the load generator) is not installed and could not be: "
                    "apt-get install wrk")
    return shutil.which("wrk")


def post_script(path: Path, key: str, trigger: str, body: str, values: str,
                prelude: str = "") -> Path:
    """A wrk script POSTing to a trigger: each body is `string.format(body, values)`, where
    `values` are Lua expressions of `counter` (the request's number in its thread)."""
    path.write_text(prelude + textwrap.dedent(f"""\
        local counter = 0
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer {key}"
        function request()
          counter = counter + 1
          local body = string.format('{body}', {values})
          return wrk.format(nil, "/v1/triggers/{trigger}", nil, body)
        end
        """))
    return path


def hammer(wrk: str, url: str, key: str, tag: str, seconds: float, tmp: Path) -> None:
    """wrk posting events with unique messageIds (per thread) for `seconds`."""
    script = post_script(
        tmp / f"{tag}.lua", key, "cart",
        f'{{"authId":"p%d","messageId":"{tag}-%d-%d","attributes":{{"cart_total":99,"sent":0}}}}',
        f"counter % {PEOPLE}, tid, counter", prelude=textwrap.dedent("""\
            local threads = 0
            function setup(thread)
              threads = threads + 1
              thread:set("tid", threads)
            end
            """))
    out = subprocess.run([wrk, "-t2", "-c64", f"-d{int(seconds)}s", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True)
    print(textwrap.indent(out.stdout.strip(), "   wrk | "))


def stored(workspace: Path, tag: str) -> int:
    """Events of this run that are stored: in the workspace, or still in the inbox."""
    like = f"{tag}-%"
    ids = {row[0] for row in query(workspace, "SELECT message_id FROM events "
                                              "WHERE message_id LIKE :like", like=like)}
    with sqlite3.connect(inbox_path(database_url(workspace))) as inbox:
        ids.update(row[0] for row in inbox.execute(
            "SELECT message_id FROM inbox WHERE message_id LIKE ?", (like,)))
    return len(ids)


def open_loop(url: str, key: str, rate: int, seconds: float, tag: str) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "open_loop.py"), url, key, "cart",
                          str(rate), str(seconds), str(PEOPLE), tag],
                         capture_output=True, text=True, timeout=seconds * 4 + 120, check=True)
    return json.loads(out.stdout)


@contextmanager
def bare_handler(tmp: Path) -> Iterator[str]:
    """The baseline (`bare_ingest.py`) listening; its database is `tmp/bare.sqlite`."""
    port = free_port()
    bare = subprocess.Popen([sys.executable, str(HERE / "bare_ingest.py"),
                             str(tmp / "bare.sqlite"), str(port)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert "listening" in bare.stdout.readline()
        yield f"http://127.0.0.1:{port}"
    finally:
        bare.terminate()
        bare.wait(30)


def test_sustained_events_per_second_against_a_bare_handler(served, wrk, tmp_path):
    serve, key = served
    with bare_handler(tmp_path) as bare_url:
        hammer(wrk, bare_url, key, "bare", SECONDS, tmp_path)
    with sqlite3.connect(tmp_path / "bare.sqlite") as conn:
        bare_rate = conn.execute("SELECT count(*) FROM events").fetchone()[0] / SECONDS

    hammer(wrk, serve.url, key, "load", SECONDS, tmp_path)
    accepted = stored(serve.workspace, "load")
    waymark_rate = accepted / SECONDS
    report(f"ingestion, {SECONDS:g} s of wrk -t2 -c64, journey live", {
        "bare aiohttp + group commit ev/s": bare_rate,
        "waymark serve ev/s": waymark_rate,
        "ratio": waymark_rate / bare_rate,
    }, {"waymark serve ev/s": "≥ 3,500", "ratio": "≥ 0.7"})
    assert accepted > 0


def test_acknowledgement_latency_at_1000_a_second(served, tmp_path):
    serve, key = served
    with bare_handler(tmp_path) as bare_url:  # what the same client measures at the least
        bare = open_loop(bare_url, key, 1000, SECONDS, "bare-steady")
    result = open_loop(serve.url, key, 1000, SECONDS, "steady")
    accepted = result.pop("accepted")
    kept = stored(serve.workspace, "steady")
    report(f"acknowledgement at 1,000 events/s for {SECONDS:g} s (open loop)", {
        "sent": result["sent"], "accepted (202)": len(accepted), "stored": kept,
        "p50 ms": result["p50_ms"], "p99 ms": result["p99_ms"], "max ms": result["max_ms"],
        "bare handler p50 ms": bare["p50_ms"], "bare handler p99 ms": bare["p99_ms"],
    }, {"p99 ms": "< 25"})
    print(f"   answers: {result['statuses']}")
    assert kept >= len(accepted) > 0


def test_trigger_to_first_message_at_500_a_second(served):
    serve, key = served
    result = open_loop(serve.url, key, 500, SECONDS, "first")
    accepted = result.pop("accepted")
    # Every accepted event in the workspace and processed, and every run's email sent
    # (delivery has a thread of its own, so runs can all be sent while events still wait).
    wait_until(lambda: query(serve.workspace, "SELECT count(*) FROM events WHERE message_id "
                             "LIKE 'first-%' AND processed_at IS NOT NULL") >= [(len(accepted),)]
               and query(serve.workspace, "SELECT count(*) FROM runs r LEFT JOIN ledger l "
                         "ON l.run_id = r.id WHERE l.sent_at IS NULL") == [(0,)],
               timeout=600)
    rows = query(serve.workspace, "SELECT l.sent_at, r.trigger_data FROM runs r "
                                  "JOIN ledger l ON l.run_id = r.id WHERE l.sent_at IS NOT NULL")
    delays = [(sent_at - _sent(data)) * 1000 for sent_at, data in rows]
    report(f"trigger to first message at 500 events/s for {SECONDS:g} s", {
        "accepted (202)": len(accepted), "first messages": len(delays),
        "p50 ms": percentile(delays, 0.5), "p99 ms": percentile(delays, 0.99),
        "max ms": max(delays, default=float("nan")),
    }, {"p99 ms": "< 100"})
    assert len(delays) == len(accepted) > 0


def _sent(data) -> float:
    return (json.loads(data) if isinstance(data, str) else data)["sent"]
