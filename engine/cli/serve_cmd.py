"""`waymark serve`: the engine, headless, until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading

from engine.runtime.host import EngineHost

from .common import add_workspace_option, guarded, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the engine headless: journeys, schedules, deliveries",
        description="Runs the engine on a workspace until SIGINT or SIGTERM, then stops "
                    "cleanly. Only one engine may serve a workspace at a time.")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with open_workspace(args) as workspace:
        host = EngineHost(workspace)
        host.start()
        live = sum(1 for j in workspace.journeys() if j.state == "live")
        print(f"Waymark engine serving {workspace.location}: {live} live journey(s). "
              "Press Ctrl+C to stop.", flush=True)
        try:
            stop.wait()
        finally:
            host.stop()
        print("stopped; everything accepted is saved", flush=True)
    return 0
