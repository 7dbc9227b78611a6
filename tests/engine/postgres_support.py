"""A throw-away PostgreSQL server for the tests that check Waymark on PostgreSQL.

It uses the server binaries of the machine (Debian's postgresql package); where there
are none, or no driver, the tests skip and say why. WAYMARK_TEST_POSTGRES_URL points the
tests at an existing server instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.engine.delivery_support import free_port

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _as_server_user(command: list[str]) -> list[str]:
    """initdb refuses to run as root; the postgres user runs the server then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a SQLAlchemy URL to an empty database on a private server."""
    if url := os.environ.get("WAYMARK_TEST_POSTGRES_URL"):
        yield url
        return
    pytest.importorskip("psycopg", reason="no PostgreSQL driver: pip install 'psycopg[binary]'")
    if not BINARIES or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server here: apt-get install postgresql "
                    "(or set WAYMARK_TEST_POSTGRES_URL)")
    bin_dir = BINARIES[0]
    folder = Path(tempfile.mkdtemp(prefix="waymark-pg-"))
    data, port = folder / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    run = lambda *cmd: subprocess.run(_as_server_user(list(cmd)), check=True,  # noqa: E731
                                      capture_output=True, timeout=120)
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "-E", "UTF8", "--no-sync")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
        f"-p {port} -k {folder} -h 127.0.0.1 -F", "start")
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
            "waymark")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/waymark"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
