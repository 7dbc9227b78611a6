"""`waymark triggers list|show|create|update|ready|stop|delete`: the trigger catalog
(thin over `engine.trigger_catalog`, which the studio's Triggers page calls too)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine import trigger_catalog as catalog
from engine.model import (
    TriggerDefinition,
    TriggerKind,
    TriggerState,
    dump_json,
    parse_json,
    to_data,
)

from .common import add_workspace_option, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("triggers", help="the trigger catalog")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every trigger with its state and events")
    listing.add_argument("--all", action="store_true", help="include built-in triggers")
    show = actions.add_parser("show", help="one trigger: attributes, state, events, journeys")
    create = actions.add_parser("create", help="a custom or record-change trigger (draft)")
    create.add_argument("name", help="lower_snake_case, used in URLs and snippets")
    _definition_options(create)
    create.add_argument("--record", metavar="TABLE:PERSON_COLUMN",
                        help="a record-change trigger on TABLE, whose PERSON_COLUMN holds "
                             "the person")
    create.add_argument("--action", dest="record_action", default="either",
                        choices=["created", "updated", "either"])
    create.add_argument("--columns", default="", help="record triggers: comma-separated "
                        "columns whose change counts (default: any)")
    update = actions.add_parser(
        "update", help="change a trigger's title, description or attributes (refused when "
                       "live journeys read an attribute it changes)")
    _definition_options(update)
    ready = actions.add_parser("ready", help="mark ready to use (journeys can publish)")
    stop = actions.add_parser("stop", help="stop: its events are refused from now on "
                                           "(`ready` takes it back)")
    delete = actions.add_parser("delete", help="delete a trigger no journey uses")
    for sub in (show, update, ready, stop, delete):
        sub.add_argument("name")
    for sub in (listing, show, create, update, ready, stop, delete):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def _definition_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", help="what marketers see (default: from the name)")
    parser.add_argument("--description")
    parser.add_argument("--attr", action="append", default=[], metavar="NAME:TYPE",
                        help="an attribute, e.g. cart_total:number (text, number, boolean, "
                             "datetime, entity=TABLE; add :required); repeat for more — "
                             "with update, the attributes replace the trigger's")
    parser.add_argument("--file", type=Path, help="a trigger definition as JSON instead")


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace:
        if args.action == "list":
            return _list(catalog.list_triggers(workspace), args.all)
        if args.action == "show":
            return _show(workspace, args.name)
        if args.action == "create":
            trigger = _definition(args, None)
            catalog.create_trigger(workspace, trigger)
            print(f"created {trigger.kind.value} trigger {trigger.name!r} (draft); "
                  f"`waymark triggers ready {trigger.name}` when it is integrated")
        elif args.action == "update":
            trigger = _definition(args, catalog.trigger_entry(workspace, args.name).trigger)
            for note in catalog.update_trigger(workspace, trigger):
                print(f"note: {note}")
            print(f"updated {trigger.name!r}")
        elif args.action == "delete":
            catalog.delete_trigger(workspace, args.name)
            print(f"deleted {args.name!r}")
        else:
            state = TriggerState.READY if args.action == "ready" else TriggerState.STOPPED
            catalog.set_trigger_state(workspace, args.name, state)
            print(f"{args.name!r} is now {state.value}")
    return 0


def _list(entries: list[catalog.TriggerEntry], include_builtin: bool) -> int:
    rows = [[e.trigger.name, e.trigger.title, e.trigger.kind.value, e.trigger.state.value,
             e.status()] for e in entries if include_builtin or not e.built_in]
    print(table(rows, ["NAME", "TITLE", "KIND", "STATE", "EVENTS"]) if rows
          else "no triggers yet: `waymark triggers create NAME --attr total:number`")
    return 0


def _show(workspace: Any, name: str) -> int:
    entry = catalog.trigger_entry(workspace, name)
    print(dump_json(to_data(entry.trigger)), end="")
    print(f"# {entry.status()}")
    for use in catalog.trigger_journeys(workspace, name):
        print(f"# used by {use.journey_id}: {use.describe()}")
    return 0


def _definition(args: argparse.Namespace, current: TriggerDefinition | None
                ) -> TriggerDefinition:
    """From --file, or from the options over the current definition (update) or none."""
    if args.file:
        data = parse_json(args.file.read_bytes(), str(args.file))
        if not isinstance(data, dict):
            raise catalog.TriggerCatalogError("expected a JSON object", source=str(args.file))
        if current is not None:
            data = {**data, "name": current.name}
        return catalog.trigger_from_data(data)
    data = to_data(current) if current else {
        "name": args.name, "title": args.name.replace("_", " ").capitalize(),
        "kind": TriggerKind.CUSTOM.value}
    for option in ("title", "description"):
        if getattr(args, option) is not None:
            data[option] = getattr(args, option)
    if args.attr or current is None:
        data["attributes"] = [attribute_data(spec) for spec in args.attr]
    if getattr(args, "record", None):
        table_name, _, person = args.record.partition(":")
        data["kind"] = TriggerKind.RECORD.value
        data["record"] = {"table": table_name, "person_column": person or "customer",
                          "action": args.record_action,
                          "columns": [c for c in args.columns.split(",") if c]}
    return catalog.trigger_from_data(data)


TYPES = ("text", "number", "boolean", "datetime", "entity")


def attribute_data(spec: str, option: str = "--attr") -> dict[str, Any]:
    """NAME:TYPE[:required] as an attribute's JSON."""
    name, _, rest = spec.partition(":")
    kind, _, flag = rest.partition(":")
    entity = None
    if kind.startswith("entity="):
        kind, entity = "entity", kind.split("=", 1)[1]
    if (kind or "text") not in TYPES or flag not in ("", "required"):
        raise catalog.TriggerCatalogError(
            f"{spec!r}: write NAME:TYPE[:required] with TYPE one of text, number, boolean, "
            "datetime, entity=TABLE", source=option)
    return {"name": name, "type": kind or "text", "entity": entity,
            "required": flag == "required"}
