"""A real engine with its ingestion socket on 127.0.0.1, for tests."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.ingestion import keys
from engine.ingestion.limits import SocketLimits
from engine.ingestion.server import IngestionServer
from engine.model import Bundle, Contact
from engine.runtime.host import EngineHost
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine.delivery_support import free_port
from tests.engine.serve_support import wait_until


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class RunningEngine:
    workspace: Workspace
    host: EngineHost
    server: IngestionServer
    key: str

    @property
    def url(self) -> str:
        return self.server.base_url

    def request(self, method: str, path: str, body: Any = None, *, key: str | None = "default",
                content_type: str = "application/json", raw: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if key is not None:
            all_headers["Authorization"] = f"Bearer {self.key if key == 'default' else key}"
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=all_headers)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return Answer(response.status, _body(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _body(error.read()), dict(error.headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request("POST", path, body, **kwargs)

    def wait_for(self, condition: Callable[[], Any], timeout: float = 10) -> Any:
        """Poll until the engine has done something (it works in its own thread)."""
        return wait_until(condition, timeout, poll=0.02)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.workspace.db.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.workspace.db.connect() as conn:
            return list(conn.execute(text(sql), params))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw


@contextmanager
def running_engine(folder: Path, *bundles: Bundle, contacts: tuple[Contact, ...] = (),
                   configure: Callable[[Any], None] | None = None,
                   limits: SocketLimits = SocketLimits(), location: str | None = None
                   ) -> Iterator[RunningEngine]:
    """A workspace with the bundles published, the engine running, the socket listening;
    `location`: a PostgreSQL URL instead of a file in `folder`."""
    workspace = Workspace.open(location or folder / "engine.waymark")
    for bundle in bundles:
        journey = workspace.import_bundle(bundle)
        result = workspace.publish(journey.id)
        assert result.published, [p.line() for p in result.problems]
    for contact in contacts:
        workspace.save_contact(contact)
    port = free_port()
    settings = workspace.delivery_settings()
    settings.tracking.base_url = f"http://127.0.0.1:{port}"  # links in emails come back here
    if configure is not None:
        configure(settings)
    workspace.save_delivery_settings(settings)
    with writing(workspace.db) as conn:
        _info, key = keys.create_key(conn, "tests")
    host = EngineHost(workspace)
    host.start()
    server = IngestionServer(workspace, port=port, on_stored=host.wake,
                             live_count=lambda: len(host.runtime.versions), limits=limits)
    server.start_in_thread()
    try:
        yield RunningEngine(workspace, host, server, key)
    finally:
        server.stop_thread()
        host.stop()
        workspace.close()


def raw_answer(sock: socket.socket, timeout: float = 5) -> bytes | str:
    """Everything the server sends on `sock` until it closes it: the bytes, or "reset",
    or "open" when it is still open after `timeout` seconds."""
    sock.settimeout(timeout)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        return "open"
    except ConnectionResetError:
        return received or "reset"
    return received


def raw_exchange(port: int, data: bytes, timeout: float = 5) -> bytes | str:
    """Send `data` as it is (malformed HTTP too) and read the answer (see raw_answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return raw_answer(sock, timeout)
