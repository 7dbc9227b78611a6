"""Work off the GUI thread for the Content page: rendering the preview, sending a test.

`LatestOnly` runs one job at a time on a thread of its own and keeps only the newest job
waiting: while typing, a preview that is already out of date is never rendered. Results
come back as a queued signal, so the GUI thread only paints.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class LatestOnly(QObject):
    """`submit(fn, arg)`: fn(arg) on the worker thread; `done(result)` or `failed(text)`
    on the GUI thread. A job submitted while one runs replaces any job still waiting."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor = ThreadPoolExecutor(1, thread_name_prefix=f"waymark-{name}")
        # the thread ends with the page (after the job it runs, if any): a plain
        # object's method, safe while the QObject is being destroyed
        self.destroyed.connect(lambda *_: executor.shutdown(wait=False))
        self._lock = threading.Lock()
        self._waiting: tuple[Callable[[Any], Any], Any] | None = None
        self._busy = False

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> None:
        with self._lock:
            self._waiting = (fn, arg)
            if self._busy:
                return
            self._busy = True
        self._executor.submit(self._run)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._busy

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._waiting is None:
                    self._busy = False
                    return
                (fn, arg), self._waiting = self._waiting, None
            try:
                result = fn(arg)
            except Exception as error:  # shown to the person, never raised into Qt
                log.exception("background work failed")
                self._emit(self.failed, f"{type(error).__name__}: {error}")
            else:
                self._emit(self.done, result)

    def _emit(self, signal: Any, value: Any) -> None:
        if shiboken6.isValid(self):  # the page may be gone while its job ran
            signal.emit(value)

    def close(self) -> None:
        with self._lock:
            self._waiting = None
        self._executor.shutdown(wait=False)
