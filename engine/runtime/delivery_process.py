"""Delivery in a process of its own, as `waymark serve` runs it.

Composing a message (the runtime) and turning it into a file or an SMTP conversation
(delivery) are both Python, and in one process they take turns on one interpreter lock:
the runtime rendered 1,600 emails a second and delivery wrote 2,000, but together they
managed 850. In a process of its own, delivery works beside the runtime on the other
core. The two still meet only in the store.

The engine wakes the process over a pipe when it has composed messages (and when a
retry falls due); the process answers when it stored interaction events the runtime must
process, and when it has nothing left to send. It reloads the delivery settings when the
workspace says versions or settings changed. It never outlives the engine: it ends
within 50 ms of the engine's end, however that came (a SIGKILLed engine must not leave
a process still sending while the next engine starts, or a message could go twice).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from sqlalchemy.exc import DBAPIError

from engine.processes import STOP, Helper, leave_stopping_to_the_engine, settle_heap
from engine.store.database import database_away, leave_checkpoints
from engine.workspace import Workspace

from .clock import SystemClock
from .deliverer import Deliverer
from .runtime import Runtime

log = logging.getLogger(__name__)

_DELIVER = b"d"  # engine -> process (and `STOP`)
_READY, _RAISED, _IDLE = b"+", b"r", b"i"  # process -> engine


class DeliveryStartError(RuntimeError):
    pass


class DeliveryProcess(Helper):
    def __init__(self, url: str, background: bool = False) -> None:
        """`url`: the workspace's database, as `Workspace.open` takes it; `background`:
        at a lower CPU priority, so the ingestion socket comes first."""
        super().__init__()
        self.url, self.background = url, background

    def start(self, on_raised: Callable[[], None], on_idle: Callable[[], None],
              on_lost: Callable[[], None], timeout: float = 60) -> None:
        """Start it and wait until it has opened the workspace (or raise
        DeliveryStartError). `on_raised`: events wait for the runtime; `on_idle`: nothing
        is left to send now (schedule the next retry); `on_lost`: it ended unasked."""
        conn = self._spawn(_child_main, "waymark-delivery", self.url, self.background,
                           os.getpid())
        try:
            ready = conn.poll(timeout) and conn.recv_bytes() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop(timeout=5)
            raise DeliveryStartError("the delivery process did not start (see the messages "
                                     "above)")
        threading.Thread(target=self._listen, args=(conn, on_raised, on_idle, on_lost),
                         daemon=True, name="waymark-delivery-pipe").start()

    def _listen(self, conn: Connection, on_raised: Callable[[], None],
                on_idle: Callable[[], None], on_lost: Callable[[], None]) -> None:
        try:
            while True:
                heard = conn.recv_bytes()
                try:
                    (on_raised if heard == _RAISED else on_idle)()
                except Exception as error:  # the thread must go on: see _not_heard
                    _not_heard(error)
        except (EOFError, OSError):
            if not self._stopping:
                on_lost()

    def wake(self) -> None:
        """There may be messages to send (cheap: one byte; the process reads them all)."""
        self._send(_DELIVER)


def _not_heard(error: Exception) -> None:
    """What the engine does on the process's word (wake the runtime, schedule the next
    retry) failed; the thread listens on. It died with a traceback when the database was
    away a moment (a PostgreSQL server restarting), and the process's words went unread
    from then on. The runtime's next round schedules delivery again."""
    reason = database_away(error)
    if reason is not None:
        print(f"delivery: {reason}; the engine listens on to its delivery process",
              file=sys.stderr, flush=True)
    else:
        log.exception("the engine could not act on its delivery process's word")


# --- in the delivery process ---------------------------------------------------------

def _child_main(url: str, background: bool, parent: int, conn: Connection) -> None:
    _die_with(parent)
    leave_stopping_to_the_engine()
    if background and hasattr(os, "nice"):
        os.nice(10)
    try:
        with Workspace.open(url, create=False) as workspace:
            leave_checkpoints(workspace.db)  # to the engine's thread, which outlives this
            loop = _DeliveryLoop(workspace, conn)
            settle_heap()
            loop.run()
    except DBAPIError as error:
        # The database cannot be reached (a PostgreSQL server restarting, the network):
        # one line, not Python's traceback, and the process ends; the engine starts
        # another, which sends again, flagged, whatever this one was handing to a channel.
        reason = (str(error.orig or error).strip().splitlines() or [type(error).__name__])[0]
        print(f"delivery: the workspace's database cannot be reached ({reason}); this "
              "delivery process ends and the engine starts another", file=sys.stderr,
              flush=True)
        sys.exit(1)


def _die_with(parent: int, every: float = 0.05) -> None:
    """End this process at once (mid-send too, as SIGKILL would) when the engine is gone.

    A watchdog thread, rather than Linux's "kill me with my parent" (which follows the
    parent's thread that started the process, and so killed a replacement started from a
    short-lived thread): an engine takes far longer than 50 ms to start again.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(0)

    if os.getppid() != parent:  # it died already
        os._exit(0)
    threading.Thread(target=watch, daemon=True, name="waymark-engine-watch").start()


class _DeliveryLoop:
    def __init__(self, workspace: Workspace, conn: Connection) -> None:
        self.workspace, self.conn = workspace, conn
        self.db = workspace.db.execution_options(eager=True)
        self.clock = SystemClock()
        # The runtime's view of the live journeys and settings (it steps nothing here):
        # which interactions only count, and how to reach the channels.
        self.runtime = Runtime(self.db, self.clock)
        self.deliverer = self._new_deliverer()
        conn.send_bytes(_READY)

    def _new_deliverer(self) -> Deliverer:
        return Deliverer(self.db, self.clock, self.runtime.settings, self.workspace.outbox_dir,
                         counted_only=self.runtime.counted_only)

    def run(self) -> None:
        try:
            while self._wait():
                self._reload_if_changed()
                while self.deliverer.deliver_due():
                    if self.deliverer.raised:
                        self.conn.send_bytes(_RAISED)
                    if self._stop_asked():
                        return
                self.conn.send_bytes(_IDLE)
        except (EOFError, OSError):
            return  # the engine is gone
        finally:
            self.deliverer.close()

    def _wait(self) -> bool:
        """Until the engine asks for a round (True) or to stop (False)."""
        if self.conn.recv_bytes() == STOP:
            return False
        return not self._stop_asked()

    def _stop_asked(self) -> bool:
        """Read every wake-up already sent (one round serves them all); True on stop."""
        while self.conn.poll():
            if self.conn.recv_bytes() == STOP:
                return True
        return False

    def _reload_if_changed(self) -> None:
        if self.runtime.reload_if_changed():
            self.deliverer.close()
            self.deliverer = self._new_deliverer()
