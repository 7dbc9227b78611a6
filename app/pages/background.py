"""A page's work off the GUI thread: queries, counts, imports' previews.

One worker thread per page runs jobs in turn; each answer comes back on the GUI thread
by a queued signal, so the GUI thread only paints. A job has a key: a newer job of the
same key replaces one that has not started yet (a search typed quickly runs once per
pause), and with `latest_only` the answer of an older job of that key is dropped, so a
slow old search never overwrites a newer one. `forget()` (another workspace) drops every
answer still to come. The thread starts with the first job, ends after IDLE_SECONDS
without one, and ends when the page is deleted.
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


class _Queue:
    """The jobs and the thread, with no Qt in them: they outlive nothing but the page."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.jobs: OrderedDict[str, _Job] = OrderedDict()
        self.latest: dict[str, int] = {}
        self.tickets = 0
        self.generation = 0
        self.running = False
        self.stopping = False
        self.thread: threading.Thread | None = None
        self.lock = threading.Condition()

    def put(self, job: _Job, serve: Callable[[], None]) -> None:
        with self.lock:
            self.jobs.pop(job.key, None)
            self.jobs[job.key] = job
            self.latest[job.key] = job.ticket
            if self.thread is None and not self.stopping:
                self.thread = threading.Thread(target=serve, daemon=True,
                                               name=f"studio-page-{self.name}")
                self.thread.start()
            self.lock.notify()

    def next_job(self) -> _Job | None:
        """The next job, or None when the thread should end (stopped, or idle)."""
        with self.lock:
            self.running = False
            if not self.jobs and not self.stopping:
                self.lock.wait(IDLE_SECONDS)
            if self.stopping or not self.jobs:
                self.thread = None
                return None
            self.running = True
            return self.jobs.popitem(last=False)[1]

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            self.jobs.clear()
            self.lock.notify()


class Background(QObject):
    _answered = Signal(object, object, object)  # job, result, error

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue = _Queue(name)
        self._answered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(self._queue.stop)  # a plain object's method: safe then

    def run(self, key: str, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[Exception], None] | None = None, *,
            latest_only: bool = True) -> int:
        """Run `work()` off the GUI thread, then `done(result)` (or `failed(error)`) on it."""
        queue = self._queue
        with queue.lock:
            queue.tickets += 1
            job = _Job(key, queue.tickets, queue.generation, work, done, failed, latest_only)
        queue.put(job, self._serve)
        return job.ticket

    def forget(self) -> None:
        """Drop the jobs not started and every answer still to come."""
        with self._queue.lock:
            self._queue.jobs.clear()
            self._queue.generation += 1

    def busy(self) -> bool:
        with self._queue.lock:
            return bool(self._queue.jobs) or self._queue.running

    def _serve(self) -> None:
        answered, queue = self._answered, self._queue  # not `self` after the page is gone
        while (job := queue.next_job()) is not None:
            result, error = None, None
            try:
                result = job.work()
            except Exception as exc:  # shown by the page; the thread goes on
                error = exc
            with contextlib.suppress(RuntimeError):  # the page is gone: nobody to tell
                answered.emit(job, result, error)

    def _deliver(self, job: _Job, result: Any, error: Exception | None) -> None:
        queue = self._queue
        with queue.lock:
            stale = job.generation != queue.generation or (
                job.latest_only and queue.latest.get(job.key) != job.ticket)
        if stale:
            return
        if error is None:
            job.done(result)
        elif job.failed is not None:
            job.failed(error)
        else:
            log.warning("%s failed: %s: %s", job.key, type(error).__name__, error)
