"""A scenario file's items checked against the bundle, as the engine's socket checks what
it is sent: a trigger the bundle does not have, an attribute unknown or of the wrong type,
a record of a table or column that is not there.

Simulated as they were, such items misled: an event of `abandoned_kart` took its person
nowhere without a word, and `"cart_total": "lots"` said "entry blocked: unmet trigger
condition" where the live engine answers 400 naming `attributes.cart_total`. A replay's
rows are checked the same way as they are read (`replay.py`).
"""

from __future__ import annotations

from engine.ingestion.payload import PayloadError, check_attributes, check_columns
from engine.model import Catalog, DocumentError, TriggerKind
from engine.model.errors import line_of

from .audience import did_you_mean
from .scenario import RecordItem, Scenario, TriggerItem

SHOWN = 10  # problems listed; the rest are counted


def check_scenario(scenario: Scenario, catalogs: list[Catalog], source: str,
                   text: str | bytes | None = None) -> None:
    """DocumentError naming each item the engine would refuse (the first SHOWN, then how
    many more), at its JSON path and line. `catalogs`: the bundle's, then those of the
    versions the scenario publishes (an item may use a trigger a later version adds)."""
    problems = [(f"$.events[{index}]{place}", message)
                for index, item in enumerate(scenario.events)
                for place, message in _item_problems(item, catalogs)]
    if not problems:
        return
    (path, first), rest = problems[0], problems[1:]
    lines = [first, *(f"  {_place(p, text)}: {m}" for p, m in rest[:SHOWN - 1])]
    if len(rest) >= SHOWN:
        lines.append(f"  … and {len(rest) - SHOWN + 1} more")
    raise DocumentError("\n".join(lines), source=source, path=path,
                        line=line_of(text, path) if text is not None else None)


def _place(path: str, text: str | bytes | None) -> str:
    line = line_of(text, path) if text is not None else None
    return f"line {line}, at {path}" if line is not None else f"at {path}"


def _item_problems(item: object, catalogs: list[Catalog]) -> list[tuple[str, str]]:
    """(place under the item, why) for each thing the socket would refuse."""
    if isinstance(item, TriggerItem):
        return _trigger_problems(item, catalogs)
    if isinstance(item, RecordItem):
        return _record_problems(item, catalogs[0])
    return []


def _trigger_problems(item: TriggerItem, catalogs: list[Catalog]) -> list[tuple[str, str]]:
    catalog = next((c for c in catalogs if item.trigger in c.triggers), None)
    if catalog is None:
        known = sorted({name for c in catalogs for name in c.triggers})
        return [(".trigger", f"no trigger {item.trigger!r} in the bundle"
                 f"{did_you_mean(item.trigger, known)}")]
    trigger = catalog.triggers[item.trigger]
    if trigger.kind != TriggerKind.CUSTOM:
        return []  # raised by the engine itself (a record changed, a message opened)
    try:
        check_attributes(trigger.attributes, item.attributes, catalog, "attributes", 0)
    except PayloadError as error:
        field = error.field or "attributes"
        return [(f".{field}", error.message.removeprefix(f"{field}: "))]
    return []


def _record_problems(item: RecordItem, catalog: Catalog) -> list[tuple[str, str]]:
    table = catalog.record_tables.get(item.table)
    if table is None:
        return [(".table", f"no record table {item.table!r} in the bundle"
                 f"{did_you_mean(item.table, sorted(catalog.record_tables))}")]
    known = [c.name for c in table.columns]
    unknown = [name for name in item.values if name != "id" and name not in known]
    if unknown:
        return [(f".values.{unknown[0]}", f"table {item.table!r} has no column "
                 f"{unknown[0]!r}{did_you_mean(unknown[0], known)}")]
    try:
        check_columns(table, item.values, catalog)
    except PayloadError as error:
        return [(f".values.{error.field}", error.message.removeprefix(f"{error.field}: "))]
    return []
