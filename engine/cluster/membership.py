"""One engine of a cluster: it joins, holds partitions under leases, renews them every
two seconds, gives up extras when engines join, takes over those whose holder died, and
fences every transaction that moves people (README, "Several engines")."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from engine.runtime.clock import SystemClock
from engine.store.database import database_away, writing
from engine.store.lock import WorkspaceBusyError, advisory_key

from . import leases
from .inbox import WorkspaceInbox, refuse_unimported_inbox
from .partitions import (
    LEASE_SECONDS,
    RENEW_SECONDS,
    ClusterError,
    LeaseLostError,
    fair_share,
)
from .sessions import engine_sessions
from .work import ClusterDeliveries, ClusterWork

log = logging.getLogger("waymark.cluster")
# A renewal waits this long (seconds) for this engine's own moves in flight, which may
# themselves wait on a silent engine's locks; then it gives up until the next one.
LEASE_LOCK_WAIT = 2


class ClusterMember:
    """Takes the place of the single engine's lock for `EngineHost` (acquire, announce,
    release) and gives its runtime and deliverer their scope (`work`, `deliveries`)."""

    def __init__(self, db: Engine, location: str, *, lease: float = LEASE_SECONDS,
                 renew_every: float = RENEW_SECONDS) -> None:
        self.db, self.location = db, location
        self.id = uuid.uuid4().hex
        self.lease, self.renew_every = lease, renew_every
        self.on_change: Callable[[], None] = lambda: None  # wakes the runtime
        self.work, self.deliveries = ClusterWork(self), ClusterDeliveries(self)
        self.clock = SystemClock()  # the PostgreSQL server's time (see `_heartbeat`)
        self.inbox = WorkspaceInbox(db)
        self._held: dict[int, int] = {}  # partition -> fencing token
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._shared: Connection | None = None

    # --- EngineLock's part ---------------------------------------------------------------

    def acquire(self) -> None:
        if self.db.dialect.name != "postgresql":
            raise ClusterError("--cluster needs a PostgreSQL workspace: an SQLite file has "
                               "one writer, so one engine serves it; leave --cluster out")
        refuse_unimported_inbox(self.db)
        engine_sessions(self.db, self.id)
        self._share_the_workspace()
        with writing(self.db) as conn:
            leases.forget_the_long_dead(conn)
            leases.register(conn, self.id, socket.gethostname(), os.getpid())
        self.renew()
        self._threads = [threading.Thread(target=self._renewing, daemon=True,
                                          name="waymark-cluster-leases"),
                         threading.Thread(target=self._listening, daemon=True,
                                          name="waymark-cluster-notify")]
        for thread in self._threads:
            thread.start()

    def announce(self, _kind: str, url: str | None) -> None:
        with writing(self.db) as conn:
            leases.set_url(conn, self.id, url)

    def release(self) -> None:
        """Give every partition up at once (after this engine's last moves committed),
        so the others take them at their next renewal rather than after the lease."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=10)
        with self._guard:
            self._held = {}
        with writing(self.db) as conn:
            leases.leave(conn, self.id)
        self._stop_sharing()

    def _stop_sharing(self) -> None:
        """The shared lock goes with its session: ended, not handed back to the pool
        (lock and all), whether or not PostgreSQL ended it already."""
        if self._shared is not None:
            self._shared.invalidate()
            self._shared.close()
            self._shared = None

    def _keep_sharing(self) -> None:
        """A PostgreSQL restart ended the session holding the shared lock, and the lock
        with it: take it again, or (a single engine took the workspace meanwhile) raise
        WorkspaceBusyError — this engine then stops renewing, and moves no one."""
        if self._shared is None:  # refused at the last renewal, or PostgreSQL was away
            self._share_the_workspace()
            return
        try:
            self._shared.exec_driver_sql("SELECT 1")
            self._shared.commit()
        except DBAPIError as error:
            if database_away(error) is None:
                raise
            self._stop_sharing()
            self._share_the_workspace()
            log.info("engine %s shares the workspace's lock again (%s)", self.id[:8],
                     database_away(error))

    def _share_the_workspace(self) -> None:
        """PostgreSQL's advisory lock on the workspace, shared: a single engine takes it
        exclusively (`EngineLock`), so the two kinds never run on one workspace."""
        key = advisory_key(self.db)
        conn = self.db.connect()
        if not conn.execute(text("SELECT pg_try_advisory_lock_shared(:k)"), {"k": key}).scalar():
            conn.close()
            raise WorkspaceBusyError(
                f"a single Waymark engine (waymark serve without --cluster, or a studio) "
                f"is running on {self.location}; stop it first to run a cluster on it")
        # Not to be ended with this engine's other sessions (see `sessions`): the lock
        # keeps a single engine off while this one may still be moving people.
        conn.exec_driver_sql("SET application_name = 'waymark-cluster-lock'")
        conn.commit()  # the lock is the session's; an open transaction would time out
        self._shared = conn

    # --- partitions ----------------------------------------------------------------------

    def partitions(self) -> list[int]:
        with self._guard:
            return sorted(self._held)

    @property
    def keeper(self) -> bool:
        """The holder of partition 0 does the work no one person owns."""
        with self._guard:
            return 0 in self._held

    def fence(self, conn: Connection) -> list[int]:
        """Inside a transaction that will move people: the partitions held, confirmed with
        their tokens and locked FOR SHARE till it ends; LeaseLostError if any was lost."""
        with self._guard:
            mine = dict(self._held)
        if not mine:
            return []
        found = leases.held(conn, self.id, sorted(mine))
        if found != mine:
            lost = sorted(set(mine) - set(found) | {p for p in found if found[p] != mine[p]})
            with self._guard:
                for part in lost:
                    self._held.pop(part, None)
            raise LeaseLostError(f"partitions {lost} were taken over by another engine; "
                                 "this transaction is rolled back")
        return sorted(mine)

    def renew(self) -> None:
        """Heartbeat; renew; give up extras beyond the fair share or take free and
        expired partitions up to it; send again what dead engines left half-sent.

        The heartbeat, and ending the sessions of engines gone silent, come first and on
        their own: they wait for no lock, so this engine stays alive to the others, and
        a silent engine's locks go, even while its own movers wait on those locks."""
        self._keep_sharing()
        self._heartbeat()
        self._end_sessions_of_the_gone()
        with writing(self.db) as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = '{LEASE_LOCK_WAIT}s'"))
            conn.execute(text("SELECT part FROM partition_leases WHERE engine = :me "
                              "ORDER BY part FOR UPDATE"), {"me": self.id})  # as fences do
            held = leases.renew(conn, self.id, self.lease)
            share = fair_share(leases.live_engines(conn, self.lease))
            extra = sorted(held)[share:]
            if extra:
                with self._guard:
                    for part in extra:
                        self._held.pop(part, None)
                leases.give_up(conn, self.id, extra)
                held = {p: t for p, t in held.items() if p not in extra}
            elif len(held) < share:
                held.update(leases.take(conn, self.id, share - len(held), self.lease))
            resent = leases.recover_sends(conn, sorted(held), self.lease,
                                          self.clock.now().timestamp())
        with self._guard:
            gained = set(held) - set(self._held)
            self._held = held
        if gained or resent:
            log.info("engine %s holds %d partitions (took %s)", self.id[:8], len(held),
                     sorted(gained))
            self.on_change()

    def _heartbeat(self) -> None:
        """Also sets the engine's clock to the server's: the offset as of the midpoint of
        the round trip (good to a few milliseconds on a network of a data centre)."""
        sent = time.time()
        with writing(self.db) as conn:
            server = leases.heartbeat(conn, self.id)
        if server is not None:
            self.clock.offset = timedelta(seconds=float(server) - (sent + time.time()) / 2)

    def _end_sessions_of_the_gone(self) -> None:
        """Not allowed (engines running as different roles without pg_signal_backend):
        said, and the rest goes on; the idle-in-transaction timeout still applies."""
        try:
            with writing(self.db) as conn:
                leases.end_sessions_of_the_gone(conn, self.lease)
        except DBAPIError as error:
            log.warning("could not end the sessions of engines gone silent: %s", error.orig)

    def _renewing(self) -> None:
        while not self._stopping.wait(self.renew_every):
            try:
                self.renew()
            except Exception as error:  # PostgreSQL away: the leases run out, fences fail
                log.warning("could not renew this engine's leases: %s",
                            database_away(error) or error)

    def _listening(self) -> None:
        """Wake the runtime when any socket of the cluster stored events (NOTIFY)."""
        while not self._stopping.is_set():
            try:
                with self.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("LISTEN waymark_events")
                    raw = conn.connection.driver_connection
                    while not self._stopping.is_set():
                        if any(True for _ in raw.notifies(timeout=1.0, stop_after=1)):
                            self.on_change()
            except Exception as error:
                log.warning("not listening for events stored by other engines: %s",
                            database_away(error) or error)
                self._stopping.wait(self.renew_every)


def cluster_engines(db: Engine) -> list:
    """The live engines of the workspace's cluster (none on SQLite)."""
    if db.dialect.name != "postgresql":
        return []
    with db.connect() as conn:
        return leases.alive(conn, LEASE_SECONDS)


__all__ = ["ClusterError", "ClusterMember", "cluster_engines"]
