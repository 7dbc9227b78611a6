"""`waymark serve`: the engine and the ingestion socket, headless, until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from engine.ingestion.server import DEFAULT_HOST, DEFAULT_PORT, IngestionServer, is_loopback
from engine.runtime.host import EngineHost
from engine.workspace import Workspace

from .common import add_workspace_option, fail, guarded, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the engine headless, with the ingestion socket",
        description="Runs the engine on a workspace and listens for trigger events until "
                    "SIGINT or SIGTERM, then stops cleanly. Only one engine may serve a "
                    "workspace at a time.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"default {DEFAULT_PORT}; 0 picks a free one")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow listening on an address other machines can reach")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        if not args.allow_remote:
            return fail(f"{args.host} is reachable from other machines; add --allow-remote "
                        "if that is what you want")
        print(f"warning: listening on {args.host}: anyone who can reach this machine can "
              "try keys against it; use TLS in front of it", file=sys.stderr)
    with open_workspace(args) as workspace:
        return asyncio.run(_serve(workspace, args.host, args.port))


async def _serve(workspace: Workspace, host: str, port: int) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    engine = EngineHost(workspace)
    engine.take_workspace()  # a second engine stops here, before touching the port
    server = IngestionServer(workspace, host=host, port=port, on_stored=engine.wake,
                             live_count=lambda: len(engine.runtime.versions))
    try:
        await server.start()
    except OSError as error:
        engine.stop()
        return fail(f"cannot listen on {host}:{port}: {error.strerror}")
    engine.public_url = server.base_url
    engine.start()
    live = sum(1 for j in workspace.journeys() if j.state == "live")
    print(f"Waymark engine serving {workspace.location}: {live} live journey(s); "
          f"listening on {server.base_url}. Press Ctrl+C to stop.", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
        engine.stop()
    print("stopped; everything accepted is saved", flush=True)
    return 0
