"""A workspace shared by several processes: one engine per file whatever its name, and a
store that notices when its write-ahead log is no longer the file's."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.engine.serve_support import ServeProcess


def test_a_second_engine_on_a_hard_link_to_the_workspace_is_refused(tmp_path) -> None:
    first = ServeProcess(tmp_path / "a.waymark", port=0)
    first.start()
    try:
        os.link(tmp_path / "a.waymark", tmp_path / "b.waymark")
        second = subprocess.run(
            [sys.executable, "-m", "engine", "serve", "--workspace",
             str(tmp_path / "b.waymark"), "--port", "0"],
            capture_output=True, text=True, timeout=60)
        assert second.returncode == 2, second.stdout + second.stderr
        assert "another Waymark engine" in second.stderr
        assert f"on {tmp_path / 'a.waymark'}) is running on {tmp_path / 'b.waymark'}" \
            in second.stderr
        assert "Traceback" not in second.stderr and second.stdout == ""
    finally:
        first.stop()
