"""Who runs a workspace: the lock file names the engine holding it and its socket."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import event

from engine.store.lock import EngineLock, Holder, WorkspaceBusyError, engine_holder, lock_path
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, cart_workspace, run_cli
from tests.engine.test_postgres import database as database  # fixtures: a PostgreSQL
from tests.engine.test_postgres import server_url as server_url  # database on a test server


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "w.waymark") as opened:
        yield opened


def test_a_workspace_nobody_runs_has_no_holder(workspace) -> None:
    assert engine_holder(workspace.db, workspace.location) is None


def test_the_holder_is_this_process_with_its_socket_once_announced(workspace) -> None:
    lock = EngineLock(workspace.db, workspace.location)
    lock.acquire()
    try:
        held = engine_holder(workspace.db, workspace.location)
        assert held.pid == os.getpid() and held.url is None
        lock.announce("studio", "http://127.0.0.1:9999")
        held = engine_holder(workspace.db, workspace.location)
        assert (held.kind, held.url) == ("studio", "http://127.0.0.1:9999")
        with pytest.raises(WorkspaceBusyError, match="waymark studio, pid") as refused:
            EngineLock(workspace.db, workspace.location).acquire()
        assert refused.value.holder.url == "http://127.0.0.1:9999"
    finally:
        lock.release()
    assert engine_holder(workspace.db, workspace.location) is None


def test_looking_never_releases_the_holders_lock(workspace) -> None:
    lock = EngineLock(workspace.db, workspace.location)
    lock.acquire()
    try:
        for _ in range(3):
            assert engine_holder(workspace.db, workspace.location) is not None
        with pytest.raises(WorkspaceBusyError):
            EngineLock(workspace.db, workspace.location).acquire()
    finally:
        lock.release()


def test_an_engine_starts_while_another_process_keeps_looking(workspace) -> None:
    """Looking takes the lock for an instant; an engine starting then asks again."""
    stop = threading.Event()

    def look() -> None:
        while not stop.is_set():
            engine_holder(workspace.db, workspace.location)

    looker = threading.Thread(target=look)
    looker.start()
    try:
        for _ in range(300):
            lock = EngineLock(workspace.db, workspace.location)
            lock.acquire()
            lock.release()
    finally:
        stop.set()
        looker.join()


def test_a_lock_file_left_by_a_dead_engine_is_no_holder(workspace) -> None:
    path = lock_path(workspace.location)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(Holder(123, "serve", "http://127.0.0.1:1").to_json())
    assert engine_holder(workspace.db, workspace.location) is None


def test_an_older_engines_lock_file_still_names_its_pid() -> None:
    assert Holder.parse("pid 4120, on /tmp/shop.waymark") == Holder(
        4120, location="/tmp/shop.waymark")
    assert Holder.parse("") is None


def test_waymark_serve_says_where_it_listens_and_a_second_engine_is_told(tmp_path) -> None:
    path, _key = cart_workspace(tmp_path)
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        with Workspace.open(path) as workspace:
            held = engine_holder(workspace.db, workspace.location)
        assert (held.kind, held.pid, held.url) == ("serve", serve.process.pid, serve.url)
        second = run_cli("serve", "--workspace", str(path), "--port", "0")
        assert second.returncode != 0
        assert f"(waymark serve, pid {serve.process.pid}, listening on {serve.url}, on {path})" \
            in second.stderr
    finally:
        serve.stop()
    with Workspace.open(path) as workspace:
        assert engine_holder(workspace.db, workspace.location) is None


def test_a_killed_serve_leaves_no_holder(tmp_path) -> None:
    path, _key = cart_workspace(tmp_path)
    serve = ServeProcess(path, free_port())
    serve.start()
    serve.kill()
    with Workspace.open(path) as workspace:
        assert engine_holder(workspace.db, workspace.location) is None


def test_the_holder_of_a_postgresql_workspace_is_found_too(database) -> None:
    with Workspace.open(database) as workspace:
        assert engine_holder(workspace.db, workspace.location) is None
        lock = EngineLock(workspace.db, workspace.location)
        lock.acquire()
        try:
            lock.announce("serve", "http://127.0.0.1:8765")
            held = engine_holder(workspace.db, workspace.location)
            assert (held.pid, held.url) == (os.getpid(), "http://127.0.0.1:8765")
            with pytest.raises(WorkspaceBusyError, match=r"listening on http://127\.0\.0\.1:8765"):
                EngineLock(workspace.db, workspace.location).acquire()
        finally:
            lock.release()
        assert engine_holder(workspace.db, workspace.location) is None  # the lock is let go
        again = EngineLock(workspace.db, workspace.location)
        again.acquire()
        again.release()


def test_looking_at_a_postgresql_workspace_reads_its_identity_once(database) -> None:
    """The studio looks every few seconds: each look is one lock probe, not a writing
    transaction to read the workspace's identity again."""
    with Workspace.open(database) as workspace:
        assert engine_holder(workspace.db, workspace.location) is None
        statements: list[str] = []
        event.listen(workspace.db, "before_cursor_execute",
                     lambda _c, _k, sql, *_a: statements.append(sql))
        for _ in range(3):
            assert engine_holder(workspace.db, workspace.location) is None
        assert not [sql for sql in statements if "meta" in sql], statements
        assert sum("pg_try_advisory_lock" in sql for sql in statements) == 3
