"""`waymark import FILE` and `waymark export JOURNEY --out FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.model import dump_bundle, read_bundle

from .common import add_workspace_option, guarded, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="write a journey bundle into the workspace (as a draft)",
        description="Import a bundle: its journey becomes a draft; its triggers, content, "
                    "segments and record tables are added or replaced. All or nothing.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--publish", action="store_true", help="publish it right away")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run_import))

    parser = subparsers.add_parser(
        "export", help="write a journey and what it references to a bundle file")
    parser.add_argument("journey", help="the journey's id (see `waymark journeys list`)")
    parser.add_argument("--out", default="-", help="the file to write (default: stdout)")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run_export))


def run_import(args: argparse.Namespace) -> int:
    bundle = read_bundle(args.file)
    with open_workspace(args) as workspace:
        journey = workspace.import_bundle(bundle)
        print(f"imported {journey.id!r} ({journey.name}) into {workspace.location}")
        if args.publish:
            from .journeys_cmd import report_publish

            return report_publish(workspace, journey.id)
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        text = dump_bundle(workspace.export_bundle(args.journey))
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
