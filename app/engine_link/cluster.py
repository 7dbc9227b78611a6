"""A cluster the studio observes: the engines `waymark serve --cluster` runs on a
PostgreSQL workspace (`engine.cluster`), without Qt.

A cluster shares the workspace's lock, so the studio's own engine cannot start beside it;
the link observes the cluster instead, as it observes a single engine in another process.
What it shows is `waymark cluster status`'s (`engine.cluster.status.cluster_status`),
read on the link's poll thread at each check (every 2 s): the engines, the partitions
held, events/s. Test triggers go through one engine's socket (any engine accepts any
event), one on this machine when there is one; when that engine goes, another's.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from engine.cluster.status import EngineStatus as ClusterEngine
from engine.cluster.status import PartitionStatus, cluster_status
from engine.workspace import Workspace

from .status import EngineMode, EngineStatus


@dataclass(frozen=True)
class ClusterView:
    """The cluster as `waymark cluster status` shows it, at one moment."""

    location: str
    engines: tuple[ClusterEngine, ...]  # gone ones too (their heartbeat ran out), as listed
    partitions: tuple[PartitionStatus, ...]

    @property
    def alive(self) -> list[ClusterEngine]:
        return [e for e in self.engines if e.alive]

    @property
    def held(self) -> int:
        """Partitions held under a running lease (the others wait for a taker)."""
        return sum(len(e.partitions) for e in self.alive)

    @property
    def events_per_second(self) -> float:
        return sum(e.events_per_second for e in self.alive)

    def socket_for_test_triggers(self, current: str | None) -> str | None:
        """Where the studio fires: the socket it used, while its engine lives; else a
        live engine's on this machine (its address may be 127.0.0.1), else any."""
        urls = [e.url for e in self.alive if e.url]
        if current in urls:
            return current
        here = socket.gethostname()
        return next((e.url for e in self.alive if e.url and e.host == here),
                    urls[0] if urls else None)


def sockets_to_try(cluster: ClusterView | None, url: str) -> list[str]:
    """Where to fire: `url`, then (a cluster's) the other live engines' sockets, each tried
    only when nothing listened at the one before, so an event is never sent twice."""
    others = [e.url for e in cluster.alive if e.url and e.url != url] if cluster else []
    return [url, *others]


def read_cluster(workspace: Workspace) -> ClusterView | None:
    """The workspace's cluster, or None when none runs (no live engine; SQLite)."""
    if workspace.db.dialect.name != "postgresql":
        return None
    engines, parts = cluster_status(workspace.db)
    view = ClusterView(workspace.location, tuple(engines), tuple(parts))
    return view if view.alive else None


class ObservedCluster:
    """The engines of a cluster, each another process; `fault` reads the cluster again
    (on the poll thread) and says when its last engine went."""

    kind = "cluster"

    def __init__(self, workspace: Workspace, view: ClusterView) -> None:
        self.workspace, self.cluster = workspace, view
        self.url = view.socket_for_test_triggers(None)

    @property
    def pid(self) -> int | None:
        return None

    @property
    def errors(self) -> list[str]:
        return []

    def describe(self) -> str:
        count = len(self.cluster.alive)
        return f"a cluster of {count} engine{'' if count == 1 else 's'} " \
               "(waymark serve --cluster)"

    def _runner(self) -> str:
        count = len(self.cluster.alive)
        return f"waymark serve --cluster, {count} engine{'' if count == 1 else 's'}"

    def fault(self) -> str | None:
        view = read_cluster(self.workspace)
        if view is None:
            return "every engine of the cluster it was watching (waymark serve --cluster) " \
                   "stopped"
        self.cluster = view
        self.url = view.socket_for_test_triggers(self.url)
        return None

    def status(self) -> EngineStatus:
        return EngineStatus(EngineMode.OBSERVING, self.url, None, self.describe(),
                            engines=len(self.cluster.alive), runner=self._runner())

    def stop(self) -> None:
        """Nothing to stop: the engines are other processes'."""
