"""`waymark serve`: the engine and the ingestion socket, headless, until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from engine.ingestion.address import DEFAULT_HOST, DEFAULT_PORT, is_loopback
from engine.ingestion.limits import SocketLimits
from engine.ingestion.logs import redact_keys_in_logs
from engine.ingestion.process import IngestionProcess, IngestionStartError, live_journeys
from engine.processes import settle_heap
from engine.runtime.host import EngineHost
from engine.store.lock import WorkspaceBusyError
from engine.workspace import Workspace

from .common import add_workspace_option, fail, guarded, open_workspace
from .serve_cluster import beside_a_cluster, cluster_engine, describe_member


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the engine headless, with the ingestion socket",
        description="Runs the engine on a workspace and listens for trigger events until "
                    "SIGINT or SIGTERM, then stops cleanly. Only one engine may serve a "
                    "workspace at a time, unless it is a PostgreSQL workspace served by a "
                    "cluster (--cluster).")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"default {DEFAULT_PORT}; 0 picks a free one")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow listening on an address other machines can reach")
    defaults = SocketLimits()
    parser.add_argument("--idle-timeout", type=_seconds, default=defaults.idle_timeout,
                        metavar="SECONDS", help="close a connection that has not sent a "
                        "complete request head this long after opening or after its last "
                        f"answer (default {defaults.idle_timeout:g})")
    parser.add_argument("--body-timeout", type=_seconds, default=defaults.body_timeout,
                        metavar="SECONDS", help="answer 408 when a request's body has not "
                        "arrived this long after its head (default "
                        f"{defaults.body_timeout:g})")
    parser.add_argument("--cluster", action="store_true",
                        help="join the cluster of engines serving this PostgreSQL workspace "
                        "(each takes a share of the people) instead of serving it alone")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        if not args.allow_remote:
            return fail(f"{args.host} is reachable from other machines; add --allow-remote "
                        "if that is what you want")
        print(f"warning: listening on {args.host}: anyone who can reach this machine can "
              "try keys against it; use TLS in front of it", file=sys.stderr)
    limits = SocketLimits(idle_timeout=args.idle_timeout, body_timeout=args.body_timeout)
    with open_workspace(args) as workspace:
        return _serve(workspace, IngestionProcess(args.workspace, args.host, args.port,
                                                  limits, cluster=args.cluster),
                      cluster=args.cluster)


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text}: give seconds between 0 and 3600")
    return value


def _serve(workspace: Workspace, socket: IngestionProcess, cluster: bool = False) -> int:
    """The engine here; the socket in a process of its own (see engine.ingestion.process)."""
    redact_keys_in_logs()
    stop, lost = threading.Event(), threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    engine = cluster_engine(workspace) if cluster else \
        EngineHost(workspace, background=True, delivery="process")
    try:
        engine.take_workspace()  # a second engine stops here, before touching the port
    except WorkspaceBusyError as error:
        return fail(beside_a_cluster(workspace) or str(error))
    try:
        socket.start(on_stored=engine.wake, on_lost=lambda: (lost.set(), stop.set()))
    except IngestionStartError as error:
        engine.stop()
        return fail(str(error))
    try:  # from here on the socket's process runs: whatever fails stops it (a published
        # version that could not be read failed the start, and serve hung at exit on it)
        engine.public_url = socket.base_url
        engine.announce("serve", socket.base_url)  # a studio opening the workspace finds it
        engine.start()
        settle_heap()
        print(f"Waymark engine serving {workspace.location}: {live_journeys(workspace)} live "
              f"journey(s); listening on {socket.base_url}. Press Ctrl+C to stop.",
              flush=True)
        if engine.member is not None:
            print(describe_member(engine.member), flush=True)
        while not stop.wait(1.0) and engine.lost is None:
            pass
    finally:
        try:
            socket.stop()
        finally:  # a failure stopping the socket must not leave the engine running on
            engine.stop()  # a workspace about to be closed (it spun on, and serve hung)
    if engine.lost is not None:
        return fail(f"{engine.lost}; this engine stopped (the events its socket accepted "
                    f"are kept in {workspace.inbox.path}, taken in when an engine starts "
                    "here again)", code=1)
    if lost.is_set():
        return fail("the ingestion socket's process ended unexpectedly; the engine stopped "
                    "(everything accepted before is saved)", code=1)
    print("stopped; everything accepted is saved", flush=True)
    return 0
