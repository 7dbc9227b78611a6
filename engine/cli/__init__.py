"""The `waymark` command: thin, it parses arguments and calls the engine's public API.

Each sub-command lives in its own module with a `register(subparsers)` function. With
no sub-command the launcher in `app` opens the studio; this module never imports it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from engine import __version__

from . import (
    activity_cmd,
    bundle_cmds,
    cluster_cmd,
    content_cmd,
    events_cmd,
    fire_cmd,
    journeys_cmd,
    keys_cmd,
    outbox_cmd,
    people_cmds,
    preview_cmd,
    runs_cmd,
    schema_cmd,
    segments_cmd,
    serve_cmd,
    settings_cmd,
    simulate_cmd,
    snippet_cmd,
    stats_cmd,
    tables_cmd,
    testmode_cmd,
    triggers_cmd,
    validate_cmd,
)

COMMAND_MODULES = [validate_cmd, bundle_cmds, journeys_cmd, testmode_cmd, triggers_cmd,
                   people_cmds, simulate_cmd, serve_cmd, keys_cmd, fire_cmd, stats_cmd,
                   activity_cmd, runs_cmd, events_cmd, preview_cmd, content_cmd, snippet_cmd,
                   outbox_cmd, schema_cmd, settings_cmd, segments_cmd, tables_cmd,
                   cluster_cmd]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waymark",
        description="Real-time customer journeys on one desktop. "
                    "Run without a command to open the studio.",
    )
    parser.add_argument("--version", action="version", version=f"waymark {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `waymark ... | head`
        sys.stderr.close()
        return 0
