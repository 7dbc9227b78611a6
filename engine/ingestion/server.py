"""The ingestion server: aiohttp on 127.0.0.1:8765 by default.

`serve` runs it in a process of its own (process.py); the studio and the tests run it in a
thread of its own with `start_in_thread()`. The listening socket is asyncio's, with
`ConnectionGuard` as its protocol factory (connections.py): aiohttp's TCPSite would give
every connection aiohttp's own handler, with no limit and no deadline for a head or body.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from engine.workspace import Workspace

from .address import DEFAULT_HOST, DEFAULT_PORT, base_url
from .api import IngestionApi
from .connections import ConnectionGuard, deadlines
from .http import MAX_BODY, errors_and_cors
from .limits import ConnectionBudget, SocketLimits
from .logs import redact_keys_in_logs
from .tracking_routes import TrackingRoutes
from .writer import EventWriter

LISTEN_QUEUE = 1024


class IngestionServer:
    def __init__(self, workspace: Workspace, *, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, on_stored: Callable[[], None] = lambda: None,
                 live_count: Callable[[], int] = lambda: 0,
                 limits: SocketLimits = SocketLimits()) -> None:
        self.workspace, self.host, self.port = workspace, host, port
        self.on_stored, self.live_count, self.limits = on_stored, live_count, limits
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._guard: ConnectionGuard | None = None
        self._writer: EventWriter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return base_url(self.host, self.port)

    def build_app(self) -> web.Application:
        db = self.workspace.db
        self._writer = EventWriter(db, self.workspace.inbox, time.time, self.on_stored)
        app = web.Application(client_max_size=MAX_BODY,
                              middlewares=[errors_and_cors, deadlines(self.limits)])
        app.add_routes(IngestionApi(db, self._writer, self.workspace.location,
                                    self.live_count).routes())
        app.add_routes(TrackingRoutes(db, self._writer).routes())
        return app

    async def start(self) -> None:
        redact_keys_in_logs()
        loop = asyncio.get_running_loop()
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=2)
        await self._runner.setup()
        budget = ConnectionBudget.of_this_process(self.limits.max_connections)
        self._guard = ConnectionGuard(self._runner.server, self.limits, budget)
        loop.set_exception_handler(self._guard.exception_handler(loop.get_exception_handler()))
        self._listener = await loop.create_server(self._guard, self.host, self.port,
                                                  backlog=budget.backlog)
        for listening in self._listener.sockets:
            _lengthen_queue(listening)
        self.port = self._listener.sockets[0].getsockname()[1]  # the real one if 0 was asked

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()  # not wait_closed(): it waits for the connections
        if self._runner is not None:
            await self._runner.cleanup()  # finishes the requests in hand, closes the rest
        if self._guard is not None:
            self._guard.close()
        if self._writer is not None:
            self._writer.close()

    # --- in a thread of its own --------------------------------------------------------

    def start_in_thread(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="waymark-ingestion")
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.start(), self._loop).result(timeout=30)

    @property
    def listening_in_thread(self) -> bool:
        """Started with `start_in_thread` and its thread still serving."""
        return self._loop is not None and self._loop.is_running() \
            and self._thread is not None and self._thread.is_alive()

    def stop_thread(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None


def _lengthen_queue(listening: Any) -> None:
    """asyncio's `backlog` is both the kernel's queue of connections waiting to be accepted
    and how many it accepts in one pass of the loop. The second must stay small (each holds
    a descriptor before the guard sees it), the first need not: a short queue makes a
    burst of clients wait a second to retry their SYN. Listening again lengthens it."""
    with socket.socket(fileno=os.dup(listening.fileno())) as same:
        same.listen(LISTEN_QUEUE)
