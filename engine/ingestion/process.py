"""The ingestion socket in a process of its own, as `waymark serve` runs it.

In one process the socket and the runtime would share one interpreter lock, and every
batch of journeys being stepped would hold up the acknowledgements. In a process of its
own the socket answers at its own pace. After each commit it tells the engine over a
pipe; it stops when that pipe closes, so it never outlives the engine, not even one
killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection

from engine.cluster.sessions import store_in_workspace
from engine.processes import Helper, leave_stopping_to_the_engine, settle_heap
from engine.workspace import Workspace

from .address import base_url
from .limits import SocketLimits

_WAKE = b"w"  # engine -> socket (and `engine.processes.STOP`)


class IngestionStartError(RuntimeError):
    pass


class IngestionProcess(Helper):
    def __init__(self, location: str | None, host: str, port: int,
                 limits: SocketLimits = SocketLimits(), cluster: bool = False) -> None:
        """`location` as `Workspace.open` takes it (None: the default workspace);
        `cluster`: the socket of a cluster engine, storing into the workspace itself."""
        super().__init__()
        self.location, self.host, self.port, self.limits = location, host, port, limits
        self.cluster = cluster

    @property
    def base_url(self) -> str:
        return base_url(self.host, self.port)

    def start(self, on_stored: Callable[[], None], on_lost: Callable[[], None],
              timeout: float = 60) -> None:
        """Start listening (or raise IngestionStartError saying why not).

        `on_stored` is called (on a thread of this class) after events were committed;
        `on_lost` if the socket's process ends without being asked to.
        """
        conn = self._spawn(_child_main, "waymark-ingestion", self.location, self.host,
                           self.port, self.limits, self.cluster)
        if not conn.poll(timeout):
            self.stop()
            raise IngestionStartError("the ingestion socket did not start in time")
        try:
            kind, value = conn.recv()
        except EOFError:
            self.stop()
            raise IngestionStartError("the ingestion socket's process ended while starting "
                                      "(see the messages above)") from None
        if kind == "error":
            self.stop()
            raise IngestionStartError(value)
        self.port = value
        threading.Thread(target=self._listen, args=(conn, on_stored, on_lost), daemon=True,
                         name="waymark-ingestion-pipe").start()

    def _listen(self, conn: Connection, on_stored: Callable[[], None],
                on_lost: Callable[[], None]) -> None:
        try:
            while True:
                conn.recv_bytes()
                on_stored()
        except (EOFError, OSError):
            if not self._stopping:
                on_lost()


# --- in the socket's process -------------------------------------------------------------

def _child_main(location: str | None, host: str, port: int, limits: SocketLimits,
                cluster: bool, conn: Connection) -> None:
    leave_stopping_to_the_engine()
    with Workspace.open(location, create=False) as workspace:
        if cluster:
            store_in_workspace(workspace)
        asyncio.run(_serve(workspace, host, port, limits, conn))


def live_journeys(workspace: Workspace) -> int:
    return sum(1 for journey in workspace.journeys() if journey.state == "live")


async def _serve(workspace: Workspace, host: str, port: int, limits: SocketLimits,
                 conn: Connection) -> None:
    from .server import IngestionServer  # here: the engine's process needs no aiohttp

    loop = asyncio.get_running_loop()
    closed = asyncio.Event()

    def notify() -> None:
        with contextlib.suppress(OSError):  # the engine is gone; `watch` stops the socket
            conn.send_bytes(_WAKE)

    def watch() -> None:
        """Until the engine says stop, or its end of the pipe closes (it is gone)."""
        with contextlib.suppress(EOFError, OSError):
            conn.recv_bytes()
        loop.call_soon_threadsafe(closed.set)

    server = IngestionServer(workspace, host=host, port=port, on_stored=notify,
                             live_count=lambda: live_journeys(workspace), limits=limits)
    # Before listening: the collection takes 60 ms or so, and after a restart clients are
    # already knocking (acknowledgements queued behind it).
    settle_heap()
    try:
        await server.start()
    except OSError as error:
        conn.send(("error", f"cannot listen on {host}:{port}: {error.strerror}"))
        return
    conn.send(("ready", server.port))
    threading.Thread(target=watch, daemon=True, name="waymark-engine-pipe").start()
    await closed.wait()
    await server.stop()
