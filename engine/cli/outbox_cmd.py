"""`waymark outbox`: the messages the built-in outbox holds, oldest first."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.delivery import read_outbox

from .common import add_workspace_option, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "outbox", help="list the messages in the outbox",
        description="Every message sent to the built-in outbox: .eml files for email "
                    "(open them in any mail program), .json for SMS and push.")
    parser.add_argument("--folder", metavar="DIR", help="an outbox folder (default: the "
                        "workspace's)")
    parser.add_argument("--last", type=int, metavar="N", help="only the N newest")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder) if args.folder else _workspace_outbox(args)
    entries = read_outbox(folder)
    if args.last:
        entries = entries[-args.last:]
    if not entries:
        print(f"the outbox is empty ({folder})")
        return 0
    rows = [[e.written_at.strftime("%Y-%m-%d %H:%M:%S"), e.channel, e.recipient, e.summary,
             e.path.name] for e in entries]
    print(table(rows, ["WRITTEN (UTC)", "CHANNEL", "TO", "SUBJECT / TEXT", "FILE"]))
    print(f"{len(entries)} message(s) in {folder}")
    return 0


def _workspace_outbox(args: argparse.Namespace) -> Path:
    with open_workspace(args, create=False) as workspace:
        return workspace.outbox_dir
