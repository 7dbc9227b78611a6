"""A page's work off the GUI thread: queries, counts, imports' previews.

One worker thread per page runs jobs in turn; each answer comes back on the GUI thread
by a queued signal, so the GUI thread only paints. A job has a key: a newer job of the
same key replaces one that has not started yet (a search typed quickly runs once per
pause), and with `latest_only` the answer of an older job of that key is dropped, so a
slow old search never overwrites a newer one. `forget()` (another workspace) drops every
answer still to come.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger("waymark.studio.pages")
IDLE_SECONDS = 5.0


@dataclass
class _Job:
    key: str
    ticket: int
    generation: int
    work: Callable[[], Any]
    done: Callable[[Any], None]
    failed: Callable[[Exception], None] | None
    latest_only: bool


class Background(QObject):
    _answered = Signal(object, object, object)  # job, result, error

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._answered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._latest: dict[str, int] = {}
        self._tickets = 0
        self._generation = 0
        self._running: _Job | None = None
        self._lock = threading.Condition()
        self._stopping = False
        self._name = name
        self._thread: threading.Thread | None = None

    def run(self, key: str, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None] | None = None, *,
            latest_only: bool = True) -> int:
        """Run `work()` off the GUI thread, then `done(result)` (or `failed(error)`) on it."""
        with self._lock:
            self._tickets += 1
            job = _Job(key, self._tickets, self._generation, work, done, failed, latest_only)
            self._jobs.pop(key, None)
            self._jobs[key] = job
            self._latest[key] = job.ticket
            self._stopping = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, daemon=True,
                                                name=f"waymark-{self._name}")
                self._thread.start()
            self._lock.notify()
        return job.ticket

    def forget(self) -> None:
        """Drop the jobs not started and every answer still to come."""
        with self._lock:
            self._jobs.clear()
            self._generation += 1

    def busy(self) -> bool:
        with self._lock:
            return bool(self._jobs) or self._running is not None

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._jobs.clear()
            self._lock.notify()

    def _serve(self) -> None:
        """Until stopped, or idle for IDLE_SECONDS (a page not used starts it again)."""
        while True:
            with self._lock:
                if not self._jobs and not self._stopping:
                    self._lock.wait(IDLE_SECONDS)
                if self._stopping or not self._jobs:
                    self._thread = None
                    return
                _key, job = self._jobs.popitem(last=False)
                self._running = job
            result, error = None, None
            try:
                result = job.work()
            except Exception as exc:  # shown by the page; the thread goes on
                error = exc
            with contextlib.suppress(RuntimeError):  # the page is gone: nobody to tell
                self._answered.emit(job, result, error)
            with self._lock:
                self._running = None

    def _deliver(self, job: _Job, result: Any, error: Exception | None) -> None:
        with self._lock:
            stale = job.generation != self._generation or (
                job.latest_only and self._latest.get(job.key) != job.ticket)
        if stale:
            return
        if error is None:
            job.done(result)
        elif job.failed is not None:
            job.failed(error)
        else:
            log.warning("%s failed: %s: %s", job.key, type(error).__name__, error)
