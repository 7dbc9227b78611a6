"""Rendered-and-delivered emails per second, to the outbox and to a local SMTP server.

Run on demand: python3 -m pytest tests/perf/test_delivery_perf.py -s

People waiting at a wait tile all fall due at once; the runtime renders each one's email
into the delivery ledger, then the deliverer (the same code `serve` runs) takes them to
the channel. Both halves are timed one after the other, so the figures say where the
time goes; then the same emails go through `EngineHost` as `serve` runs them, rendering
on the runtime thread while the delivery process writes (the target's figure). The SMTP
server is aiosmtpd in a process of its own, so it does not share the engine's CPU time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from engine.delivery import SmtpSecurity
from engine.runtime.clock import SimulatedClock
from engine.runtime.deliverer import Deliverer
from engine.runtime.host import EngineHost
from engine.runtime.runtime import Runtime
from engine.store.database import writing
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import wait_until
from tests.perf.conftest import report
from tests.perf.test_runtime_perf import START, advance_all, mass_due_workspace

OUTBOX_EMAILS = 10_000
SMTP_EMAILS = 3_000

SMTP_SERVER = textwrap.dedent("""\
    import sys, time
    from aiosmtpd.controller import Controller

    class Count:
        received = 0
        async def handle_DATA(self, server, session, envelope):
            Count.received += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    print(Count.received, flush=True)
    controller.stop()
""")


def render_then_deliver(folder: Path, emails: int, smtp_port: int | None) -> dict[str, float]:
    workspace = mass_due_workspace(folder, emails, then_email=True)
    if smtp_port is not None:
        _use_smtp(workspace, smtp_port)
    rendered, render_seconds = advance_all(workspace)
    clock = SimulatedClock(START + timedelta(hours=1))
    deliverer = Deliverer(workspace.db, clock, Runtime(workspace.db, clock).settings,
                          workspace.outbox_dir, batch_size=500)
    began, delivered = time.perf_counter(), 0
    while done := deliverer.deliver_due():
        delivered += done
    deliver_seconds = time.perf_counter() - began
    deliverer.close()
    workspace.close()
    assert rendered == delivered == emails
    return {"rendered per second": rendered / render_seconds,
            "delivered per second": delivered / deliver_seconds,
            "one after the other (one thread)": emails / (render_seconds + deliver_seconds)}


def as_serve_runs_it(folder: Path, emails: int, smtp_port: int | None) -> float:
    """The same emails through `EngineHost`, as `serve` runs it: the runtime thread
    renders while the delivery process writes files or talks to the server. The engine
    is started first (on the system clock), then everyone falls due at once; per second,
    from then until the ledger shows every one sent."""
    workspace = mass_due_workspace(folder, emails, then_email=True)
    if smtp_port is not None:
        _use_smtp(workspace, smtp_port)
    _all_due_at(workspace, time.time() + 3600)
    host = EngineHost(workspace, delivery="process")
    host.start()
    sent = "SELECT count(*) FROM ledger WHERE sent_at IS NOT NULL"
    try:
        time.sleep(1.0)  # the engine settled: nothing due
        began = time.perf_counter()
        _all_due_at(workspace, time.time())
        host.wake()
        wait_until(lambda: _scalar(workspace, sent) == emails, timeout=900, poll=0.05)
        return emails / (time.perf_counter() - began)
    finally:
        host.stop()
        workspace.close()


def _all_due_at(workspace, when: float) -> None:
    with writing(workspace.db) as conn:
        conn.execute(text("UPDATE runs SET due_at = :when"), {"when": when})


def _use_smtp(workspace, port: int) -> None:
    settings = workspace.delivery_settings()
    settings.email.via = "smtp"
    settings.smtp.host, settings.smtp.port = "127.0.0.1", port
    settings.smtp.security = SmtpSecurity.NONE
    workspace.save_delivery_settings(settings)


def _scalar(workspace, sql: str) -> int:
    with workspace.db.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_emails_rendered_and_delivered_per_second(tmp_path) -> None:
    outbox = render_then_deliver(tmp_path / "outbox", OUTBOX_EMAILS, None)
    files = list((tmp_path / "outbox" / "mass-outbox").rglob("*.eml"))
    assert len(files) == OUTBOX_EMAILS
    outbox["as serve runs it (two processes)"] = as_serve_runs_it(tmp_path / "served",
                                                                OUTBOX_EMAILS, None)
    assert len(list((tmp_path / "served" / "mass-outbox").rglob("*.eml"))) == OUTBOX_EMAILS

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SMTP_SERVER, str(port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        smtp = render_then_deliver(tmp_path / "smtp", SMTP_EMAILS, port)
        smtp["as serve runs it (two processes)"] = as_serve_runs_it(tmp_path / "smtp-served",
                                                                  SMTP_EMAILS, port)
    finally:
        received, _ = server.communicate("", timeout=60)
    assert int(received) == 2 * SMTP_EMAILS

    figures = {f"outbox, {k}": v for k, v in outbox.items()}
    figures |= {f"SMTP, {k}": v for k, v in smtp.items()}
    report(f"email delivery ({OUTBOX_EMAILS:,} to the outbox, {SMTP_EMAILS:,} over SMTP "
           "to aiosmtpd on 127.0.0.1)", figures,
           {"outbox, one after the other (one thread)": "≥ 1,000",
            "outbox, as serve runs it (two processes)": "≥ 1,000"})
