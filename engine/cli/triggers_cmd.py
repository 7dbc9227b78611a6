"""`waymark triggers list|show|create|ready|stop`: the trigger catalog."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from engine.model import (
    BUILTIN_TRIGGERS,
    AttributeDef,
    Catalog,
    DocumentError,
    RecordSource,
    TriggerDefinition,
    TriggerKind,
    TriggerState,
    dump_json,
    parse_json,
    to_data,
)
from engine.store import catalog_store
from engine.store import schema as s
from engine.store.database import writing

from .common import add_workspace_option, fail, guarded, open_workspace, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("triggers", help="the trigger catalog")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every trigger with its state and events")
    listing.add_argument("--all", action="store_true", help="include built-in triggers")
    show = actions.add_parser("show", help="one trigger: attributes, state, events")
    show.add_argument("name")
    create = actions.add_parser("create", help="a custom or record-change trigger (draft)")
    create.add_argument("name", help="lower_snake_case, used in URLs and snippets")
    create.add_argument("--title", help="what marketers see (default: from the name)")
    create.add_argument("--description", default="")
    create.add_argument("--attr", action="append", default=[], metavar="NAME:TYPE",
                        help="an attribute, e.g. cart_total:number (text, number, boolean, "
                             "datetime, entity=TABLE); repeat for more")
    create.add_argument("--record", metavar="TABLE:PERSON_COLUMN",
                        help="a record-change trigger on TABLE, whose PERSON_COLUMN holds "
                             "the person")
    create.add_argument("--action", dest="record_action", default="either",
                        choices=["created", "updated", "either"])
    create.add_argument("--columns", default="", help="record triggers: comma-separated "
                        "columns whose change counts (default: any)")
    create.add_argument("--file", type=Path, help="a trigger definition as JSON instead")
    ready = actions.add_parser("ready", help="mark ready to use (journeys can publish)")
    ready.add_argument("name")
    stop = actions.add_parser("stop", help="stop accepting events")
    stop.add_argument("name")
    for sub in (listing, show, create, ready, stop):
        add_workspace_option(sub)
        sub.set_defaults(handler=guarded(run))


def _status(row) -> str:
    if row is None or not row.event_count:
        return "waiting for first event"
    last = datetime.fromtimestamp(row.last_event_at, UTC).strftime("%Y-%m-%d %H:%M")
    return f"{row.event_count} event(s), last {last} UTC"


def run(args: argparse.Namespace) -> int:
    with open_workspace(args) as workspace, writing(workspace.db) as conn:
        stats = {r.name: r for r in conn.execute(select(s.triggers))}
        if args.action == "list":
            return _list(catalog_store.load_catalog(conn), stats, args.all)
        if args.action == "create":
            trigger = _definition(args)
            if trigger.name in stats or trigger.name in {t.name for t in BUILTIN_TRIGGERS}:
                return fail(f"a trigger named {trigger.name!r} already exists")
            catalog_store.save_trigger(conn, trigger)
            print(f"created {trigger.kind.value} trigger {trigger.name!r} (draft); "
                  f"`waymark triggers ready {trigger.name}` when it is integrated")
            return 0
        trigger = catalog_store.load_trigger(conn, args.name)
        if trigger is None:
            return fail(f"no trigger named {args.name!r}")
        if args.action == "show":
            print(dump_json(to_data(trigger)), end="")
            print(f"# {_status(stats.get(trigger.name))}")
            return 0
        if trigger.kind in (TriggerKind.INTERACTION, TriggerKind.BUSINESS):
            return fail(f"{trigger.name!r} is built in and always ready")
        state = TriggerState.READY if args.action == "ready" else TriggerState.STOPPED
        catalog_store.save_trigger(conn, trigger.model_copy(update={"state": state}))
        print(f"{trigger.name!r} is now {state.value}")
    return 0


def _list(catalog: Catalog, stats: dict, include_builtin: bool) -> int:
    rows = [[t.name, t.title, t.kind.value, t.state.value, _status(stats.get(t.name))]
            for t in catalog.triggers.values()
            if include_builtin or t.kind in (TriggerKind.CUSTOM, TriggerKind.RECORD)]
    print(table(rows, ["NAME", "TITLE", "KIND", "STATE", "EVENTS"]) if rows
          else "no triggers yet: `waymark triggers create NAME --attr total:number`")
    return 0


def _definition(args: argparse.Namespace) -> TriggerDefinition:
    if args.file:
        data = parse_json(args.file.read_bytes(), str(args.file))
        try:
            return TriggerDefinition.model_validate(data)
        except ValueError as error:
            raise DocumentError(str(error), source=str(args.file)) from None
    attributes = [_attribute(spec) for spec in args.attr]
    record = None
    if args.record:
        table_name, _, person = args.record.partition(":")
        record = RecordSource(table=table_name, person_column=person or "customer",
                              action=args.record_action,
                              columns=[c for c in args.columns.split(",") if c])
    try:
        return TriggerDefinition(
            name=args.name, title=args.title or args.name.replace("_", " ").capitalize(),
            description=args.description, attributes=attributes, record=record,
            kind=TriggerKind.RECORD if record else TriggerKind.CUSTOM)
    except ValueError as error:
        raise DocumentError(str(error).splitlines()[-1].strip(),
                            source=f"trigger {args.name!r}") from None


def _attribute(spec: str) -> AttributeDef:
    name, _, kind = spec.partition(":")
    entity = None
    if kind.startswith("entity="):
        kind, entity = "entity", kind.split("=", 1)[1]
    try:
        return AttributeDef(name=name, type=kind or "text", entity=entity)
    except ValueError:
        raise DocumentError(f"{spec!r}: write NAME:TYPE with TYPE one of text, number, "
                            "boolean, datetime, entity=TABLE", source="--attr") from None
