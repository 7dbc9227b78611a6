"""A workspace shared by several processes: one engine per file whatever its name, and a
store that notices when its write-ahead log is no longer the file's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.store.database import WorkspaceDetachedError
from engine.store.lock import engine_holder
from engine.workspace import Workspace
from tests.engine.builders import simple_journey
from tests.engine.serve_support import ServeProcess, run_cli


def test_a_second_engine_on_a_hard_link_to_the_workspace_is_refused(tmp_path) -> None:
    first = ServeProcess(tmp_path / "a.waymark", port=0)
    first.start()
    try:
        os.link(tmp_path / "a.waymark", tmp_path / "b.waymark")
        second = run_cli("serve", "--workspace", str(tmp_path / "b.waymark"), "--port", "0")
        assert second.returncode == 2, second.stdout + second.stderr
        assert "another Waymark engine" in second.stderr
        assert f"on {tmp_path / 'a.waymark'}) is running on {tmp_path / 'b.waymark'}" \
            in second.stderr
        assert "Traceback" not in second.stderr and second.stdout == ""
    finally:
        first.stop()


def test_an_engine_of_another_account_keeps_a_second_one_off_the_workspace(tmp_path) -> None:
    """Seen by hand: `waymark serve` under one HOME and the studio under another both ran
    an engine on one workspace file — each took its lock in its own user data folder. The
    lock beside the workspace refuses the second engine, whatever its data folder, and
    whoever looks (the studio, to observe the engine) finds the first."""
    path = tmp_path / "shop.waymark"
    first = ServeProcess(path, port=0, env={"XDG_DATA_HOME": str(tmp_path / "service")})
    first.start()
    try:
        second = run_cli("serve", "--workspace", str(path), "--port", "0", timeout=30,
                         env={"XDG_DATA_HOME": str(tmp_path / "marketer")})
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"another Waymark engine (waymark serve, pid {first.process.pid}" \
            in second.stderr
        with Workspace.open(path) as workspace:  # this process's data folder: a third
            held = engine_holder(workspace.db, workspace.location)
        assert held is not None and held.pid == first.process.pid
        assert (tmp_path / "shop.waymark-engine.lock").exists()
    finally:
        first.stop()
    assert not (tmp_path / "shop.waymark-engine.lock").exists()  # stopped: gone with it
    again = ServeProcess(path, port=0, env={"XDG_DATA_HOME": str(tmp_path / "marketer")})
    again.start()  # and the workspace is free for the other account
    again.stop()


def drop_this_process_locks(path) -> None:
    """What a file dialog guessing the file's type did: open and close the workspace file,
    which releases every POSIX lock this process holds on it, SQLite's included."""
    with open(path, "rb") as handle:
        handle.read(16)


def test_a_store_whose_log_was_deleted_by_another_process_refuses_to_write(tmp_path) -> None:
    path = tmp_path / "w.waymark"
    with Workspace.open(path) as workspace:
        workspace.save_journey(simple_journey())
        drop_this_process_locks(path)
        listed = run_cli("journeys", "list", "--workspace", str(path))
        assert listed.returncode == 0 and "j1" in listed.stdout  # it deleted our log
        with pytest.raises(WorkspaceDetachedError) as refused:
            workspace.rename_journey("j1", "Renamed too late")
        message = str(refused.value)
        assert str(path) in message and "w.waymark-wal" in message
        assert "deleted or replaced by another process" in message
        assert "Close the workspace and open it again" in message
        with pytest.raises(WorkspaceDetachedError):  # reads too: they would be stale
            workspace.journeys()
    with Workspace.open(path) as again:  # opened again, all is well
        again.rename_journey("j1", "Renamed after reopening")
    assert "Renamed after reopening" in run_cli("journeys", "list", "--workspace",
                                                str(path)).stdout


def test_a_renamed_log_is_noticed_before_the_next_write(tmp_path) -> None:
    path = tmp_path / "w.waymark"
    with Workspace.open(path) as workspace:
        workspace.save_journey(simple_journey())
        moved = subprocess.run([sys.executable, "-c", "import os, sys; "
                                "os.rename(sys.argv[1], sys.argv[1] + '.old')",
                                f"{path}-wal"], timeout=30)
        assert moved.returncode == 0
        with pytest.raises(WorkspaceDetachedError, match="deleted or replaced"):
            workspace.rename_journey("j1", "Lost?")


COMMIT_THEN_DIE = """
import os, sys
from engine.model import Contact
from engine.workspace import Workspace
Workspace.open(sys.argv[1]).save_contact(Contact(id="zoe"))
os._exit(0)  # no close: the commit stays in the log, as after a crash
"""


def test_closing_a_detached_store_leaves_the_current_log_alone(tmp_path) -> None:
    """Closing the last connection checkpoints and deletes `-wal` by its name: for a
    detached connection that name is someone else's log, here holding a commit of a
    process that died before copying it into the file."""
    path = tmp_path / "w.waymark"
    workspace = Workspace.open(path)
    workspace.save_journey(simple_journey())
    drop_this_process_locks(path)
    assert run_cli("journeys", "list", "--workspace", str(path)).returncode == 0
    died = subprocess.run([sys.executable, "-c", COMMIT_THEN_DIE, str(path)], timeout=60)
    assert died.returncode == 0 and Path(f"{path}-wal").stat().st_size > 0
    workspace.close()
    with Workspace.open(path) as again:
        assert again.contact("zoe") is not None
        assert [j.id for j in again.journeys()] == ["j1"]


def test_opening_a_workspace_again_in_the_same_process_keeps_the_first_attached(
        tmp_path) -> None:
    path = tmp_path / "w.waymark"
    with Workspace.open(path) as first:
        first.save_journey(simple_journey())
        Workspace.open(path).close()  # the studio's File → Open on the same file, say
        assert run_cli("journeys", "list", "--workspace", str(path)).returncode == 0
        first.rename_journey("j1", "Still attached")
    assert "Still attached" in run_cli("journeys", "list", "--workspace", str(path)).stdout
