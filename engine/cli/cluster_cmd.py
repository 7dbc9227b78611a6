"""`waymark cluster status`: the engines of a PostgreSQL workspace's cluster."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from engine.cluster.status import cluster_status, ranges

from .common import add_workspace_option, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cluster", help="the engines serving a PostgreSQL workspace together",
        description="Engines started with `waymark serve --cluster` on this workspace.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status", help="engines, the partitions each holds, heartbeats, events/s",
        description="Each engine: host, pid, where its socket listens, the partitions it "
                    "holds, its last heartbeat and the events of its partitions processed "
                    "per second over the last 10 s; then each partition's holder.")
    status.add_argument("--json", action="store_true", help="as one JSON document")
    add_workspace_option(status)
    status.set_defaults(handler=guarded(run_status))


def run_status(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        engines, parts = cluster_status(workspace.db)
    if args.json:
        print(json.dumps({"engines": [asdict(e) for e in engines],
                          "partitions": [asdict(p) for p in parts]}, indent=2))
        return 0
    if not engines:
        print("no engine of a cluster runs on this workspace")
    else:
        print(table([[e.id[:8], e.host, e.pid, e.url, len(e.partitions), ranges(e.partitions),
                      f"{e.heartbeat_age:.1f} s ago" + ("" if e.alive else " (gone)"),
                      f"{e.events_per_second:.1f}"] for e in engines],
                    ["engine", "host", "pid", "socket", "held", "partitions", "heartbeat",
                     "events/s"]))
    free = [p.part for p in parts if p.engine is None or (p.lease_left or -1) <= 0]
    print(f"\n{len(parts) - len(free)} of {len(parts)} partitions held"
          + (f"; free or expired: {ranges(free)}" if free else ""))
    return 0
