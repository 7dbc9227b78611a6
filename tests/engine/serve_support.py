"""`waymark serve` as a real process, for end-to-end and crash tests."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.ingestion import keys
from engine.model import read_bundle
from engine.resources import resource as sample
from engine.store.database import writing
from engine.workspace import Workspace


@dataclass
class ServeProcess:
    workspace: Path
    port: int
    new_session: bool = False  # a process group of its own, to signal as a whole
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ()  # more `serve` options
    open_files: int | None = None  # a lower limit on open files (`ulimit -n`) for serve
    log: Path | None = None  # append serve's output here (a long run) rather than to a pipe
    prefix: tuple[str, ...] = ()  # a command serve runs under (`faketime +7s`)
    env: dict[str, str] = field(default_factory=dict)  # more environment (another account's)
    _log_start: int = field(default=0, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [*self.prefix, sys.executable, "-m", "engine", "serve", "--workspace",
                   str(self.workspace), "--port", str(self.port), *self.options]
        output = subprocess.PIPE if self.log is None else self.log.open("a")
        self._log_start = output.tell() if self.log is not None else 0
        self.process = subprocess.Popen(command, stdout=output,
                                        stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1",
                                             **self.env},
                                        start_new_session=self.new_session,
                                        preexec_fn=self._limit_open_files
                                        if self.open_files is not None else None)
        if self.log is not None:
            output.close()  # the child has its own copy
            wait_until(self._listening, timeout=60)
            return
        line = self.process.stdout.readline()
        assert "listening on" in line, line + self.process.stdout.read()

    def logged(self) -> str:
        """What this start of serve has written to `log` so far."""
        with self.log.open() as log:
            log.seek(self._log_start)
            return log.read()

    def _listening(self) -> bool:
        out = self.logged()
        assert "listening on" in out or self.process.poll() is None, out
        return "listening on" in out

    def _limit_open_files(self) -> None:
        """In the child, before it runs serve (its helper processes inherit the limit)."""
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, hard))

    def kill(self, group: bool = False) -> None:
        """SIGKILL to serve, or to all its processes at once (needs `new_session`)."""
        if group:
            os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=60)
        out = out if self.log is None else self.logged()
        assert self.process.returncode == 0, out
        return out


CART_EVENT = b'{"authId": "ann", "attributes": {"cart_total": 80}}'


def cart_workspace(folder: Path) -> tuple[Path, str]:
    """A workspace with the abandoned-cart sample live, and a key for it."""
    path = folder / "shop.waymark"
    with Workspace.open(path) as workspace:
        workspace.import_bundle(read_bundle(sample("samples", "abandoned_cart.json")))
        assert workspace.publish("abandoned-cart").published
    return path, make_key(path)


def make_key(workspace: Path) -> str:
    with Workspace.open(workspace) as ws, writing(ws.db) as conn:
        return keys.create_key(conn, "tests", rate=100_000, burst=100_000)[1]


def post(url: str, key: str, body: Any, timeout: float = 10) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def query(path: Path, sql: str, **params: Any) -> list:
    """Rows of a query on a workspace file (another process may be serving it)."""
    with Workspace.open(path) as workspace, workspace.db.connect() as conn:
        return list(conn.execute(text(sql), params))


def wait_until(condition: Callable[[], Any], timeout: float = 15, poll: float = 0.05) -> Any:
    """Poll until `condition` gives something truthy (the engine works in its own time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(poll)
    raise AssertionError(f"nothing happened within {timeout} s")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_cli(*args: str, timeout: float = 60, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    """A `waymark` command as a process of its own (beside one the test is in); `env`:
    more environment."""
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})
