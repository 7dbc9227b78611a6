"""The link's poll thread: asks the probe what changed every 250 ms, or soon after the
engine says it did something, and checks every 2 s that the engine is still there.

Qt-free: what it finds goes to callbacks, which the link turns into queued signals, so
the GUI thread never waits for the store and a burst costs it a few repaints.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .probe import Probe, StoreChanges

log = logging.getLogger("waymark.studio.link")

INTERVAL = 0.25  # seconds between polls when nothing nudges
MIN_GAP = 0.08  # seconds at least between two polls (a nudge after each batch)
CHECK_EVERY = 2.0  # seconds between checks that the engine is still there


class Poller:
    def __init__(self, probe: Probe, deliver: Callable[[StoreChanges], None],
                 check: Callable[[], str | None], on_fault: Callable[[str], None]) -> None:
        """`check` answers why the engine stopped working (or None); `on_fault` hears it
        once, and polling ends."""
        self.probe, self.deliver, self.check, self.on_fault = probe, deliver, check, on_fault
        self._nudged = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="waymark-studio-poll",
                                        daemon=True)
        self._failing = False

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        """Something changed (called from the engine's threads): poll soon."""
        self._nudged.set()

    def stop(self, timeout: float = 1.0) -> None:
        self._stopping.set()
        self._nudged.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        last_poll = last_check = 0.0
        while not self._stopping.is_set():
            gap = MIN_GAP - (time.monotonic() - last_poll)
            if gap > 0 and self._stopping.wait(gap):
                break
            self._nudged.clear()
            last_poll = time.monotonic()
            self._poll()
            if last_poll - last_check >= CHECK_EVERY:
                last_check = last_poll
                fault = self.check()
                if fault:
                    self.on_fault(fault)
                    return
            self._nudged.wait(INTERVAL)

    def _poll(self) -> None:
        try:
            changes = self.probe.poll()
        except Exception as error:  # the store is busy or gone: try again, say it once
            if not self._failing:
                log.warning("cannot read the engine's progress: %s", error)
            self._failing = True
            return
        self._failing = False
        if changes:
            self.deliver(changes)
