"""The engine's helper processes (`serve`'s ingestion socket and delivery).

Both are spawned, not forked (no copy of the engine's threads and locks), talk to the
engine over a pipe, and are stopped the same way: asked over the pipe, given time to
finish what they hold, then killed.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


def spawn(target: Callable[..., None], name: str, *args: Any
          ) -> tuple[BaseProcess, Connection]:
    """Start `target(*args, child_end_of_the_pipe)` in a new process; returns the process
    and the engine's end of the pipe."""
    context = multiprocessing.get_context("spawn")
    conn, child_end = context.Pipe()
    process = context.Process(target=target, name=name, args=(*args, child_end), daemon=True)
    process.start()
    child_end.close()
    return process, conn


STOP = b"s"  # engine -> helper, the one word every helper's pipe knows


class Helper:
    """A helper process and the engine's end of its pipe, stopped once however many ask.

    Two threads may ask at the same moment (an engine that finds another took its
    workspace stops delivery on a thread of its own while `serve` stops the engine); both
    closed the pipe, and the second closed a file descriptor number the first had
    already given back, which by then may be another file of the engine's."""

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._stopping = False
        self._send_lock = threading.Lock()
        self._stop_lock = threading.Lock()

    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> Connection:
        self._stopping = False
        self._process, self._conn = spawn(target, name, *args)
        return self._conn

    def _send(self, message: bytes) -> None:
        with self._send_lock, contextlib.suppress(OSError, AttributeError):
            self._conn.send_bytes(message)

    def stop(self, timeout: float = 30) -> None:
        """Ask it to stop, give it `timeout` to finish what it holds, then kill it. A
        second caller waits for the first and finds it done."""
        self._stopping = True
        with self._stop_lock:
            self._send(STOP)
            process = self._process
            if process is not None:
                process.join(timeout)
                if process.is_alive():
                    process.kill()
                    process.join(5)
            with self._send_lock:
                conn, self._process, self._conn = self._conn, None, None
            if conn is not None:
                conn.close()


def leave_stopping_to_the_engine() -> None:
    """In a helper: ignore Ctrl+C and SIGTERM. A terminal, `timeout` or a service manager
    sends them to the whole process group; the engine then stops its helpers in order
    (the socket first, so nothing accepted is left half-done)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def settle_heap() -> None:
    """Once a long-running process has started: set what it has made so far (modules,
    compiled templates and statements, the live journeys) aside for good from Python's
    cyclic garbage collector. Every full collection walked all of it, 80–100 ms in which
    the process did nothing else, a few times a minute under load; now it walks what
    came after."""
    gc.collect()
    gc.freeze()
