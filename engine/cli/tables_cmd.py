"""`waymark tables list|create`: the record tables whose changes raise record triggers."""

from __future__ import annotations

import argparse

from engine import trigger_catalog as catalog

from .common import add_workspace_option, guarded, open_workspace, table
from .triggers_cmd import attribute_data


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tables", help="record tables: list, create")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every record table with its columns")
    create = actions.add_parser("create", help="a record table for record-change triggers")
    create.add_argument("name", help="lower_snake_case, as in /v1/records/{table}")
    create.add_argument("--title", default="")
    create.add_argument("--column", action="append", default=[], metavar="NAME:TYPE",
                        help="a column, e.g. status:text (text, number, boolean, datetime, "
                             "entity=TABLE); repeat for more")
    create.add_argument("--person", action="append", default=[], metavar="COLUMN",
                        help="a column that holds the person a record is about")
    for sub in (listing, create):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        if args.action == "create":
            new = catalog.record_table_from_data({
                "name": args.name, "title": args.title, "person_columns": args.person,
                "columns": [attribute_data(spec, "--column") for spec in args.column]})
            catalog.create_record_table(workspace, new)
            print(f"created record table {new.name!r}; `waymark triggers create NAME "
                  f"--record {new.name}:COLUMN` raises a trigger on its changes")
            return 0
        tables = workspace.catalog().record_tables.values()
    rows = [[t.name, t.title, ", ".join(t.person_columns),
             ", ".join(f"{c.name}:{c.type.value}" for c in t.columns)] for t in tables]
    print(table(rows, ["NAME", "TITLE", "PERSON", "COLUMNS"]))
    return 0
