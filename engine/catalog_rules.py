"""The rules the trigger catalog keeps, whoever changes it.

Two doors change triggers and record tables: the catalog's own forms and commands
(`engine.trigger_catalog`) and a bundle's import (`Workspace.import_bundle`). Both ask
here, so each rule is written once. A rule answers with a `Problem`: the message and the
field it is about, as a path inside the item ("columns[2].name", "record.table"); each
door puts it under its own prefix ("table.", "record_tables[0].").
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from sqlalchemy import Connection

from engine.model import (
    BUILTIN_CONTACT_ATTRIBUTES,
    BUILTIN_RECORD_TABLES,
    BUILTIN_TRIGGERS,
    AttributeDef,
    AttributeType,
    Bundle,
    Catalog,
    RecordTable,
    TriggerDefinition,
    TriggerKind,
)
from engine.model.catalog_items import MAX_TRIGGER_ATTRIBUTES
from engine.trigger_uses import Breakage, breakages

BUILT_IN_KINDS = (TriggerKind.BUSINESS, TriggerKind.INTERACTION)
BUILT_IN_NAMES = frozenset(t.name for t in BUILTIN_TRIGGERS)


class Problem(NamedTuple):
    message: str
    field: str = ""  # inside the item: "columns[0].name"; "" for the item as a whole

    def under(self, prefix: str) -> Problem:
        return self._replace(field=".".join(filter(None, [prefix, self.field])))

    def line(self) -> str:
        """`place: catalog: message`, as `waymark validate` lists it beside a journey's."""
        return f"{self.field}: catalog: {self.message}"


def table_problem(table: RecordTable) -> Problem | None:
    """What a record table needs whatever else is there: columns, none called `id` (the
    ingestion socket takes `id` as the record's own, in its address), and the person
    columns among them."""
    if not table.columns:
        return Problem("give the table its columns", "columns")
    for index, column in enumerate(table.columns):
        if column.name == "id":
            return Problem("'id' is the record's own id (in its address), not a column: "
                           "name it otherwise", f"columns[{index}].name")
    names = {c.name for c in table.columns}
    for index, column in enumerate(table.person_columns):
        if column not in names:
            return Problem(f"{column!r} is not one of the table's columns",
                           f"person_columns[{index}]")
    return None


def definition_problem(trigger: TriggerDefinition, catalog: Catalog) -> Problem | None:
    """What the model alone cannot know: the record tables and columns it names exist."""
    for index, attribute in enumerate(trigger.attributes):
        field = f"attributes[{index}].entity"
        if attribute.type == AttributeType.ENTITY and (
                problem := _table_named(catalog, attribute.entity, field)):
            return problem
    if trigger.record is None:
        return None
    if problem := _table_named(catalog, trigger.record.table, "record.table"):
        return problem
    table = catalog.record_tables[trigger.record.table]
    columns = {c.name for c in table.columns}
    if trigger.record.person_column not in columns:
        return Problem(f"table {table.name!r} has no column {trigger.record.person_column!r}",
                       "record.person_column")
    for index, column in enumerate(trigger.record.columns):
        if column not in columns:
            return Problem(f"table {table.name!r} has no column {column!r}",
                           f"record.columns[{index}]")
    return None


def _table_named(catalog: Catalog, name: str | None, field: str) -> Problem | None:
    if not name:
        return Problem("choose the record table", field)
    if name not in catalog.record_tables:
        return Problem(f"there is no record table {name!r}", field)
    return None


def in_use_message(found: list[Breakage]) -> str:
    """One clause per journey version: what it reads, how that would change, and where."""
    versions: dict[tuple[str, int], dict[str, list[str]]] = {}
    for b in found:
        reads = versions.setdefault((b.journey_name, b.version), {})
        reads.setdefault(f"{b.path} ({b.change()})", []).append(b.where)
    clauses = [f"“{name}” version {version} reads "
               + "; ".join(f"{what} at {', '.join(places)}" for what, places in reads.items())
               for (name, version), reads in versions.items()]
    one = len({b.path for b in found}) == 1
    what, it = ("this attribute", "it") if one else ("these attributes", "they")
    return (f"live or paused journeys read {what}, so {it} cannot change type or go: "
            f"{' — '.join(clauses)}. Keep {what} as {it} {'is' if one else 'are'} and add "
            "a new attribute, or stop those journey versions first")


def breakage_field(trigger: TriggerDefinition, breakage: Breakage) -> str:
    """The field of the trigger's definition a breakage comes from."""
    top = breakage.path.split(".")[0]
    index = next((i for i, a in enumerate(trigger.attributes) if a.name == top), None)
    if index is not None:
        return f"attributes[{index}].type"
    return "record.table" if trigger.record else "attributes"


def bundle_problems(bundle: Bundle) -> list[Problem]:
    """What is wrong with a bundle's catalog wherever it goes, each field a path in the
    bundle ("record_tables[0].columns[1].name"): `waymark validate` lists these, and an
    import refuses the first. Built-ins are Waymark's: a bundle may carry a built-in
    table as it is (an export does), never changed."""
    found = [*_twice("triggers", [t.name for t in bundle.triggers]),
             *_twice("record_tables", [t.name for t in bundle.record_tables]),
             *_twice("contact_attributes", [a.name for a in bundle.contact_attributes]),
             *_twice("content", [c.id for c in bundle.content]),
             *_twice("segments", [s.id for s in bundle.segments])]
    tables = {t.name: t for t in BUILTIN_RECORD_TABLES}
    for index, table in enumerate(bundle.record_tables):
        if table.name in tables and table != tables[table.name]:
            found.append(Problem(f"{table.name!r} is a built-in record table: a bundle "
                                 "cannot redefine it", f"record_tables[{index}]"))
        elif problem := table_problem(table):
            found.append(problem.under(f"record_tables[{index}]"))
    found += [Problem(f"{trigger.name!r} is built in (raised by Waymark): a bundle cannot "
                      "define it", f"triggers[{index}].name")
              for index, trigger in enumerate(bundle.triggers)
              if trigger.name in BUILT_IN_NAMES or trigger.kind in BUILT_IN_KINDS]
    builtin = {a.name: a for a in BUILTIN_CONTACT_ATTRIBUTES}
    found += [Problem(f"{attribute.name!r} is a built-in contact attribute, "
                      f"{builtin[attribute.name].type.value}: a bundle cannot redefine it",
                      f"contact_attributes[{index}].type")
              for index, attribute in enumerate(bundle.contact_attributes)
              if attribute.name in builtin and _typed(attribute) != _typed(
                  builtin[attribute.name])]
    return found


def _twice(place: str, names: list[str]) -> list[Problem]:
    """An item named as an earlier one: which of the two was meant cannot be told."""
    return [Problem(f"{name!r} is defined twice in the bundle", f"{place}[{index}]")
            for index, name in enumerate(names) if name in names[:index]]


def _too_many(trigger: TriggerDefinition, as_written: TriggerDefinition) -> Problem | None:
    """The workspace's attributes a bundle's trigger lacks are kept (events carrying them
    are still taken), but not past the most a trigger may have."""
    if len(as_written.attributes) <= MAX_TRIGGER_ATTRIBUTES:
        return None
    named = {a.name for a in trigger.attributes}
    kept = [a.name for a in as_written.attributes if a.name not in named]
    shown = ", ".join(repr(name) for name in kept[:5]) + (", …" if len(kept) > 5 else "")
    return Problem(
        f"the workspace's {trigger.name!r} has {len(kept)} attributes this bundle's lacks "
        f"({shown}), which an import keeps so that events carrying them are still taken; "
        f"with the bundle's {len(trigger.attributes)} that makes "
        f"{len(as_written.attributes)}, and a trigger has at most {MAX_TRIGGER_ATTRIBUTES}. "
        f"Remove those no longer sent first (the Triggers page, or `waymark triggers "
        f"update`)",
        "attributes")


def import_problem(conn: Connection, bundle: Bundle, before: Catalog,
                   written: list[TriggerDefinition], tables: list[RecordTable]
                   ) -> Problem | None:
    """What stops a bundle's catalog going into the workspace whose catalog is `before`:
    its `bundle_problems`; then what the workspace holds: a trigger keeps its kind, a
    contact attribute its type, every trigger's tables and columns exist (the
    workspace's own do: a table it has keeps its columns), and no trigger
    attribute that live or paused journeys read changes type or goes (importing is not
    a way round `waymark triggers update`). `written` and `tables`: the bundle's
    triggers and record tables as the import will write them
    (`engine.import_copies.triggers_as_written`, `tables_as_written`)."""
    if found := bundle_problems(bundle):
        return found[0]
    for index, trigger in enumerate(bundle.triggers):
        old = before.triggers.get(trigger.name)
        if old is not None and old.kind != trigger.kind:
            return Problem(f"the workspace's {trigger.name!r} is a {old.kind.value} "
                           f"trigger and stays one; this bundle's is {trigger.kind.value}",
                           f"triggers[{index}].kind")
        if old is not None and (problem := _too_many(trigger, written[index])):
            return problem.under(f"triggers[{index}]")
    for index, attribute in enumerate(bundle.contact_attributes):
        was = before.contact_attributes.get(attribute.name)
        if was is not None and _typed(was) != _typed(attribute):
            return Problem(f"the workspace's contact attribute {attribute.name!r} is "
                           f"{was.type.value}, and contacts hold it so: it cannot become "
                           f"{attribute.type.value}", f"contact_attributes[{index}].type")
    after = replace(
        before,
        triggers={**before.triggers, **{t.name: t for t in written}},
        record_tables={**before.record_tables, **{t.name: t for t in tables}})
    for index, trigger in enumerate(bundle.triggers):
        if problem := definition_problem(trigger, after):
            return problem.under(f"triggers[{index}]")
    found_breakages = breakages(conn, before, after)
    if found_breakages:
        return Problem(in_use_message(found_breakages),
                       _breakage_place(bundle, found_breakages[0]))
    return None


def _typed(attribute: AttributeDef) -> tuple[AttributeType, str | None]:
    return attribute.type, attribute.entity


def _breakage_place(bundle: Bundle, breakage: Breakage) -> str:
    for index, trigger in enumerate(bundle.triggers):
        if trigger.name == breakage.trigger:
            return f"triggers[{index}].{breakage_field(trigger, breakage)}"
    return "record_tables"  # an entity's columns, read through a trigger the bundle keeps
