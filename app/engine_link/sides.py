"""The kinds of engine a studio can be linked to, without Qt.

*Embedded*: the studio runs the engine itself — `EngineHost` (runtime and delivery
threads) and the ingestion socket in a thread, as `waymark serve` runs them in processes.
*Observed*: another process (a `waymark serve`, another studio) holds the workspace; the
studio watches its store and fires through its socket. A cluster of engines
(`waymark serve --cluster`) is observed the same way (`cluster.ObservedCluster`).

All are made and stopped on the link's worker thread, never the GUI thread.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

from engine.ingestion.process import live_journeys
from engine.ingestion.server import DEFAULT_HOST, IngestionServer
from engine.runtime.host import EngineHost
from engine.store.lock import Holder, WorkspaceBusyError, engine_holder
from engine.workspace import Workspace

from .cluster import ObservedCluster, read_cluster
from .status import EngineMode, EngineStatus

STOP_TIMEOUT = 1.5  # seconds for the engine's threads to finish what they hold


class PortInUseError(RuntimeError):
    def __init__(self, port: int, free: int) -> None:
        super().__init__(f"port {port} on {DEFAULT_HOST} is in use by another program")
        self.port, self.free = port, free


class EmbeddedEngine:
    """The studio's own engine: runtime, delivery and socket as threads of this process."""

    kind = "embedded"
    cluster = None

    def __init__(self, host: EngineHost, server: IngestionServer) -> None:
        self.host, self.server = host, server

    @classmethod
    def start(cls, workspace: Workspace, port: int, on_change: Callable[[], None]
              ) -> EmbeddedEngine:
        """Raises WorkspaceBusyError (another engine holds it) or PortInUseError."""
        # background: the runtime gives way to the socket and the studio's window
        host = EngineHost(workspace, delivery="thread", background=True)
        host.take_workspace()
        server = IngestionServer(workspace, port=port, on_stored=host.wake,
                                 live_count=lambda: live_journeys(workspace))
        try:
            server.start_in_thread()
        except OSError as error:
            server.stop_thread()
            host.stop()
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(port, next_free_port(port)) from None
            raise
        host.public_url = server.base_url  # tracking links in messages come back here
        host.announce("studio", server.base_url)
        host.listeners.append(lambda _records: on_change())
        host.start()
        return cls(host, server)

    @property
    def url(self) -> str:
        return self.server.base_url

    @property
    def pid(self) -> int | None:
        return None

    @property
    def errors(self) -> list[str]:
        return list(self.host.errors)

    def status(self) -> EngineStatus:
        errors = self.errors
        return EngineStatus(EngineMode.RUNNING, self.url,
                            last_error=errors[-1] if errors else None)

    def fault(self) -> str | None:
        """Why this engine no longer works, if it does not."""
        if not self.server.listening_in_thread:
            return "its ingestion socket stopped"
        if self.host.lost is not None:
            return self.host.lost
        parts = self.host.stopped_parts()
        return f"its thread {', '.join(parts)} ended" if parts else None

    def stop(self) -> None:
        """The socket first (it finishes the requests in hand), then the engine: what
        was accepted is in the inbox and is imported at the next start if not now."""
        try:
            self.server.stop_thread()
        finally:
            self.host.stop(timeout=STOP_TIMEOUT)


class ObservedEngine:
    """An engine in another process; `fault` notices when it goes."""

    kind = "observer"
    cluster = None

    def __init__(self, workspace: Workspace, holder: Holder) -> None:
        self.workspace, self.holder = workspace, holder

    @property
    def url(self) -> str | None:
        return self.holder.url

    @property
    def pid(self) -> int | None:
        return self.holder.pid

    @property
    def errors(self) -> list[str]:
        return []

    def fault(self) -> str | None:
        now = engine_holder(self.workspace.db, self.workspace.location)
        if now is None or now.pid != self.holder.pid:
            return f"the engine it was watching ({self.holder.describe()}) stopped"
        self.holder = now  # its socket may have started listening since
        return None

    def status(self) -> EngineStatus:
        return EngineStatus(EngineMode.OBSERVING, self.url, self.pid, self.holder.describe(),
                            runner=self.holder.who())

    def stop(self) -> None:
        """Nothing to stop: the engine is another process's."""


Side = EmbeddedEngine | ObservedEngine | ObservedCluster


def run_or_observe(workspace: Workspace, port: int, on_change: Callable[[], None]) -> Side:
    """The studio's own engine on this workspace, or, when another holds it, that one."""
    try:
        return EmbeddedEngine.start(workspace, port, on_change)
    except WorkspaceBusyError as busy:
        return observe(workspace, busy)


def observe_holder(workspace: Workspace) -> ObservedEngine | ObservedCluster | None:
    """The engine another process runs on this workspace, or None when none does."""
    holder = engine_holder(workspace.db, workspace.location)
    if holder is None:
        return None
    return observe(workspace, WorkspaceBusyError("", holder))


def observe(workspace: Workspace, busy: WorkspaceBusyError
            ) -> ObservedEngine | ObservedCluster:
    """What holds the workspace the studio's engine could not take: a cluster of engines
    (which shares the lock, and writes no lock file), or one engine."""
    cluster = read_cluster(workspace)
    if cluster is not None:
        return ObservedCluster(workspace, cluster)
    return ObservedEngine(workspace, busy.holder or Holder(None))


def next_free_port(taken: int, host: str = DEFAULT_HOST) -> int:
    """The first port after `taken` that nothing listens on (or one the system picks)."""
    for port in range(taken + 1, min(taken + 50, 65535)):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
