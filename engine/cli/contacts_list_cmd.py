"""`waymark contacts list` and `waymark contacts delete` (see engine.contacts_admin)."""

from __future__ import annotations

import argparse
import json

from engine.contacts_admin import delete_contact
from engine.runtime.contact_removal import CONTACT_DELETED, NoSuchContact
from engine.store.contacts_search import COLUMN_SORTS, ContactRow, UnknownSortError
from engine.store.times import iso_z

from .common import fail, open_workspace, table


def add_list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search", default="", metavar="TEXT",
                        help="contacts whose id, email or phone contains TEXT")
    parser.add_argument("--sort", default="id", metavar="KEY",
                        help=f"one of {', '.join(COLUMN_SORTS)} or attributes.NAME (id)")
    parser.add_argument("--desc", action="store_true", help="largest (newest) first")
    parser.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    parser.add_argument("--offset", type=int, default=0, help="skip this many first")
    parser.add_argument("--json", action="store_true", help="one JSON document")


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        try:
            rows = workspace.search_contacts(args.search, args.sort, args.desc, args.offset,
                                             args.limit)
        except UnknownSortError as error:
            return fail(str(error))
        total = workspace.count_contacts(args.search)
    if args.json:
        print(json.dumps({"total": total, "contacts": [_data(r) for r in rows]},
                         ensure_ascii=False, indent=2))
    elif not rows:
        print("no contacts match" if args.search else "no contacts yet")
    else:
        print(table([[r.id, r.kind, r.email or "", r.phone or "", r.timezone or "",
                      "yes" if r.test else ""] for r in rows],
                    ["ID", "KIND", "EMAIL", "PHONE", "TIME ZONE", "TEST"]))
        if total > len(rows):  # a part: say which
            print(f"{args.offset + 1:,}–{args.offset + len(rows):,} of {total:,}")
    return 0


def _data(row: ContactRow) -> dict:
    return {"id": row.id, "kind": row.kind, "email": row.email, "phone": row.phone,
            "push_token": row.push_token, "timezone": row.timezone, "test": row.test,
            "attributes": row.attributes, "created_at": iso_z(row.created_at),
            "updated_at": iso_z(row.updated_at)}


def run_delete(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        try:
            ended = delete_contact(workspace, args.id)
        except NoSuchContact as error:
            return fail(str(error))
    runs = f"; {ended} of their runs ended ({CONTACT_DELETED})" if ended else ""
    print(f"deleted {args.id}{runs}")
    return 0
