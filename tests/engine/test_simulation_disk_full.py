"""A disk that fills while a simulation writes its workspace: `waymark simulate` says so,
naming the folder, exits 2 and leaves nothing behind (it printed a traceback from a
simulation process, and the studio showed that traceback as the reason).

The disk is a real one: a 4 MB tmpfs, which mounting needs root for; elsewhere the test
says so and skips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.resources import resource

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "small"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
            capture_output=True).returncode != 0:
        pytest.skip("a small disk is a 4 MB tmpfs, and mounting one needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def simulate(disk: Path, spec: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine", "simulate",
         str(resource("samples", "abandoned_cart.json")), "--generate", str(spec),
         "--summary", *arguments],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "TMPDIR": str(disk)})


@pytest.mark.parametrize("people", [300, 5000])  # one process; in parts
def test_a_full_disk_is_said_naming_the_folder_and_nothing_is_left(small_disk, tmp_path,
                                                                    people) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({**json.loads(
        resource("samples", "abandoned_cart.audience.json").read_text()), "people": people}))
    (small_disk / "filler").write_bytes(bytes(4 * 1024 * 1024 - 64 * 1024))  # 64 KB free
    done = simulate(small_disk, spec)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: the disk is full: no room left for the simulation's "
                           f"workspace in {small_disk}/waymark-sim-"), line
    assert line.endswith("(free some space, or simulate fewer people)")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # nothing left

    # kept (as the studio keeps it): the folder named is the kept one's
    (small_disk / "filler").unlink()
    (small_disk / "filler").write_bytes(bytes(4 * 1024 * 1024 - 256 * 1024))
    kept = small_disk / "kept"
    done = simulate(small_disk, spec, "--keep", str(kept), "--no-outbox", "--json")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1].startswith(
        f"error: the disk is full: no room left for the simulation's workspace in {kept}")
    assert done.stdout == ""
