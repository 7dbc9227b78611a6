"""Who runs a workspace: the lock file names the engine holding it and its socket."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import event

from engine.store.lock import (
    EngineLock,
    Holder,
    WorkspaceBusyError,
    beside_path,
    engine_holder,
    lock_path,
)
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import ServeProcess, cart_workspace, run_cli
from tests.engine.test_postgres import database as database  # fixtures: a PostgreSQL
from tests.engine.test_postgres import server_url as server_url  # database on a test server


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


NOBODY = 65534  # the account a second engine runs as


@pytest.fixture
def shared_folder():
    """A folder both accounts reach (pytest's own are its owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="waymark-shared-", dir="/tmp"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as a second account (uid 65534) "
                    "needs root; as anyone else the lock's permissions are not this test's")
def test_an_engine_of_an_account_that_may_not_write_the_lock_file_is_kept_off(
        shared_folder) -> None:
    """Another account's engine (a service's `waymark serve`) made the lock file beside
    the workspace, which this account may read but not write: opening it to write
    failed, and the engine would have gone on without it — a second engine on the file.
    It now locks the file read only, and is refused while the other engine runs. The
    lock file is made with the workspace's permissions (umask 022 made it 0644)."""
    shared = shared_folder
    (shared / "nobody-data").mkdir()
    (shared / "nobody-data").chmod(0o777)  # its data folder (whatever the umask)
    with Workspace.open(shared / "shop.waymark") as workspace:
        # its owner and group write it, others read it; the lock file is made alike
        Path(workspace.location).chmod(0o664)
        first = EngineLock(workspace.db, workspace.location)
        first.acquire()
        try:
            assert beside_path(workspace.location).stat().st_mode & 0o777 == 0o664
            assert second_account_takes(workspace, shared) == "refused"
        finally:
            first.release()


def second_account_takes(workspace: Workspace, shared: Path) -> str:
    """An engine lock taken by uid 65534 with its own data folder, in a child process:
    "refused", "taken" or the error it met."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.environ["XDG_DATA_HOME"] = str(shared / "nobody-data")
            try:
                EngineLock(workspace.db, workspace.location).acquire()
                said = "taken"
            except WorkspaceBusyError:
                said = "refused"
        except BaseException as error:  # said to the test, which fails on it
            said = repr(error)
        os.write(write, said.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        said = answer.read()
    os.waitpid(child, 0)
    return said
