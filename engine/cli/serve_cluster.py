"""`waymark serve --cluster`: an engine of a cluster on a PostgreSQL workspace, and what a
plain `serve` says when a cluster runs there (see `engine.cluster`)."""

from __future__ import annotations

from engine.cluster.membership import ClusterMember, cluster_engines
from engine.cluster.partitions import LEASE_SECONDS, PARTITIONS, RENEW_SECONDS
from engine.runtime.host import EngineHost
from engine.workspace import Workspace


def cluster_engine(workspace: Workspace) -> EngineHost:
    """Delivery is a thread of the engine here: its claims are fenced with the engine's
    leases, which live in this process."""
    member = ClusterMember(workspace.db, workspace.location)
    workspace.inbox = member.inbox  # the runtime imports nothing: the socket stores directly
    return EngineHost(workspace, clock=member.clock, background=True, delivery="thread",
                      member=member)


def beside_a_cluster(workspace: Workspace) -> str | None:
    """Why a single engine cannot start, when it is because a cluster runs (else None)."""
    engines = cluster_engines(workspace.db)
    if not engines:
        return None
    where = ", ".join(f"pid {e.pid} on {e.host}" + (f" ({e.url})" if e.url else "")
                      for e in engines)
    return (f"a cluster of {len(engines)} Waymark engine(s) is running on "
            f"{workspace.location} ({where}); start this one with `waymark serve --cluster` "
            "to join it, or stop them first")


def describe_member(member: ClusterMember) -> str:
    return (f"cluster engine {member.id[:8]}: holds {len(member.partitions())} of "
            f"{PARTITIONS} partitions; the others take over its share within "
            f"{LEASE_SECONDS + RENEW_SECONDS:g} s if it dies")
