"""`waymark events failed | retry`: events and runs set aside after an error."""

from __future__ import annotations

import argparse
import json
import time

from engine.store import failures_store
from engine.store.database import writing
from engine.store.failures_store import FailedItem, FailureNotFound
from engine.store.times import from_ts, iso_z

from .common import add_workspace_option, fail, guarded, open_workspace, table

ERROR_WIDTH = 90


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "events", help="events and runs set aside after an error; try them again",
        description="An event or a run whose processing raised is set aside with the "
                    "error, and the engine goes on. `failed` lists them; after a fix (a "
                    "contact corrected with `waymark contacts add`, a new Waymark) "
                    "`retry` puts them back, and the engine tries them again.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    failed = actions.add_parser("failed", help="list what was set aside, oldest first")
    failed.add_argument("--json", action="store_true", help="one JSON object per line")
    retry = actions.add_parser("retry", help="put events and runs back to be processed")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("ids", nargs="*", default=[], metavar="ID",
                       help="as `failed` lists them: e12 (event 12), r7 (run 7)")
    which.add_argument("--all", action="store_true", help="everything set aside")
    for sub in (failed, retry):
        add_workspace_option(sub)
    failed.set_defaults(handler=guarded(run_failed))
    retry.set_defaults(handler=guarded(run_retry))


def run_failed(args: argparse.Namespace) -> int:
    with open_workspace(args, create=False) as workspace, workspace.db.connect() as conn:
        items = failures_store.failed_items(conn)
    if args.json:
        for item in items:
            print(json.dumps(_as_json(item), ensure_ascii=False))
        return 0
    if not items:
        print("nothing is set aside")
        return 0
    rows = [[item.ref, _when(item.failed_at), _what(item), item.person or "",
             _short(item.error)] for item in items]
    print(table(rows, ["ID", "FAILED (UTC)", "WHAT", "PERSON", "ERROR"]))
    print(f"{len(items)} set aside; `waymark events retry ID` (or --all) tries again")
    return 0


def run_retry(args: argparse.Namespace) -> int:
    try:
        refs = None if args.all else [failures_store.parse_ref(ref) for ref in args.ids]
        with open_workspace(args, create=False) as workspace, writing(workspace.db) as conn:
            count = failures_store.retry(conn, refs, time.time())
    except FailureNotFound as error:
        return fail(f"nothing is set aside as {error.args[0]} "
                    "(`waymark events failed` lists what is)")
    print(f"put back {count}: the engine tries them again in its next round")
    return 0


def _as_json(item: FailedItem) -> dict:
    data = {"id": item.ref, "kind": item.kind, "item": item.item_id,
            "failed_at": _when(item.failed_at, iso=True), "person": item.person,
            "trigger": item.trigger, "journey": item.journey_id, "version": item.version,
            "tile": item.tile_id, "error": item.error}
    return {key: value for key, value in data.items() if value is not None}


def _what(item: FailedItem) -> str:
    if item.kind == "event":
        return f"event {item.trigger}"
    return f"run of {item.journey_id} v{item.version} at {item.tile_id}"


def _when(ts: float, iso: bool = False) -> str:
    moment = from_ts(ts)
    return iso_z(moment) if iso else f"{moment:%Y-%m-%d %H:%M:%S}"


def _short(error: str) -> str:
    line = error.splitlines()[0] if error else ""
    return line if len(line) <= ERROR_WIDTH else f"{line[:ERROR_WIDTH - 1]}…"
