"""Runs the engine for real: a runtime thread and a delivery thread, woken by APScheduler.

The store remembers every due time; APScheduler holds one wake-up job per thread (a
textual reference to `wake_host` with the host's id, never a closure) set to the
earliest of them, plus a slow heartbeat that notices changes made by other processes (a
publish from the CLI). Ingestion calls `wake()` after it has stored events.

Delivery has a thread of its own so a slow SMTP server or a full disk never holds up
people moving through journeys, and so the waits of writing files and talking to
servers overlap with the runtime's work. The two meet only in the store: the runtime
writes ledger rows, the delivery thread sends them and records what happened (raising
interaction events for the runtime to process). `serve` runs delivery in a process of
its own instead (`delivery="process"`, see `delivery_process`), so that it also works
beside the runtime on the other core; the studio and the tests keep the thread, which can
follow a simulated clock.
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

from engine.store.database import database_away, reading
from engine.store.lock import EngineLock, WorkspaceBusyError
from engine.store.times import from_ts
from engine.workspace import Workspace

from .clock import Clock, SystemClock
from .deliverer import Deliverer
from .delivery_process import DeliveryProcess
from .records import StepRecord
from .runtime import Runtime
from .scope import LeaseLostError, Membership

log = logging.getLogger("waymark.host")
_HOSTS: dict[str, EngineHost] = {}
HEARTBEAT = timedelta(seconds=2)


def wake_host(host_id: str, part: str = "runtime") -> None:
    """The APScheduler job: wake the host's runtime (or delivery) thread."""
    host = _HOSTS.get(host_id)
    if host is not None:
        (host.wake if part == "runtime" else host.wake_delivery)()


ROUNDS_BEFORE_DELIVERY = 2


class EngineHost:
    def __init__(self, workspace: Workspace, *, clock: Clock | None = None,
                 public_url: str | None = None, background: bool = False,
                 delivery: str = "thread", member: Membership | None = None) -> None:
        """`delivery`: "thread", or "process" (the system clock only). `member`: this
        engine's membership of a cluster (`engine.cluster`), instead of the engine lock."""
        self.workspace = workspace
        self._db = workspace.db.execution_options(eager=True)  # see start()
        self.background = background  # yield the CPU to the ingestion socket when both want it
        self.clock = clock or SystemClock()
        self.id = uuid.uuid4().hex
        self.runtime: Runtime | None = None
        self.public_url = public_url
        self._lock = member or EngineLock(workspace.db, workspace.location)
        self.member = member
        if member is not None:
            member.on_change = self.wake  # partitions taken over, events stored elsewhere
        self._wake = threading.Event()
        self._deliver_wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.deliverer: Deliverer | None = None
        self._delivery_process = DeliveryProcess(
            workspace.db.url.render_as_string(hide_password=False), background
        ) if delivery == "process" else None
        self._settings_changed = False  # the delivery thread makes a new deliverer
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._scheduled: dict[str, datetime | None] = {}  # job -> when it wakes its part
        self._locked = False
        self.listeners: list[Callable[[list[StepRecord]], None]] = []
        self.errors: list[str] = []
        self.lost: str | None = None  # why this engine gave the workspace up (see `_round`)

    # --- start and stop ----------------------------------------------------------------

    def take_workspace(self) -> None:
        """Take the engine lock now (or raise WorkspaceBusyError); `start` would too."""
        if not self._locked:
            self._lock.acquire()
            self._locked = True

    def announce(self, kind: str, url: str | None) -> None:
        """Say in the workspace's lock file what runs this engine ("serve" or "studio")
        and where its socket listens, for `engine.store.lock.engine_holder`."""
        self._lock.announce(kind, url)

    def start(self) -> None:
        """Take the workspace (or raise WorkspaceBusyError) and start working."""
        self.take_workspace()
        # Short write transactions, so the delivery thread never waits long for the lock
        # (the socket has a lock of its own, the inbox): a person entering a journey costs
        # the most (a message rendered), so events go sixteen at a time, and the messages
        # of two such batches go out while the next ones are composed. The lock is asked
        # for every half millisecond, not in SQLite's ever longer sleeps (which left the
        # runtime a fifth of its time asleep while events queued up).
        self.runtime = Runtime(self._db, self.clock, batch_size=25, event_batch_size=16,
                               inbox=self.workspace.inbox,
                               scope=self.member.work if self.member else None)
        if self.public_url:
            self.runtime.public_url = self.public_url
            self.runtime.reload_versions()
        for listener in self.listeners:
            self.runtime.subscribe(listener)
        if self._delivery_process is None:
            self._new_deliverer().recover()
        else:
            self._recover_sends()
        self.workspace.checkpoint_in_background()
        _HOSTS[self.id] = self
        self._scheduler.start()
        self._scheduler.add_job("engine.runtime.host:wake_host", "interval", args=[self.id],
                                seconds=HEARTBEAT.total_seconds(), id="heartbeat")
        self._threads = [threading.Thread(target=self._loop, args=(self._wake, self._round),
                                          name="waymark-runtime", daemon=True)]
        if self._delivery_process is None:
            self._threads.append(threading.Thread(
                target=self._loop, args=(self._deliver_wake, self._deliver),
                name="waymark-delivery", daemon=True))
        else:
            self._start_delivery_process()
        for thread in self._threads:
            thread.start()
        self.wake()
        self.wake_delivery()

    def stop(self, timeout: float = 30) -> None:
        """Finish the batch in hand, then stop; everything done so far is committed."""
        self._stopping.set()
        self._wake.set()
        self._deliver_wake.set()
        for thread in self._threads:
            thread.join(timeout)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._delivery_process is not None:
            self._delivery_process.stop(timeout)
        if self.deliverer is not None:
            self.deliverer.close()
        self.workspace.stop_checkpoints()
        _HOSTS.pop(self.id, None)
        if self._locked:
            self._lock.release()
            self._locked = False

    def stopped_parts(self) -> list[str]:
        """The threads of this engine that ended although nobody stopped it (a studio
        watching its own engine asks, to say so and offer a restart)."""
        if self._stopping.is_set() and self.lost is None:
            return []
        return [thread.name for thread in self._threads if not thread.is_alive()]

    def wake(self) -> None:
        self._wake.set()

    def wake_delivery(self) -> None:
        if self._delivery_process is not None:
            self._delivery_process.wake()
        else:
            self._deliver_wake.set()

    # --- delivery in a process of its own ------------------------------------------------

    def _start_delivery_process(self) -> None:
        self._delivery_process.start(on_raised=self.wake, on_idle=self._schedule_delivery,
                                     on_lost=self._delivery_lost)

    def _recover_sends(self) -> None:
        """Before a delivery process starts: what the last one was handing to a channel
        goes again, flagged (see `Deliverer.recover`)."""
        deliverer = Deliverer(self._db, self.clock, self.runtime.settings, None)
        deliverer.recover()
        deliverer.close()

    def _schedule_delivery(self) -> None:
        """Nothing left to send now: wake delivery again when the next retry falls due."""
        with reading(self.workspace.db) as conn:
            retry = from_ts(self.runtime.work.next_delivery(conn))
        self._schedule("deliver", "delivery", retry)

    def _delivery_lost(self) -> None:
        """The delivery process ended unasked: say so, and start another (which sends
        again, flagged, whatever it was handing to a channel); wait longer each time one
        does not start."""
        log.error("the delivery process ended unexpectedly; starting it again")
        self.errors.append("the delivery process ended unexpectedly")
        pause = 1.0
        while not self._stopping.wait(pause):
            try:
                self._recover_sends()
                self._start_delivery_process()
            except Exception as error:
                log.error("could not start the delivery process again: %s", error)
                pause = min(pause * 2, 60.0)
                continue
            self.wake_delivery()
            return

    # --- the two threads -------------------------------------------------------------

    def _loop(self, wake: threading.Event, work: Callable[[], None]) -> None:
        if self.background:
            _lower_priority()
        while not self._stopping.is_set():
            wake.wait()
            wake.clear()
            if self._stopping.is_set():
                break
            try:
                work()
            except WorkspaceBusyError as error:  # from `_keep_workspace`
                self._give_up(str(error))
                break
            except Exception as error:  # a bad batch must not kill the engine
                ended = _not_ours(error)
                if ended is not None:  # one line, then again
                    log.warning("%s: %s; trying again", threading.current_thread().name,
                                ended)
                else:
                    log.exception("%s failed", threading.current_thread().name)
                self.errors.append(ended or f"{type(error).__name__}: {error}")
                self._stopping.wait(1.0)
                wake.set()

    def _round(self) -> None:
        """The runtime thread: a slice of the work at a time, then the messages it
        composed go out (under a steady stream of events a whole tick would hold every
        email back until the stream paused). What is left wakes the next round at once."""
        runtime = self.runtime
        self._keep_workspace()
        self._reload_if_changed()
        try:
            runtime.tick(max_rounds=ROUNDS_BEFORE_DELIVERY)
        except LeaseLostError as lost:  # rolled back; the rest is still this engine's
            log.info("%s", lost)
            self.wake()
            return
        self.wake_delivery()
        self._schedule("wake", "runtime", runtime.next_due())

    def _deliver(self) -> None:
        """The delivery thread: everything due, then sleep until the next retry."""
        self._keep_workspace()
        if self._settings_changed:
            self._settings_changed = False
            self._new_deliverer()
        while self.deliverer.deliver_due() and not self._stopping.is_set():
            if self.deliverer.raised:
                self.wake()  # interaction events for the runtime to process
        self._schedule_delivery()

    def _keep_workspace(self) -> None:
        """Before each round: a single engine on PostgreSQL takes its lock again after a
        server restart ended the session that held it (`EngineLock.keep`); one that
        finds another engine took the workspace meanwhile raises WorkspaceBusyError and
        gives up (`_give_up`). A cluster's member keeps its shared lock as it renews."""
        if self.member is None and self._locked:
            self._lock.keep()

    def _give_up(self, why: str) -> None:
        """Another engine has the workspace: move no one more, send nothing more. The
        threads end (a studio says its engine stopped, `waymark serve` exits)."""
        if self.lost is None:
            self.lost = f"another engine took the workspace while its lock was gone ({why})"
            log.error("%s; this engine stops", self.lost)
            self.errors.append(self.lost)
        self._locked = False  # nothing of ours to release
        self._stopping.set()
        self._wake.set()
        self._deliver_wake.set()
        if self._delivery_process is not None:
            threading.Thread(target=self._delivery_process.stop, name="waymark-give-up",
                             daemon=True).start()

    def _new_deliverer(self) -> Deliverer:
        before = self.deliverer
        if before is not None:
            before.close()
        self.deliverer = Deliverer(self._db, self.clock, self.runtime.settings,
                                   self.workspace.outbox_dir,
                                   counted_only=self.runtime.counted_only,
                                   claims=self.member.deliveries if self.member else None,
                                   unrecorded=before.unrecorded if before else None)
        return self.deliverer

    def _reload_if_changed(self) -> None:
        if self.runtime.reload_if_changed():
            self._settings_changed = True
            self.wake_delivery()

    def _schedule(self, job: str, part: str, due: datetime | None) -> None:
        """Wake `part` at `due` (now if it has come; never if None). Asked after every
        round, mostly with the time asked last: then APScheduler is left alone."""
        if due is not None and due <= self.clock.now():
            (self.wake if part == "runtime" else self.wake_delivery)()
            return
        if job in self._scheduled and self._scheduled[job] == due:
            return
        self._scheduled[job] = due
        if due is None:
            if self._scheduler.get_job(job):
                self._scheduler.remove_job(job)
            return
        if isinstance(self.clock, SystemClock):
            due = self.clock.local(due)  # APScheduler waits by this machine's clock
        self._scheduler.add_job("engine.runtime.host:wake_host", "date", args=[self.id, part],
                                run_date=due, id=job, replace_existing=True,
                                misfire_grace_time=None)


def _not_ours(error: BaseException) -> str | None:
    """Why a round was rolled back, in one line, when it is no fault of ours: the database
    away, or (in a cluster) partitions taken over while this engine was cut off or
    paused, which the fencing refused to move (README, "Fencing"). None: a bug."""
    if isinstance(error, LeaseLostError):
        return str(error)
    return database_away(error)


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
