"""What a cluster engine's runtime and delivery take: only its partitions' people.

Every query that takes work to move is read inside the transaction that will move it,
after the fencing read (`ClusterMember.fence`), and only for the partitions that read
confirmed: a partition taken over meanwhile is neither read nor written.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, exists, func, select, text

from engine.runtime.scope import LeaseLostError
from engine.store import schema as s
from engine.store.database import writing
from engine.store.runs_store import run_from_row

if TYPE_CHECKING:
    from engine.runtime.records import RunState

    from .membership import ClusterMember

_IN_PARTS = text("part = ANY(:parts)")
_EVENTS = s.events.c
_RUNS = s.runs.c
_LEDGER = s.ledger.c
_PENDING = (select(s.events).where(_EVENTS.processed_at.is_(None), _IN_PARTS)
            .order_by(_EVENTS.id).limit(bindparam("limit")))
_PENDING_HEADS = (select(_EVENTS.id, _EVENTS.trigger, _EVENTS.contact_id)
                  .where(_EVENTS.processed_at.is_(None), _IN_PARTS)
                  .order_by(_EVENTS.id).limit(bindparam("limit")))
_DUE = (select(s.runs).where(_RUNS.due_at <= bindparam("now"), _IN_PARTS)
        .order_by(_RUNS.due_at, _RUNS.id).limit(bindparam("limit")))
_DUE_HEADS = (select(_RUNS.id, _RUNS.journey_id, _RUNS.version, _RUNS.contact_id,
                     _RUNS.tile_id, _RUNS.status)
              .where(_RUNS.due_at <= bindparam("now"), _IN_PARTS)
              .order_by(_RUNS.due_at, _RUNS.id).limit(bindparam("limit")))
_NEXT_DELIVERY = (select(func.min(_LEDGER.next_attempt_at))
                  .where(_LEDGER.status == "pending", _IN_PARTS).scalar_subquery())
_NEXT_DUE = select(
    exists().where(_EVENTS.processed_at.is_(None), _IN_PARTS),
    select(func.min(_RUNS.due_at)).where(_IN_PARTS).scalar_subquery(),
    _NEXT_DELIVERY)
_CLAIMABLE = (select(s.ledger).where(_LEDGER.status == "pending",
                                     _LEDGER.next_attempt_at <= bindparam("now"), _IN_PARTS)
              .order_by(_LEDGER.next_attempt_at, _LEDGER.id).limit(bindparam("limit"))
              .with_for_update(skip_locked=True))
_CLAIM = text("UPDATE ledger SET status = 'sending', claimed_by = :me WHERE id = ANY(:ids)")
# Nothing of this engine's is in flight when it claims (its deliverer records a batch
# before it claims the next): its rows still `sending` are what a batch that raised left.
_LEFT_OVER = text("UPDATE ledger SET status = 'pending', possibly_duplicate = true, "
                  "reason = 'interrupted while sending; sent again (possibly a duplicate)' "
                  "WHERE status = 'sending' AND claimed_by = :me AND part = ANY(:parts)")
_STILL_MINE = text("SELECT id FROM ledger WHERE id = ANY(:ids) AND status = 'sending' "
                   "AND claimed_by = :me")
_GIVE_BACK = text("UPDATE ledger SET status = 'pending', claimed_by = NULL "
                  "WHERE id = ANY(:ids) AND status = 'sending' AND claimed_by = :me")


class ClusterWork:
    """The runtime's `WorkScope` in a cluster (see `engine.runtime.scope`)."""

    def __init__(self, member: ClusterMember) -> None:
        self.member = member

    @property
    def keeper(self) -> bool:
        return self.member.keeper

    def keep(self, conn: Connection) -> None:
        if 0 not in self.member.fence(conn):
            raise LeaseLostError("partition 0 is another engine's now, and with it the "
                                 "keeper's work; this transaction is rolled back")

    def _rows(self, conn: Connection, query, **params: Any) -> list[Any]:
        parts = self.member.fence(conn)
        if not parts:
            return []
        return list(conn.execute(query, {"parts": parts, **params}))

    def pending_events(self, conn: Connection, limit: int) -> list[Any]:
        return self._rows(conn, _PENDING, limit=limit)

    def pending_heads(self, conn: Connection, limit: int) -> list[Any]:
        return self._rows(conn, _PENDING_HEADS, limit=limit)

    def due_runs(self, conn: Connection, now: float, limit: int) -> list[RunState]:
        return [run_from_row(r) for r in self._rows(conn, _DUE, now=now, limit=limit)]

    def due_heads(self, conn: Connection, now: float, limit: int) -> list[Any]:
        return self._rows(conn, _DUE_HEADS, now=now, limit=limit)

    def next_due(self, conn: Connection) -> tuple[Any, float | None, float | None]:
        """A read, not a move: the partitions held as far as this engine knows."""
        parts = self.member.partitions()
        if not parts:
            return False, None, None
        return tuple(conn.execute(_NEXT_DUE, {"parts": parts}).one())

    def next_delivery(self, conn: Connection) -> float | None:
        parts = self.member.partitions()
        return conn.execute(select(_NEXT_DELIVERY), {"parts": parts}).scalar() \
            if parts else None


class ClusterDeliveries:
    """The deliverer's claims in a cluster: the pending ledger rows of the partitions held,
    locked (`FOR UPDATE SKIP LOCKED`) and marked `sending` by this engine in one fenced
    transaction before any is handed to a channel."""

    def __init__(self, member: ClusterMember) -> None:
        self.member = member
        self._claimed_at = 0.0

    def claim(self, now: float, limit: int) -> list[Any]:
        with writing(self.member.db) as conn:
            parts = self.member.fence(conn)
            if parts:
                conn.execute(_LEFT_OVER, {"me": self.member.id, "parts": parts})
            rows = list(conn.execute(_CLAIMABLE, {"parts": parts, "now": now,
                                                  "limit": limit})) if parts else []
            if rows:
                conn.execute(_CLAIM, {"me": self.member.id, "ids": [r.id for r in rows]})
        self._claimed_at = time.monotonic()
        return rows

    def fresh(self) -> bool:
        """Claimed less than half a lease ago by this process's clock. An engine paused
        longer may have lost the partition, and another engine sent its rows again: what
        is left of such a claim goes back unsent (`give_back`)."""
        return time.monotonic() - self._claimed_at < self.member.lease / 2

    def still_mine(self, conn: Connection, ids: list[int]) -> set[int]:
        return set(conn.execute(_STILL_MINE, {"me": self.member.id, "ids": ids}).scalars())

    def give_back(self, rows: list[Any]) -> None:
        if rows:
            with writing(self.member.db) as conn:
                conn.execute(_GIVE_BACK, {"me": self.member.id, "ids": [r.id for r in rows]})

    def recover(self) -> int:
        """Nothing at start: a partition's interrupted sends are recovered by whoever
        takes it, at each renewal (`leases.recover_sends`)."""
        return 0


