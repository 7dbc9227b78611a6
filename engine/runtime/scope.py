"""Which of the workspace's work a runtime takes: all of it, or (in a cluster, see
`engine.cluster`) only the people of the partitions its engine holds.

The runtime asks its scope for pending events and due runs instead of the store, inside
the transaction that will move them, so a cluster's scope can check there that its
engine still holds those people (fencing) before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Connection, select

from engine.store import events_store, ledger_store, runs_store
from engine.store.prepared import Prepared

from .records import RunState

_NEXT_DUE = Prepared(select(events_store.pending_exists(), runs_store.next_due_query(),
                            ledger_store.next_delivery_query()))


class WorkScope(Protocol):
    @property
    def keeper(self) -> bool:
        """Does the work no one person owns: segment schedules, housekeeping."""

    def keep(self, conn: Connection) -> None:
        """Inside a transaction of the keeper's work: confirms this engine is the keeper
        still (fenced, as moves are), or raises LeaseLostError."""

    def pending_events(self, conn: Connection, limit: int) -> list[Any]: ...

    def pending_heads(self, conn: Connection, limit: int) -> list[Any]: ...

    def due_runs(self, conn: Connection, now: float, limit: int) -> list[RunState]: ...

    def due_heads(self, conn: Connection, now: float, limit: int) -> list[Any]: ...

    def next_due(self, conn: Connection) -> tuple[Any, float | None, float | None]:
        """(events waiting?, the next run's due time, the next delivery's), one read."""

    def next_delivery(self, conn: Connection) -> float | None: ...


class WholeWorkspace:
    """One engine: everything."""

    keeper = True

    def keep(self, conn: Connection) -> None:
        pass

    def pending_events(self, conn: Connection, limit: int) -> list[Any]:
        return events_store.pending_events(conn, limit)

    def pending_heads(self, conn: Connection, limit: int) -> list[Any]:
        return events_store.pending_heads(conn, limit)

    def due_runs(self, conn: Connection, now: float, limit: int) -> list[RunState]:
        return runs_store.due_runs(conn, now, limit)

    def due_heads(self, conn: Connection, now: float, limit: int) -> list[Any]:
        return runs_store.due_heads(conn, now, limit)

    def next_due(self, conn: Connection) -> tuple[Any, float | None, float | None]:
        return _NEXT_DUE.first(conn)

    def next_delivery(self, conn: Connection) -> float | None:
        return ledger_store.next_delivery_at(conn)


WHOLE_WORKSPACE = WholeWorkspace()


class LeaseLostError(RuntimeError):
    """A cluster engine no longer holds a partition it took work from: the transaction is
    rolled back and the work taken again (by whoever holds it now).

    It reads as a transaction rollback (SQLSTATE class 40) to `isolation.store_trouble`:
    the database's business, not the items' — nothing is set aside for it."""

    sqlstate = "40000"


class DeliveryClaims(Protocol):
    """Which pending ledger rows a deliverer takes, in a cluster (see `Deliverer`)."""

    def claim(self, now: float, limit: int) -> list[Any]: ...

    def fresh(self) -> bool:
        """Still safe to hand the last claim's rows to a channel."""

    def give_back(self, rows: list[Any]) -> None: ...

    def recover(self) -> int: ...

    def still_mine(self, conn: Connection, ids: list[int]) -> set[int]:
        """Of these rows, those still `sending` under this engine's claim."""


class Membership(Protocol):
    """A cluster engine's membership (`engine.cluster.ClusterMember`): in `EngineHost` it
    takes the engine lock's place and scopes the runtime and the deliverer."""

    work: WorkScope
    deliveries: DeliveryClaims
    on_change: Callable[[], None]

    def acquire(self) -> None: ...

    def announce(self, kind: str, url: str | None) -> None: ...

    def release(self) -> None: ...
