"""How long the GUI thread went without serving its event loop, while measuring.

The test process carries the heap of every test before it (a thousand windows, stores
and outcomes); a full collection of that heap stops every thread, the GUI thread too,
for as long as half a second, and when one lands in the window it is the test process
that paused, not the studio (CI failed once on a 687 ms wait that a lone run never
shows). So the heap as it was is frozen out of the collector while measuring (objects
made meanwhile — the studio's own — are collected as ever), and the collections that
did run are reported beside the longest wait. Use it in a `with` block (or call `stop`):
the heap is thawed when it ends, whether the test passed or not.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QTimer


class GuiStalls:
    def __init__(self, interval_ms: int = 20) -> None:
        gc.collect()
        gc.freeze()
        self.longest = 0.0
        self.collections: list[float] = []  # how long each collection took, seconds
        self._collecting = 0.0
        gc.callbacks.append(self._collection)
        self._last = time.perf_counter()
        self.timer = QTimer(interval=interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def _collection(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self.collections.append(time.perf_counter() - self._collecting)

    def stop(self) -> float:
        """Stop measuring; the longest wait, in seconds."""
        self.timer.stop()
        if self._collection in gc.callbacks:
            gc.callbacks.remove(self._collection)
            gc.unfreeze()
        return self.longest

    def __enter__(self) -> GuiStalls:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def __str__(self) -> str:
        count, slowest = len(self.collections), max(self.collections, default=0.0)
        return (f"the GUI thread's longest wait {self.longest * 1000:.0f} ms ({count} "
                f"collection{'s' * (count != 1)} meanwhile, the slowest "
                f"{slowest * 1000:.0f} ms)")
