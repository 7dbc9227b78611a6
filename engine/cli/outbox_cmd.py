"""`waymark outbox`: the messages the built-in outbox holds, oldest first."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.delivery import OutboxEntry, read_outbox
from engine.store import ledger_store

from .common import add_workspace_option, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "outbox", help="list the messages in the outbox",
        description="Every message sent to the built-in outbox: .eml files for email "
                    "(open them in any mail program), .json for SMS and push; then the "
                    "warnings recorded with them (links removed or left untracked).")
    parser.add_argument("--folder", metavar="DIR", help="an outbox folder (default: the "
                        "one the workspace's delivery settings name, else the workspace's)")
    parser.add_argument("--last", type=int, metavar="N", help="only the N newest")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    folder, entries, warnings = _read(args)
    if not entries:
        print(f"the outbox is empty ({folder})")
        return 0
    rows = [[e.written_at.strftime("%Y-%m-%d %H:%M:%S"), e.channel, e.recipient, e.summary,
             e.path.name] for e in entries]
    print(table(rows, ["WRITTEN (UTC)", "CHANNEL", "TO", "SUBJECT / TEXT", "FILE"]))
    print(f"{len(entries)} message(s) in {folder}")
    for entry in entries:
        for warning in warnings.get(entry.message_id, []):
            print(f"warning: {entry.path.name}: {warning}")
    return 0


def _read(args: argparse.Namespace) -> tuple[Path, list[OutboxEntry], dict[str, list[str]]]:
    """The folder, its (last N) messages and, when there is a workspace to ask, the warnings
    its ledger recorded for them (links removed or left untracked)."""
    if args.folder and not args.workspace:
        return Path(args.folder), _entries(Path(args.folder), args.last), {}
    with open_workspace(args, create=False) as workspace:
        folder = Path(args.folder) if args.folder else workspace.outbox_folder()
        entries = _entries(folder, args.last)
        with workspace.db.connect() as conn:
            warnings = ledger_store.warnings_for(conn, [e.message_id for e in entries])
    return folder, entries, warnings


def _entries(folder: Path, last: int | None) -> list[OutboxEntry]:
    entries = read_outbox(folder)
    return entries[-last:] if last else entries
