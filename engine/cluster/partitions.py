"""People in partitions, and what a cluster engine says when it cannot go on."""

from __future__ import annotations

import hashlib

from engine.runtime.scope import LeaseLostError
from engine.store.database import WorkspaceError

PARTITIONS = 64  # fixed by migration 0008, which computes `part` in PostgreSQL
LEASE_SECONDS = 10.0  # a partition whose holder has not renewed for this long is free
RENEW_SECONDS = 2.0  # how often an engine heartbeats, renews, rebalances and takes over
# PostgreSQL ends a transaction whose client stopped answering (a paused engine) after
# this long, so its row locks on the leases never hold a takeover up for long.
IDLE_IN_TRANSACTION_MS = 5000

__all__ = [
    "LEASE_SECONDS",
    "PARTITIONS",
    "RENEW_SECONDS",
    "ClusterError",
    "LeaseLostError",
    "fair_share",
    "partition_of",
]


class ClusterError(WorkspaceError):
    """A cluster engine that cannot start, and why (SQLite, a single engine running)."""


def partition_of(contact_id: str | None) -> int:
    """The partition of a person, as PostgreSQL computes `part` (migration 0008)."""
    return hashlib.md5((contact_id or "").encode()).digest()[0] % PARTITIONS


def fair_share(live_engines: int) -> int:
    return -(-PARTITIONS // max(live_engines, 1))
