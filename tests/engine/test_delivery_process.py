"""`waymark serve` delivers in a process of its own: restarted if it dies, never left behind."""

from __future__ import annotations

import os
import signal

import psutil

from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, post, query, wait_until
from tests.engine.test_crash_recovery import prepare


def delivery_process(serve: ServeProcess) -> psutil.Process:
    """The engine's spawned child that does not listen on a port (the socket's does)."""
    [child] = [p for p in psutil.Process(serve.process.pid).children()
               if "spawn_main" in " ".join(p.cmdline())
               and not any(c.status == psutil.CONN_LISTEN for c in p.net_connections())]
    return child


def order(serve: ServeProcess, key: str, n: int) -> None:
    status, _body = post(serve.url + "/v1/triggers/order_placed", key, {
        "authId": f"p{n}", "messageId": f"order-{n}", "attributes": {"total": n}})
    assert status == 202


def sent(path) -> int:
    return query(path, "SELECT count(*) FROM ledger WHERE sent_at IS NOT NULL")[0][0]


def test_a_killed_delivery_process_is_replaced_and_dies_with_the_engine(tmp_path) -> None:
    path = tmp_path / "w.waymark"
    key = prepare(path)
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        order(serve, key, 1)
        wait_until(lambda: sent(path) == 1)
        first = delivery_process(serve)
        first.kill()
        first.wait(10)
        order(serve, key, 2)
        wait_until(lambda: sent(path) == 2)  # the engine started another one
        second = delivery_process(serve)
        assert second.pid != first.pid
        outbox = sorted(p.name for p in (tmp_path / "w-outbox").iterdir())
        assert len(outbox) == 2 and all(name.endswith(".eml") for name in outbox)
        children = psutil.Process(serve.process.pid).children()
    finally:
        serve.kill()  # SIGKILL: no chance to tidy up
    _gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []  # neither the socket nor delivery outlives the engine


def test_sigterm_to_the_whole_process_group_stops_serve_cleanly_once(tmp_path) -> None:
    """As `timeout` or a service manager stop it: every process gets the signal, and the
    engine, not the signal, ends the socket and delivery (no "ended unexpectedly")."""
    path = tmp_path / "w.waymark"
    key = prepare(path)
    serve = ServeProcess(path, free_port(), new_session=True)
    serve.start()
    try:
        order(serve, key, 1)
        wait_until(lambda: sent(path) == 1)
        children = psutil.Process(serve.process.pid).children()
        os.killpg(serve.process.pid, signal.SIGTERM)
        out, _ = serve.process.communicate(timeout=60)
    finally:
        if serve.process.poll() is None:
            serve.kill()
    assert serve.process.returncode == 0, out
    assert "stopped; everything accepted is saved" in out
    assert "unexpectedly" not in out, out
    _gone, alive = psutil.wait_procs(children, timeout=15)
    assert alive == []


def test_the_engine_listens_on_when_acting_on_its_delivery_process_fails(capfd) -> None:
    """Seen in CI, a PostgreSQL server restarting: scheduling the next retry on the
    process's "idle" read the database, the error killed the listening thread with a
    traceback, and the process's words went unread from then on. One line, and it
    listens on."""
    import threading
    from multiprocessing import Pipe

    from sqlalchemy.exc import OperationalError

    from engine.runtime.delivery_process import _IDLE, _RAISED, DeliveryProcess

    engine_end, process_end = Pipe()
    heard: list[str] = []
    lost = threading.Event()

    def idle() -> None:
        heard.append("idle")
        if len(heard) == 1:  # the database away a moment
            raise OperationalError("SELECT next_delivery", {},
                                   Exception("server closed the connection unexpectedly"))

    listening = threading.Thread(target=DeliveryProcess("unused")._listen, args=(
        engine_end, lambda: heard.append("raised"), idle, lost.set), daemon=True)
    listening.start()
    for word in (_IDLE, _RAISED, _IDLE):
        process_end.send_bytes(word)
    wait_until(lambda: len(heard) == 3, timeout=5)
    assert heard == ["idle", "raised", "idle"] and listening.is_alive()
    process_end.close()  # the process ends
    assert lost.wait(5)
    err = capfd.readouterr().err
    assert "delivery: the database cannot be reached (server closed the connection " \
           "unexpectedly); the engine listens on to its delivery process" in err
    assert "Traceback" not in err


def test_two_threads_stopping_delivery_at_once_close_its_pipe_once(tmp_path) -> None:
    """Seen in CI: an engine that found another had taken its workspace stopped delivery
    on a thread of its own while `serve` stopped the engine; both closed the pipe, and the
    second failed with "Bad file descriptor" (a traceback in serve's output), closing a
    descriptor number that could by then be another of the engine's files."""
    import threading
    import time

    from engine.runtime.delivery_process import DeliveryProcess

    path = tmp_path / "w.waymark"
    prepare(path)
    process = DeliveryProcess(str(path))
    process.start(on_raised=lambda: None, on_idle=lambda: None, on_lost=lambda: None)
    conn, closes, failures = process._conn, [], []
    real_close = conn._close

    def slow_close() -> None:  # both stoppers inside closing at once, if both get there
        closes.append(threading.current_thread().name)
        time.sleep(0.3)
        real_close()

    conn._close = slow_close

    def stop() -> None:
        try:
            process.stop(timeout=10)
        except Exception as error:  # the failure this test looks for
            failures.append(error)

    stoppers = [threading.Thread(target=stop, name=f"stopper-{i}") for i in range(2)]
    for stopper in stoppers:
        stopper.start()
    for stopper in stoppers:
        stopper.join(30)
    assert failures == [] and len(closes) == 1
    assert conn.closed and process._process is None
    process.stop(timeout=1)  # and once more, later: nothing left to do
