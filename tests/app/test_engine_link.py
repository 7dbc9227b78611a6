"""The engine link on its own: the studio's engine, another process's engine, and faults.

Real parts throughout: a workspace file, the engine's threads, the socket on a free port,
`waymark serve` as a process of its own.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from app.engine_link import EngineLink, EngineMode
from app.engine_link.status import RecordChange
from app.engine_status import status_text, status_tip
from engine.model import read_bundle
from engine.resources import resource
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, cart_workspace, query, wait_until

CART = {"authId": "ann", "contactpoint_email": "ann@example.com",
        "attributes": {"cart_total": 80}}


@pytest.fixture
def shop(tmp_path):
    path, _key = cart_workspace(tmp_path)
    return path


@pytest.fixture
def link(qapp):
    made = EngineLink()
    yield made
    made.close()
    made.deleteLater()


def wait_for_mode(qtbot, link: EngineLink, mode: EngineMode, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: link.status.mode == mode, timeout=timeout)


def fire_through(qtbot, link: EngineLink) -> None:
    """A cart event fired through the link's engine, taken (202)."""
    with qtbot.waitSignal(link.fired, timeout=10000) as fired:
        link.fire("abandoned_cart", CART)
    assert fired.args[0].status == 202


def engine_threads() -> list[str]:
    return [t.name for t in threading.enumerate()
            if t.name.startswith("waymark") or "APScheduler" in t.name]


def test_the_studio_runs_the_engine_and_an_event_shows_in_the_figures(qtbot, link, shop):
    port = free_port()
    link.open(str(shop), port)
    wait_for_mode(qtbot, link, EngineMode.RUNNING)
    assert link.base_url == f"http://127.0.0.1:{port}"
    assert link.figures.live_journeys == 1 or qtbot.waitSignal(link.figures_changed)
    with qtbot.waitSignal(link.fired, timeout=10000) as fired:
        link.fire("abandoned_cart", CART)
    assert fired.args[0].status == 202 and fired.args[0].event_id
    qtbot.waitUntil(lambda: link.figures.accepted_today == 1, timeout=5000)
    assert link.figures.live_journeys == 1


def test_a_record_changed_through_the_socket_counts_in_the_events_today(qtbot, link, shop):
    """A case resolved through the socket took its person into the survey, and the status
    bar said "0 events today": the event a record's change raises comes from no inbox."""
    with Workspace.open(shop) as workspace:
        workspace.import_bundle(read_bundle(resource("samples", "case_resolved_survey.json")))
    link.open(str(shop), free_port())
    wait_for_mode(qtbot, link, EngineMode.RUNNING)
    change = RecordChange("case", "CAS-1", {"customer": "ann", "status": "Resolved"},
                          make_first={"customer": "ann", "status": "Active"})
    with qtbot.waitSignal(link.fired, timeout=10000) as fired:
        link.change_record("support_case_status_updated", change)
    assert fired.args[0].status == 200
    qtbot.waitUntil(lambda: link.figures.accepted_today == 1, timeout=5000)
    fire_through(qtbot, link)  # and a trigger event beside it
    qtbot.waitUntil(lambda: link.figures.accepted_today == 2, timeout=5000)


def test_closing_stops_the_engine_and_its_threads_within_two_seconds(qtbot, link, shop):
    link.open(str(shop), free_port())
    wait_for_mode(qtbot, link, EngineMode.RUNNING)
    with qtbot.waitSignal(link.fired, timeout=10000):
        link.fire("abandoned_cart", CART)
    assert engine_threads()
    started = time.monotonic()
    assert link.close(timeout=2.0)
    wait_until(lambda: not engine_threads(), timeout=2.0, poll=0.01)
    took = time.monotonic() - started
    assert took < 2.0, (took, engine_threads())
    revoked = query(shop, "SELECT revoked_at FROM ingestion_keys WHERE name LIKE :n",
                    n="studio (test triggers)%")
    assert len(revoked) == 1 and revoked[0].revoked_at is not None  # the test key went too


def test_a_port_in_use_is_said_with_a_free_one_to_offer(qtbot, link, shop):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with qtbot.waitSignal(link.port_in_use, timeout=20000) as offered:
            link.open(str(shop), taken)
        asked, free = offered.args
        assert asked == taken and free != taken
        assert link.status.mode == EngineMode.STOPPED and f"port {taken}" in link.status.note
        link.start(free)
        wait_for_mode(qtbot, link, EngineMode.RUNNING)
        assert link.base_url.endswith(f":{free}")


def test_an_engine_run_by_serve_is_observed_fired_through_and_its_stop_said(qtbot, link,
                                                                          shop):
    serve = ServeProcess(shop, free_port())
    serve.start()
    try:
        link.open(str(shop), free_port())
        wait_for_mode(qtbot, link, EngineMode.OBSERVING)
        assert (link.status.pid, link.base_url) == (serve.process.pid, serve.url)
        fire_through(qtbot, link)
        qtbot.waitUntil(lambda: link.figures.accepted_today == 1, timeout=5000)
        with qtbot.waitSignal(link.engine_lost, timeout=10000) as lost:
            serve.stop()
    finally:
        if serve.process.poll() is None:
            serve.stop()
    why, own = lost.args
    assert not own and f"pid {serve.process.pid}" in why
    # stopped by its own process (Ctrl+C on serve): not "stopped unexpectedly"
    assert link.status.mode == EngineMode.STOPPED and not link.status.unexpected
    assert status_text(link.status) == "Engine stopped"
    assert f"pid {serve.process.pid}" in status_tip(link.status)


def test_a_socket_that_dies_is_said_and_the_engine_restarts_with_nothing_lost(
        qtbot, link, shop):
    link.open(str(shop), free_port())
    wait_for_mode(qtbot, link, EngineMode.RUNNING)
    with qtbot.waitSignal(link.fired, timeout=10000):
        link.fire("abandoned_cart", CART)
    with qtbot.waitSignal(link.engine_lost, timeout=10000) as lost:
        link.engine.server.stop_thread()  # the socket's thread gone, as in a crash
    why, own = lost.args
    assert own and "socket" in why
    assert "stopped unexpectedly" in link.status.note
    link.start()
    wait_for_mode(qtbot, link, EngineMode.RUNNING)
    qtbot.waitUntil(lambda: link.figures.accepted_today == 1, timeout=5000)


def test_a_second_studio_observes_the_first_studios_engine(qtbot, link, shop):
    second = EngineLink()
    try:
        link.open(str(shop), free_port())
        wait_for_mode(qtbot, link, EngineMode.RUNNING)
        second.open(str(shop), free_port())
        wait_for_mode(qtbot, second, EngineMode.OBSERVING)
        assert second.base_url == link.base_url
        assert second.status.holder.startswith("waymark studio, pid")
        fire_through(qtbot, second)
        with qtbot.waitSignal(second.engine_lost, timeout=10000):
            link.stop()
    finally:
        second.close()
        second.deleteLater()


def test_an_engine_started_again_after_the_observed_one_stopped_is_observed(qtbot, link,
                                                                           shop):
    """`waymark serve` stopped and started again (a deploy, a restart): the studio looks
    for an engine every 2 s once the one it watched went and observes the new one, even
    while the dialog saying the old one stopped still waits; it never starts its own
    engine by itself."""
    first = ServeProcess(shop, free_port())
    first.start()
    try:
        link.open(str(shop), free_port())
        wait_for_mode(qtbot, link, EngineMode.OBSERVING)
        with qtbot.waitSignal(link.engine_lost, timeout=10000):
            first.stop()
    finally:
        if first.process.poll() is None:
            first.stop()
    assert link.status.mode == EngineMode.STOPPED
    second = ServeProcess(shop, free_port())
    with qtbot.waitSignal(link.engine_back, timeout=10000):  # closes the old question
        second.start()
    try:
        assert link.status.mode == EngineMode.OBSERVING
        assert (link.status.pid, link.base_url) == (second.process.pid, second.url)
        fire_through(qtbot, link)
        with qtbot.waitSignal(link.engine_lost, timeout=10000):
            second.stop()
    finally:
        if second.process.poll() is None:
            second.stop()
    qtbot.wait(4500)  # two looks and more: nobody runs an engine, and none is started
    assert link.status.mode == EngineMode.STOPPED and link.engine is None


def test_a_question_overtaken_by_events_closes_unanswered(qtbot) -> None:
    """The real question box (not the tests' scripted answers): "The engine you were
    watching stopped … Start engine here?" closes by itself once an engine is observed
    again, as if cancelled."""
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    from app.prompts import Prompts

    class Source(QObject):
        happened = Signal()

    source = Source()
    QTimer.singleShot(200, source.happened.emit)
    QTimer.singleShot(5000, lambda: (box := QApplication.activeModalWidget()) and box.reject())
    started = time.monotonic()
    answer = Prompts().confirm("The engine you were watching stopped", "Start it here?",
                               "Start engine here", overtaken_by=source.happened)
    assert answer is False and time.monotonic() - started < 4
    source.happened.emit()  # after the question: nothing left connected to it


def test_keys_left_by_studios_gone_are_revoked_when_a_studio_makes_its_own(shop):
    """A killed studio could not revoke its test-trigger key, and nobody holds its secret
    any more: seen, one such active key per session on the Ingestion keys page."""
    import os
    import socket
    import subprocess
    import sys

    from app.engine_link.test_key import KEY_NAME, StudioKey
    from engine.ingestion.keys import create_key, list_keys
    from engine.store.database import writing
    from engine.workspace import Workspace

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    host = socket.gethostname()
    names = {"older": KEY_NAME,  # a studio from before keys named their pid
             "gone": f"{KEY_NAME} · pid {gone.stdout.strip()} on {host}",
             "running": f"{KEY_NAME} · pid {os.getppid()} on {host}",  # a live process
             "elsewhere": f"{KEY_NAME} · pid 1 on another-machine",
             "website": "website"}
    with Workspace.open(shop) as workspace:
        with writing(workspace.db) as conn:
            made = {role: create_key(conn, name)[0].id for role, name in names.items()}
        studio = StudioKey()
        studio.get(workspace.db)
        with workspace.db.connect() as conn:
            active = {key.id for key in list_keys(conn) if key.active}
        studio.revoke(workspace.db)
    assert {role for role, key_id in made.items() if key_id in active} == {
        "running", "elsewhere", "website"}
    assert studio.id is None


def test_a_record_change_answered_by_something_not_waymark_is_an_answer_not_a_crash():
    """A 404 whose error is not Waymark's object (another program on the port) is shown
    as that answer; it raised AttributeError on the worker thread."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from app.engine_link import RecordChange
    from app.engine_link.link import _send_change

    class NotWaymark(BaseHTTPRequestHandler):
        def do_PATCH(self) -> None:
            body = json.dumps({"error": "no such page"}).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotWaymark)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        change = RecordChange("case", "CAS-1", {"customer": "ann", "status": "Resolved"},
                              make_first={"customer": "ann"})
        status, answer = _send_change(f"http://127.0.0.1:{server.server_port}", "k", change)
    finally:
        server.shutdown()
    assert (status, answer) == (404, {"error": "no such page"})
