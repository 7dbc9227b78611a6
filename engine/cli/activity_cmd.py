"""`waymark activity`: what the engine did, newest last, and with --follow as it does it."""

from __future__ import annotations

import argparse
import json
import time

from engine.observe import ActivityItem, ActivityKind, ActivityPage, activity

from .common import add_workspace_option, guarded, open_workspace

FOLLOW_SECONDS = 0.5
MOST_PAGES = 100  # a narrow filter on a big workspace: look this far back at most


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "activity", help="what the engine did: events accepted, steps, message outcomes",
        description="The engine's activity, oldest of the shown first: events accepted, "
                    "people entering, moving, waiting, held (until when, why), sent, blocked "
                    "(the rule and why), exiting, goals met, and what became of each message. "
                    "Test runs are marked (test).")
    parser.add_argument("--journey", metavar="J", help="only this journey")
    parser.add_argument("--person", metavar="P", help="only this person")
    parser.add_argument("--kind", action="append", choices=[k.value for k in ActivityKind],
                        metavar="K", help="only this kind (again for more): "
                        + ", ".join(k.value for k in ActivityKind))
    parser.add_argument("--last", type=int, default=20, metavar="N",
                        help="the N newest (default 20)")
    parser.add_argument("--follow", action="store_true",
                        help="then keep printing what happens until Ctrl+C")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    add_workspace_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    try:
        with open_workspace(args, create=False) as workspace:
            newest = _print_last(workspace, args)
            while args.follow:
                time.sleep(FOLLOW_SECONDS)
                with workspace.db.connect() as conn:
                    page = _page(conn, args, after=newest, limit=500)
                for item in reversed(page.items):
                    _print(item, args.json)
                newest = page.newest
    except KeyboardInterrupt:  # how --follow ends, at whatever moment it comes
        if not args.follow:
            raise
    return 0


def _print_last(workspace, args: argparse.Namespace) -> object:
    """Print the newest `--last` items, oldest first; the cursor to follow from."""
    with workspace.db.connect() as conn:
        items, newest = _last(conn, args)
    for item in reversed(items):
        _print(item, args.json)
    if not items and not args.follow and not args.json:
        print("no activity yet")
    return newest


def _last(conn, args: argparse.Namespace) -> tuple[list[ActivityItem], object]:
    """The newest `--last` items, paging back as far as a narrow filter needs."""
    page = _page(conn, args, limit=args.last)
    items, newest = list(page.items), page.newest
    for _ in range(MOST_PAGES):
        if len(items) >= args.last or not page.more:
            break
        page = _page(conn, args, before=page.oldest, limit=args.last - len(items))
        items += page.items
    return items, newest


def _page(conn, args: argparse.Namespace, **where) -> ActivityPage:
    return activity(conn, journey=args.journey, person=args.person, kinds=args.kind, **where)


def _print(item: ActivityItem, as_json: bool) -> None:
    if as_json:
        print(json.dumps(item.to_dict(), ensure_ascii=False), flush=True)
    else:
        print(f"{item.at:%Y-%m-%d %H:%M:%S}  {item.kind.value:<13} {item.summary}", flush=True)
