"""`waymark keys create|list|revoke`: who may send events to the socket."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from engine.ingestion import keys
from engine.store.database import writing

from .common import add_workspace_option, fail, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keys", help="ingestion keys: create, list, revoke")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key (shown once)")
    create.add_argument("--name", default="integration", help="what the key is for")
    create.add_argument("--rate", type=float, default=keys.DEFAULT_RATE,
                        help=f"events per second (default {keys.DEFAULT_RATE:g})")
    create.add_argument("--burst", type=int, default=keys.DEFAULT_BURST)
    listing = actions.add_parser("list", help="every key, active or revoked")
    revoke = actions.add_parser("revoke", help="stop a key from working")
    revoke.add_argument("id", help="the key's id (the part after wmk_)")
    for sub in (create, listing, revoke):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "-"


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace, writing(workspace.db) as conn:
        if args.action == "create":
            info, plain = keys.create_key(conn, args.name, args.rate, args.burst)
            print(plain)
            print(f"key {info.id} ({info.name}): keep it secret, it is not shown again",
                  flush=True)
            return 0
        if args.action == "revoke":
            if not keys.revoke_key(conn, args.id):
                return fail(f"no active key {args.id!r}")
            print(f"revoked key {args.id}; it stops working within a second")
            return 0
        rows = [[k.id, k.name, "active" if k.active else f"revoked {_when(k.revoked_at)}",
                 _when(k.created_at), _when(k.last_used_at) if k.last_used_at else "never",
                 f"{k.rate_per_second:g}/s"] for k in keys.list_keys(conn)]
    print(table(rows, ["ID", "NAME", "STATE", "CREATED (UTC)", "LAST USED (UTC)", "RATE"])
          if rows else "no keys yet: `waymark keys create`")
    return 0
