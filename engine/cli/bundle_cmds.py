"""`waymark import FILE` and `waymark export JOURNEY --out FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.model import Journey, dump_bundle, read_bundle

from .common import add_workspace_option, guarded, open_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="write a journey bundle into the workspace (as a draft)",
        description="Import a bundle: its journey becomes a draft; its triggers, content, "
                    "segments and record tables are added or replaced (a trigger keeps its "
                    "state; an attribute live journeys read keeps its type). All or nothing. A "
                    "journey the workspace already has is imported as a copy, \"Name (copy)\", "
                    "unless --replace.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--replace", action="store_true",
                        help="update the journey's draft if the workspace has it already "
                             "(its live version runs on until you publish)")
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
        replaced = args.replace and bundle.journey.id in {j.id for j in workspace.journeys()}
        report = workspace.import_bundle_report(bundle, replace=args.replace,
                                                source=args.file)
        journey = report.journey
        print(_imported(bundle.journey, journey, replaced, workspace.location))
        for copy in report.copies:
            print(f"  {copy}")
        if args.publish:
            from .journeys_cmd import report_publish

            return report_publish(workspace, journey.id)
    return 0


def _imported(wanted: Journey, journey: Journey, replaced: bool, location: str) -> str:
    if replaced:
        return f"updated the draft of {journey.id!r} ({journey.name}) in {location}"
    line = f"imported {journey.id!r} ({journey.name}) into {location}"
    if journey.id != wanted.id:
        return (f"{line}: a copy, as the workspace has {wanted.id!r} already "
                f"(--replace updates that one instead)")
    if journey.name != wanted.name:
        return f"{line}: another journey is called {wanted.name!r}"
    return line


def run_export(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace:
        text = dump_bundle(workspace.export_bundle(args.journey))
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
