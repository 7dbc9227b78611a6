"""The ingestion server: aiohttp on 127.0.0.1:8765 by default.

`serve` runs it on the main thread's event loop; the studio and the tests run it in a
thread of its own with `start_in_thread()`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from collections.abc import Callable

from aiohttp import web

from engine.workspace import Workspace

from .api import IngestionApi
from .http import MAX_BODY, errors_and_cors
from .tracking_routes import TrackingRoutes
from .writer import EventWriter

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class IngestionServer:
    def __init__(self, workspace: Workspace, *, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, on_stored: Callable[[], None] = lambda: None,
                 live_count: Callable[[], int] = lambda: 0) -> None:
        self.workspace, self.host, self.port = workspace, host, port
        self.on_stored, self.live_count = on_stored, live_count
        self._runner: web.AppRunner | None = None
        self._writer: EventWriter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return base_url(self.host, self.port)

    def build_app(self) -> web.Application:
        db = self.workspace.db
        self._writer = EventWriter(db, self.workspace.inbox, time.time, self.on_stored)
        app = web.Application(client_max_size=MAX_BODY, middlewares=[errors_and_cors])
        app.add_routes(IngestionApi(db, self._writer, self.workspace.location,
                                    self.live_count).routes())
        app.add_routes(TrackingRoutes(db, self._writer).routes())
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the real one when 0 was asked for

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._writer is not None:
            self._writer.close()

    # --- in a thread of its own --------------------------------------------------------

    def start_in_thread(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="waymark-ingestion")
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.start(), self._loop).result(timeout=30)

    def stop_thread(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None
