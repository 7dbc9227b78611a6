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


class PrivateServer:
    """A server in a folder of its own, which a test may stop and start again."""

    def __init__(self) -> None:
        self.bin_dir = BINARIES[0]
        self.folder = Path(tempfile.mkdtemp(prefix="waymark-pg-"))
        self.data, self.port = self.folder / "data", free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/waymark"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(_as_server_user([str(self.bin_dir / program), *args]), check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"), "-o",
                  f"-p {self.port} -k {self.folder} -h 127.0.0.1 -F", "start")

    def stop(self, mode: str = "fast") -> None:
        """fast: sessions are ended and their transactions rolled back, as on a restart."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", mode, "stop")

    def create_database(self) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "waymark")
        return self.url

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def private_server() -> PrivateServer:
    """A server of the test's own (skips where the machine has none)."""
    pytest.importorskip("psycopg", reason="no PostgreSQL driver: pip install 'psycopg[binary]'")
    if not BINARIES or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server here: apt-get install postgresql "
                    "(or set WAYMARK_TEST_POSTGRES_URL)")
    return PrivateServer()


@contextmanager
def own_server() -> Iterator[PrivateServer]:
    """A started server of the caller's own, with its `waymark` database, which a test
    may stop and start again (a restart); removed after."""
    server = private_server()
    server.start()
    try:
        server.create_database()
        yield server
    finally:
        server.remove()


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a SQLAlchemy URL to an empty database on a private server."""
    if url := os.environ.get("WAYMARK_TEST_POSTGRES_URL"):
        yield url
        return
    with own_server() as server:
        yield server.url
