"""Runs the engine for real: a worker thread, woken by APScheduler at the earliest due time.

The store remembers every due time; APScheduler holds one wake-up job (a textual
reference to `wake_host` with the host's id, never a closure) set to the earliest of
them, plus a slow heartbeat that notices changes made by other processes (a publish
from the CLI). Ingestion calls `wake()` after it has stored events.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from engine.store import meta_store
from engine.store.lock import EngineLock
from engine.workspace import Workspace

from .clock import Clock, SystemClock
from .deliverer import Deliverer
from .records import StepRecord
from .runtime import Runtime

log = logging.getLogger("waymark.host")
_HOSTS: dict[str, EngineHost] = {}
HEARTBEAT = timedelta(seconds=2)


def wake_host(host_id: str) -> None:
    """The APScheduler job: wake the host's worker thread."""
    host = _HOSTS.get(host_id)
    if host is not None:
        host.wake()


class EngineHost:
    def __init__(self, workspace: Workspace, *, clock: Clock | None = None,
                 public_url: str | None = None, background: bool = False) -> None:
        self.workspace = workspace
        self.background = background  # yield the CPU to the ingestion socket when both want it
        self.clock = clock or SystemClock()
        self.id = uuid.uuid4().hex
        self.runtime: Runtime | None = None
        self.public_url = public_url
        self._lock = EngineLock(workspace.db, workspace.location)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._versions_seen: str | None = None
        self._locked = False
        self.listeners: list[Callable[[list[StepRecord]], None]] = []
        self.errors: list[str] = []

    # --- start and stop ----------------------------------------------------------------

    def take_workspace(self) -> None:
        """Take the engine lock now (or raise WorkspaceBusyError); `start` would too."""
        if not self._locked:
            self._lock.acquire()
            self._locked = True

    def start(self) -> None:
        """Take the workspace (or raise WorkspaceBusyError) and start working."""
        self.take_workspace()
        # Short write transactions, so the ingestion socket never waits long for the lock:
        # a person entering a journey costs the most (a message rendered), so events go
        # four at a time.
        self.runtime = Runtime(self.workspace.db, self.clock, batch_size=25,
                               event_batch_size=4, pause_between_batches=0.001)
        if self.public_url:
            self.runtime.public_url = self.public_url
            self.runtime.reload_versions()
        for listener in self.listeners:
            self.runtime.subscribe(listener)
        self._new_deliverer().recover()
        _HOSTS[self.id] = self
        self._scheduler.start()
        self._scheduler.add_job("engine.runtime.host:wake_host", "interval", args=[self.id],
                                seconds=HEARTBEAT.total_seconds(), id="heartbeat")
        self._thread = threading.Thread(target=self._work, name="waymark-runtime", daemon=True)
        self._thread.start()
        self.wake()

    def stop(self, timeout: float = 30) -> None:
        """Finish the batch in hand, then stop; everything done so far is committed."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self.runtime is not None and self.runtime.deliverer is not None:
            self.runtime.deliverer.close()
        _HOSTS.pop(self.id, None)
        if self._locked:
            self._lock.release()
            self._locked = False

    def wake(self) -> None:
        self._wake.set()

    # --- the worker ----------------------------------------------------------------------

    def _work(self) -> None:
        if self.background:
            _lower_priority()
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                break
            try:
                self._round()
            except Exception as error:  # a bad batch must not kill the engine
                log.exception("runtime round failed")
                self.errors.append(f"{type(error).__name__}: {error}")
                self._stopping.wait(1.0)
                self.wake()

    def _round(self) -> None:
        runtime = self.runtime
        self._reload_if_changed()
        runtime.tick()
        deliverer = runtime.deliverer
        if deliverer is not None and deliverer.deliver_due():
            self.wake()  # deliveries raise interaction events to process
        self._schedule(runtime.next_due())

    def _new_deliverer(self) -> Deliverer:
        if self.runtime.deliverer is not None:
            self.runtime.deliverer.close()
        self.runtime.deliverer = Deliverer(self.workspace.db, self.clock, self.runtime.settings,
                                           self.workspace.outbox_dir)
        return self.runtime.deliverer

    def _reload_if_changed(self) -> None:
        with self.workspace.db.connect() as conn:
            seen = meta_store.versions_changed(conn)
        if seen != self._versions_seen:
            self._versions_seen = seen
            settings = self.runtime.settings
            self.runtime.reload_versions()
            if self.runtime.settings != settings:
                self._new_deliverer()

    def _schedule(self, due: datetime | None) -> None:
        if due is None:
            if self._scheduler.get_job("wake"):
                self._scheduler.remove_job("wake")
            return
        if due <= self.clock.now():
            self.wake()
            return
        self._scheduler.add_job("engine.runtime.host:wake_host", "date", args=[self.id],
                                run_date=due, id="wake", replace_existing=True,
                                misfire_grace_time=None)


def _lower_priority(niceness: int = 10) -> None:
    """Lower this thread's CPU priority (Linux schedules threads one by one).

    Accepting events comes first: under a burst the socket gets the CPU and the runtime
    catches up after, and when the machine is idle the runtime still gets all of it.
    """
    if sys.platform != "linux":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError:
        log.info("could not lower the runtime's priority; it keeps the default")
