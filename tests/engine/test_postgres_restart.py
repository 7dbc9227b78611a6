"""A single engine on PostgreSQL across a server restart. What keeps a second engine off
the workspace is an advisory lock, and the lock is the session's: a restart ends the
session and the lock with it. The engine takes it again at its next round (one every
2 s at the latest); if another engine took the workspace in between, it stops and says
why rather than run beside it (both would move the same people and send the same
messages). A server of this module's own: the tests restart it."""

from __future__ import annotations

import os
import signal

import pytest

from engine.store.lock import EngineLock, WorkspaceBusyError
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.postgres_support import own_server
from tests.engine.serve_support import ServeProcess, run_cli, wait_until


@pytest.fixture(scope="module")
def postgres():
    with own_server() as server:
        Workspace.open(server.url).close()  # the workspace's tables
        yield server


def restart(postgres) -> None:
    postgres.stop()  # "fast": every session ended, as a restart does
    postgres.start()


def test_the_lock_is_the_engine_s_again_after_a_restart(postgres) -> None:
    with Workspace.open(postgres.url) as workspace, Workspace.open(postgres.url) as other:
        first = EngineLock(workspace.db, postgres.url)
        first.acquire()
        try:
            restart(postgres)
            first.keep()  # its session went: it takes the lock again
            with pytest.raises(WorkspaceBusyError, match="is running"):
                EngineLock(other.db, postgres.url).acquire()
            first.keep()  # and keeps it
        finally:
            first.release()
        second = EngineLock(other.db, postgres.url)
        second.acquire()  # released: the workspace is free again
        second.release()


def test_waymark_serve_keeps_a_second_engine_off_after_a_restart(postgres, tmp_path) -> None:
    first = ServeProcess(postgres.url, free_port(), log=tmp_path / "serve.log")
    first.start()
    try:
        restart(postgres)
        wait_until(lambda: "lock is this engine's again" in first.logged(), timeout=20)
        second = run_cli("serve", "--workspace", postgres.url, "--port", str(free_port()),
                         timeout=30)
        assert second.returncode == 2, second.stdout + second.stderr
        assert "is running" in second.stderr
    finally:
        out = first.stop()
    assert "the workspace's lock went with its PostgreSQL session" in out
    assert "Traceback" not in out


def test_an_engine_whose_workspace_was_taken_meanwhile_stops_and_says_why(
        postgres, tmp_path) -> None:
    """The restart's window: another engine takes the workspace before this one's next
    round (here this one is paused meanwhile, so the other always comes first)."""
    first = ServeProcess(postgres.url, free_port(), log=tmp_path / "serve.log")
    first.start()
    os.kill(first.process.pid, signal.SIGSTOP)
    try:
        restart(postgres)
        with Workspace.open(postgres.url) as workspace:
            other = EngineLock(workspace.db, postgres.url)
            other.acquire()
            try:
                os.kill(first.process.pid, signal.SIGCONT)
                assert first.process.wait(timeout=30) == 1
                out = first.logged()
                assert "another engine took the workspace while its lock was gone" in out
                assert "this engine stopped" in out and "Traceback" not in out
                with pytest.raises(WorkspaceBusyError):  # still the other's
                    EngineLock(workspace.db, postgres.url).acquire()
            finally:
                other.release()
    finally:
        if first.process.poll() is None:
            os.kill(first.process.pid, signal.SIGCONT)
            first.kill()


WOKEN_WHILE_AWAY = """
import sys, threading
from engine.runtime.delivery_process import DeliveryProcess

if __name__ == "__main__":
    lost = threading.Event()
    process = DeliveryProcess(sys.argv[1])
    process.start(on_raised=lambda: None, on_idle=lambda: None, on_lost=lost.set)
    print("ready", flush=True)
    sys.stdin.readline()  # the test stopped the server
    process.wake()
    print("lost" if lost.wait(30) else "still running", flush=True)
    process.stop(timeout=5)
"""


def test_a_delivery_process_woken_while_the_server_is_away_says_so_in_one_line(
        postgres, tmp_path) -> None:
    """Seen in CI under load: woken while the server restarted, the delivery process died
    with Python's traceback of psycopg's "Connection refused" in serve's output. It says
    why in one line and ends; the engine starts another (`_delivery_lost`)."""
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "woken.py"
    script.write_text(WOKEN_WHILE_AWAY)
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, str(script), postgres.url], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(root)})
    try:
        assert child.stdout.readline().strip() == "ready"
        postgres.stop()
        try:
            out, err = child.communicate("away\n", timeout=60)
        finally:
            postgres.start()
    finally:
        if child.poll() is None:
            child.kill()
    assert out.split() == ["lost"]
    assert "delivery: the workspace's database cannot be reached (connection failed" in err
    assert "this delivery process ends and the engine starts another" in err
    assert "Traceback" not in err, err
