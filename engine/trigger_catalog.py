"""The trigger catalog as people change it: what `waymark triggers` / `waymark tables`
and the studio's Triggers page call.

Every refusal is a `TriggerCatalogError` naming the field as a path into the trigger's
JSON (`name`, `attributes[2].type`, `record.person_column`), so a form can put the
message beside the field and the CLI can print it on one line. An attribute that live
journeys read cannot change type or go (`TriggerInUseError`, see `engine.trigger_uses`).
The rules themselves are in `engine.catalog_rules`, which a bundle's import asks too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ValidationError

from engine.catalog_rules import (
    BUILT_IN_KINDS,
    BUILT_IN_NAMES,
    Problem,
    breakage_field,
    definition_problem,
    in_use_message,
    table_problem,
)
from engine.model import (
    AttributeType,
    Catalog,
    DocumentError,
    RecordTable,
    TriggerDefinition,
    TriggerKind,
    TriggerState,
)
from engine.model.attributes import ATTRIBUTE_NAME_PATTERN
from engine.model.catalog_items import MAX_TRIGGER_ATTRIBUTES, TRIGGER_NAME_PATTERN
from engine.model.errors import from_validation_error
from engine.store import catalog_store
from engine.store.database import writing
from engine.store.times import from_ts
from engine.trigger_uses import Breakage, JourneyUse, breakages, journeys_using
from engine.workspace import Workspace


class TriggerCatalogError(DocumentError):
    """A refused change, naming the field: `field` is "name", "attributes[2].type"..."""

    def __init__(self, message: str, field: str = "", source: str = "") -> None:
        super().__init__(message, source=source, path=f"$.{field}" if field else "")

    @property
    def field(self) -> str:
        return self.path.removeprefix("$").removeprefix(".")

    def describe(self) -> str:
        where = self.field or self.source
        return f"{where}: {self.detail}" if where else self.detail


class TriggerNameTaken(TriggerCatalogError):
    pass


class UnknownTriggerError(TriggerCatalogError):
    pass


class BuiltInTriggerError(TriggerCatalogError):
    pass


class TriggerInUseError(TriggerCatalogError):
    """Live journeys read what the change would alter; `breakages` says where."""

    def __init__(self, message: str, field: str, found: list[Breakage]) -> None:
        super().__init__(message, field)
        self.breakages = found


@dataclass(frozen=True)
class TriggerEntry:
    """A trigger as the catalog lists it: its definition and the events it has had."""

    trigger: TriggerDefinition
    event_count: int = 0
    last_event_at: datetime | None = None

    @property
    def built_in(self) -> bool:
        return self.trigger.kind in BUILT_IN_KINDS

    def status(self, now: datetime | None = None) -> str:
        """"2 events, last at 2026-12-01 15:03 UTC"; with `now`, as a list's column says
        it ("2 events · 15:03 UTC" on the day, "2 events · 30 Nov" in the year)."""
        if self.built_in and not self.event_count:  # their events are not counted here
            return "raised by Waymark"
        return EventsSeen(self.event_count, self.last_event_at).text(now)


class EventsSeen(NamedTuple):
    """A trigger's events: how many, and when the last came."""

    count: int
    last: datetime | None

    def text(self, now: datetime | None = None) -> str:
        """In full, or briefly (when the last came, as far as `now` needs it told)."""
        if not self.count or self.last is None:
            return "waiting for first event" if now is None else "no events yet"
        events = f"{self.count:,} {'event' if self.count == 1 else 'events'}"
        last = self.last
        if now is None:
            return f"{events}, last at {last:%Y-%m-%d %H:%M} UTC"
        if last.date() == now.date():
            return f"{events} · {last:%H:%M} UTC"
        return f"{events} · {last.day} {last:%b}" + ("" if last.year == now.year
                                                      else f" {last.year}")


# --- reading ----------------------------------------------------------------------------

def list_triggers(workspace: Workspace) -> list[TriggerEntry]:
    """Custom, then record triggers by name, then the built-in ones: those a contact's
    save raises before those Waymark's messages raise ("Lead created" stood among the
    emails' and pushes')."""
    with workspace.db.connect() as conn:
        catalog = catalog_store.load_catalog(conn)
        stats = catalog_store.trigger_stats(conn)
    entries = [_entry(t, stats.get(t.name)) for t in catalog.triggers.values()]
    return sorted(entries, key=lambda e: (e.built_in, _KIND_ORDER[e.trigger.kind],
                                          e.trigger.name))


_KIND_ORDER = {TriggerKind.CUSTOM: 0, TriggerKind.RECORD: 1, TriggerKind.BUSINESS: 2,
               TriggerKind.INTERACTION: 3}


def events_seen(workspace: Workspace) -> dict[str, EventsSeen]:
    """Each saved trigger's events: one small query, for a list that follows them while
    it is shown."""
    with workspace.db.connect() as conn:
        stats = catalog_store.trigger_stats(conn)
    return {name: EventsSeen(row.event_count, from_ts(row.last_event_at))
            for name, row in stats.items()}


def trigger_entry(workspace: Workspace, name: str) -> TriggerEntry:
    with workspace.db.connect() as conn:
        trigger = catalog_store.load_trigger(conn, name)
        row = catalog_store.trigger_stats(conn).get(name)
    if trigger is None:
        raise UnknownTriggerError(f"no trigger named {name!r}")
    return _entry(trigger, row)


def _entry(trigger: TriggerDefinition, row: Any) -> TriggerEntry:
    if row is None:
        return TriggerEntry(trigger)
    return TriggerEntry(trigger, row.event_count, from_ts(row.last_event_at))


def trigger_journeys(workspace: Workspace, name: str) -> list[JourneyUse]:
    """The drafts and live or paused versions that name the trigger."""
    with workspace.db.connect() as conn:
        return journeys_using(conn, name)


# --- definitions from data ------------------------------------------------------------

def trigger_from_data(data: dict[str, Any]) -> TriggerDefinition:
    """A trigger definition from a form or a file, or a `TriggerCatalogError` naming the
    field. The name is checked first: it is what a person most often gets wrong."""
    name = str(data.get("name") or "")
    if not name:
        raise TriggerCatalogError("give the trigger a name; it is used in URLs and snippets",
                                  "name")
    if not re.fullmatch(TRIGGER_NAME_PATTERN, name):
        raise TriggerCatalogError(
            f"{name!r} is not a trigger name: a lowercase letter, then lowercase letters, "
            "digits and _ (at most 64), such as wifi_signup", "name")
    attributes = data.get("attributes") or []
    if len(attributes) > MAX_TRIGGER_ATTRIBUTES:
        raise TriggerCatalogError(f"at most {MAX_TRIGGER_ATTRIBUTES} attributes; this "
                                  f"trigger has {len(attributes)}", "attributes")
    return _validated(TriggerDefinition, data)


def record_table_from_data(data: dict[str, Any]) -> RecordTable:
    """A record table from a form or a file; its fields are named `table.…`."""
    return _validated(RecordTable, data, "table")


def _validated(model: Any, data: dict[str, Any], prefix: str = "") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        found = from_validation_error(error, data, "")
        field = ".".join(filter(None, [prefix, found.path.removeprefix("$").lstrip(".")]))
        raise TriggerCatalogError(_pattern_words(error) or found.detail, field) from None


NAME_RULES = {
    TRIGGER_NAME_PATTERN: "a lowercase letter, then lowercase letters, digits and _ (at "
                          "most 64)",
    ATTRIBUTE_NAME_PATTERN: "a letter or _, then letters, digits and _ (at most 64)",
}


def _pattern_words(error: ValidationError) -> str | None:
    """A name that does not fit its pattern, said in words rather than as a regex."""
    first = error.errors(include_url=False)[0]
    rule = NAME_RULES.get(first.get("ctx", {}).get("pattern"))
    if first["type"] != "string_pattern_mismatch" or rule is None:
        return None
    return f"{first['input']!r} is not a name here: {rule}" if first["input"] else \
        f"give it a name: {rule}"


def check_definition(trigger: TriggerDefinition, catalog: Catalog) -> None:
    """What the model alone cannot know: the record tables and columns it names exist."""
    _refuse(definition_problem(trigger, catalog))


def _refuse(problem: Problem | None) -> None:
    if problem is not None:
        raise TriggerCatalogError(problem.message, problem.field)


# --- changing -------------------------------------------------------------------------------

def create_trigger(workspace: Workspace, trigger: TriggerDefinition,
                   table: RecordTable | None = None) -> None:
    """A new trigger, as a draft; with `table`, the record table it needs, made with it."""
    with writing(workspace.db) as conn:
        if trigger.name in BUILT_IN_NAMES or catalog_store.load_trigger(conn, trigger.name):
            raise TriggerNameTaken(f"a trigger named {trigger.name!r} already exists; "
                                   "choose another name", "name")
        catalog = _with_table(catalog_store.load_catalog(conn), table)
        check_definition(trigger, catalog)
        if table is not None:
            catalog_store.save_record_table(conn, table)
        catalog_store.save_trigger(conn, trigger.model_copy(
            update={"state": TriggerState.DRAFT}))


def update_trigger(workspace: Workspace, trigger: TriggerDefinition,
                   table: RecordTable | None = None, *, dry_run: bool = False) -> list[str]:
    """Save an edited trigger (its state stays as it is). Refused when live or paused
    journeys read an attribute whose type it changes or that it removes. Returns what
    integrations sending it will notice; with `dry_run`, checks and returns that only."""
    with writing(workspace.db) as conn:
        old = _saved(catalog_store.load_trigger(conn, trigger.name), trigger.name)
        if trigger.kind != old.kind:
            raise TriggerCatalogError(f"a {old.kind.value} trigger stays one; make a new "
                                      "trigger instead", "kind")
        before = catalog_store.load_catalog(conn)
        after = _with_table(before, table)
        after = replace(after, triggers={**after.triggers, trigger.name: trigger})
        check_definition(trigger, after)
        found = breakages(conn, before, after)
        if found:
            raise TriggerInUseError(in_use_message(found), breakage_field(trigger, found[0]),
                                    found)
        if not dry_run:
            if table is not None:
                catalog_store.save_record_table(conn, table)
            catalog_store.save_trigger(conn, trigger.model_copy(update={"state": old.state}))
    return integration_changes(old, trigger)


def set_trigger_state(workspace: Workspace, name: str, state: TriggerState
                      ) -> TriggerDefinition:
    """Ready to use (journeys can publish with it), or stopped (the engine refuses its
    events, and record changes no longer raise it) — and back to ready if need be."""
    with writing(workspace.db) as conn:
        trigger = _saved(catalog_store.load_trigger(conn, name), name)
        changed = trigger.model_copy(update={"state": state})
        catalog_store.save_trigger(conn, changed)
    return changed


def delete_trigger(workspace: Workspace, name: str) -> None:
    """Only a trigger no journey names (draft, live or paused); stop it otherwise."""
    with writing(workspace.db) as conn:
        _saved(catalog_store.load_trigger(conn, name), name)
        users = journeys_using(conn, name)
        if users:
            raise TriggerCatalogError(
                f"{name!r} is used by {'; '.join(u.describe() for u in users)}: take it out "
                "of those journeys first, or stop the trigger instead")
        catalog_store.delete_trigger(conn, name)


def create_record_table(workspace: Workspace, table: RecordTable) -> None:
    with writing(workspace.db) as conn:
        _with_table(catalog_store.load_catalog(conn), table)
        catalog_store.save_record_table(conn, table)


def _saved(trigger: TriggerDefinition | None, name: str) -> TriggerDefinition:
    if trigger is None:
        raise UnknownTriggerError(f"no trigger named {name!r}")
    if trigger.kind in BUILT_IN_KINDS:
        raise BuiltInTriggerError(f"{name!r} is built in: it is always ready and cannot be "
                                  "changed")
    return trigger


def _with_table(catalog: Catalog, table: RecordTable | None) -> Catalog:
    """The catalog with a new record table in it; a taken name or a table without the
    columns it needs is refused."""
    if table is None:
        return catalog
    if table.name in catalog.record_tables:
        raise TriggerCatalogError(f"a record table named {table.name!r} already exists",
                                  "table.name")
    problem = table_problem(table)
    _refuse(problem and problem.under("table"))
    return replace(catalog, record_tables={**catalog.record_tables, table.name: table})


def integration_changes(old: TriggerDefinition, new: TriggerDefinition) -> list[str]:
    """What a website or app sending the trigger's events will notice: the socket checks
    each event against the definition as it is now."""
    if new.kind != TriggerKind.CUSTOM:
        return []
    before = {a.name: a for a in old.attributes}
    notes = [f"{name!r} is gone: events that still send it are refused"
             for name in before if name not in {a.name for a in new.attributes}]
    for attribute in new.attributes:
        was = before.get(attribute.name)
        if was is not None and (was.type, was.entity) != (attribute.type, attribute.entity):
            notes.append(f"{attribute.name!r} is now {_type_words(attribute)}: events "
                         f"sending {_type_words(was)} are refused")
        elif attribute.required and (was is None or not was.required):
            notes.append(f"{attribute.name!r} is required now: events without it are "
                         "refused")
    return notes


def _type_words(attribute: Any) -> str:
    if attribute.type == AttributeType.ENTITY:
        return f"a {attribute.entity} record"
    return {"text": "text", "number": "a number", "boolean": "true/false",
            "datetime": "a date/time"}[attribute.type.value]
