"""`waymark contacts …` and `waymark records …`: the people and business records."""

from __future__ import annotations

import argparse
import time

from engine.model import Contact, DocumentError, parse_json
from engine.runtime.changes import RecordError, change_contact, change_record
from engine.store import catalog_store, events_store, records_store
from engine.store.database import writing

from . import contacts_import_cmd, contacts_list_cmd
from .common import add_workspace_option, fail, guarded, open_workspace, table
from .values import typed_values


def register(subparsers: argparse._SubParsersAction) -> None:
    contacts = subparsers.add_parser("contacts", help="add, import and list contacts and leads")
    actions = contacts.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add or update one contact")
    add.add_argument("id")
    for flag in ("email", "phone", "push-token", "timezone"):
        add.add_argument(f"--{flag}")
    add.add_argument("--lead", action="store_true", help="a lead rather than a contact")
    add.add_argument("--test", action="store_true",
                     help="a test contact: the only people a journey's test lets in")
    add.add_argument("--attr", action="append", default=[], metavar="NAME=VALUE")
    imp = actions.add_parser("import", help="contacts from a CSV file (or a .json list)")
    imp.add_argument("file")
    contacts_import_cmd.add_options(imp)
    listing = actions.add_parser("list", help="the contacts, searched and sorted")
    contacts_list_cmd.add_list_options(listing)
    delete = actions.add_parser("delete", help="delete a contact; their runs still going end")
    delete.add_argument("id")
    for sub in (add, imp, listing, delete):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run_contacts))

    records = subparsers.add_parser("records", help="create, update and list business records")
    actions = records.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name in ("create", "update"):
        sub = actions.add_parser(name, help=f"{name} a record; record triggers fire")
        sub.add_argument("table")
        sub.add_argument("id")
        sub.add_argument("values", nargs="*", metavar="COLUMN=VALUE")
    listing = actions.add_parser("list", help="the newest records of a table")
    listing.add_argument("table")
    for sub in actions.choices.values():
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run_records))


def run_contacts(args: argparse.Namespace) -> int:
    if args.action == "import" and not args.file.lower().endswith(".json"):
        return contacts_import_cmd.run(args)
    if args.action in ("list", "delete"):
        return (contacts_list_cmd.run_list if args.action == "list"
                else contacts_list_cmd.run_delete)(args)
    with open_workspace(args) as workspace, writing(workspace.db) as conn:
        people = _from_file(args.file) if args.action == "import" else [_from_flags(args, conn)]
        now = time.time()
        for person in people:
            events_store.insert_events(conn, change_contact(conn, person, now), now)
    print(f"saved {len(people)} contact(s)")
    return 0


def _from_flags(args: argparse.Namespace, conn) -> Contact:
    attributes = typed_values(args.attr, list(catalog_store.load_catalog(conn)
                                              .contact_attributes.values()), "--attr")
    return Contact.from_data({
        "id": args.id, "kind": "lead" if args.lead else "contact", "email": args.email,
        "phone": args.phone, "push_token": args.push_token, "timezone": args.timezone,
        "attributes": attributes, "test": args.test}, source=f"contact {args.id}")


def _from_file(path: str) -> list[Contact]:
    with open(path, "rb") as handle:
        data = parse_json(handle.read(), path)
    if not isinstance(data, list):
        raise DocumentError("expected a JSON list of contacts", source=path, path="$")
    return [Contact.from_data(item, source=f"{path}, contact {index + 1}")
            for index, item in enumerate(data)]


def run_records(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace, writing(workspace.db) as conn:
        if args.action == "list":
            rows = records_store.list_records(conn, args.table)
            columns = sorted({k for r in rows for k in r if k != "id"})
            print(table([[r["id"], *(r.get(c, "") for c in columns)] for r in rows],
                        ["ID", *(c.upper() for c in columns)]) if rows else "no records")
            return 0
        record_table = catalog_store.load_catalog(conn).record_tables.get(args.table)
        values = typed_values(args.values, record_table.columns if record_table else [],
                              args.table)
        now = time.time()
        try:
            change, events = change_record(conn, args.table, args.id, values, now,
                                           create=args.action == "create")
        except RecordError as error:
            return fail(str(error))
        events_store.insert_events(conn, events, now)
    fired = ", ".join(e.trigger for e in events) or "no trigger"
    print(f"{change.action} {args.table} {args.id}; fired {fired}")
    return 0
