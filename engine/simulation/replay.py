"""A replay: timestamped events from a file (a shop's export of last month's abandoned
carts) as a simulation's audience, for `waymark simulate BUNDLE --replay FILE`.

The file is CSV with a header row, or JSON lines (one object per line). Each row is an
event: its trigger, its person, its time (ISO 8601 with Z or an offset) and attributes —
the other columns, typed by the trigger's attribute types with the contacts import's
cell reader (`engine.contacts_csv.typed`) and checked as the ingestion socket checks an
event (`engine.ingestion.payload.check_attributes`). Columns are found by their header
(trigger, person, time; email, phone, push_token and timezone give the contact's own)
or renamed with a mapping (`cart_value=cart_total`, `email=person`, `notes=skip`). A
column that is a different attribute for each trigger (a shop's one `total` for carts and
purchases) is mapped to each of them, `total=cart_total/order_total`: a row's value goes to
the first its trigger has.

A row that cannot be an event is a `RowProblem` (row, column, why) and left out; the rest
is simulated. A contact is made for each person named (with the person as email when it
looks like one); the simulation starts at the first event and ends `end` after the last.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.contacts_csv import (
    FIELD_ALIASES,
    CsvFileError,
    check_header,
    decode,
    detect_encoding,
    slug,
    some_of,
    typed,
)
from engine.contacts_csv import rows as csv_rows
from engine.contacts_import import RowProblem
from engine.delivery.contact_points import normalise_phone, valid_email
from engine.ingestion.payload import PayloadError, check_attributes
from engine.model import (
    AttributeType,
    Bundle,
    Catalog,
    Contact,
    DocumentError,
    TriggerDefinition,
)
from engine.model.durations import parse_duration
from engine.model.json_values import TOO_DEEP_TO_READ
from engine.model.moments import EARLIEST, LATEST

from .audience import closest, did_you_mean, drawn_attributes, record_items, record_source
from .collector import fewer_collections
from .scenario import Scenario

DEFAULT_END = "P5D"
ROLES = {**{name: "trigger" for name in ("trigger", "event", "event_name", "trigger_name")},
         **{name: "time" for name in ("time", "timestamp", "at", "occurred_at", "event_time",
                                     "when", "created_at", "datetime")},
         **{name: "person" for name, to in FIELD_ALIASES.items() if to == "id"},
         "person": "person", "person_id": "person", "auth_id": "person", "user_id": "person",
         "userid": "person",
         **{name: to for name, to in FIELD_ALIASES.items() if to not in ("id", "kind")},
         "skip": "skip"}
CONTACT_FIELDS = ("email", "phone", "push_token", "timezone")
_NEEDED = ("trigger", "person", "time")
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
ALTERNATIVE = "/"  # total=cart_total/order_total: the attribute each trigger has
HEADER_BYTES = 65_536  # enough for any header line: read to show a file's columns


class ReplayError(DocumentError):
    """The file as a whole cannot be replayed (no person column, no usable row);
    `report` holds the refused rows' lines when there were some."""

    def __init__(self, message: str, *, source: str = "", report: list[str] | None = None
                 ) -> None:
        super().__init__(message, source=source)
        self.report = report or []


@dataclass(frozen=True)
class Column:
    """What a column (or a JSON key) is: `role` trigger, person, time, a contact field,
    skip, or attribute (named `attribute`: one name, or several as `cart_total/order_total`
    for a column that is each trigger's own)."""

    header: str
    role: str
    attribute: str = ""

    def attribute_for(self, defs: dict[str, Any]) -> str | None:
        """Which of the column's attribute names `defs` (a trigger's) has, if any."""
        return next((name for name in self.attribute.split(ALTERNATIVE) if name in defs), None)


@dataclass(frozen=True)
class _Event:
    trigger: str
    person: str
    at: datetime
    attributes: dict[str, Any]
    contact: dict[str, str]
    record: Any = None  # a record trigger's source: the row is a change to its record


@dataclass
class Replay:
    scenario: Scenario
    problems: list[RowProblem] = field(default_factory=list)
    events: int = 0
    word: str = "column"  # JSON lines have fields

    def report(self, source: str) -> list[str]:
        return report_lines(source, self.problems, self.word)


def report_lines(source: str, problems: list[RowProblem], word: str = "column") -> list[str]:
    """`FILE:ROW: column X: why`, one line per refused row."""
    return [f"{source}:{p.row}: " + (f"{word} {p.column}: " if p.column else "") + p.reason
            for p in problems]


def load_replay(path: str | Path, bundle: Bundle, mapping: dict[str, str] | None = None,
                end: str = DEFAULT_END) -> Replay:
    """The file's good rows as a scenario, and its refused ones; a ReplayError when the
    file as a whole cannot be read or no row is usable."""
    source, mapping = str(path), mapping or {}
    try:
        after = parse_duration(end)
    except ValueError as exc:
        raise ReplayError(f"--end {end}: {exc}", source=source) from None
    if after.total_seconds() <= 0:
        raise ReplayError(f"--end {end}: must be longer than nothing (P5D, PT12H)",
                          source=source)
    problem = mapping_problem(mapping)
    if problem:
        raise ReplayError(f"--map {problem}", source=source)
    data = Path(path).read_bytes()
    with fewer_collections():
        return _replay(path, data, bundle, mapping, source, end, after)


def _replay(path: str | Path, data: bytes, bundle: Bundle, mapping: dict[str, str],
            source: str, end: str, after: timedelta) -> Replay:
    reader = _Reader(Catalog.from_bundle(bundle))
    is_json = _is_json_lines(path, data)
    rows = _json_rows(data, mapping, source) if is_json else _csv_rows(data, mapping, source)
    events = [event for event in (reader.event(*row) for row in rows) if event is not None]
    word = "field" if is_json else "column"
    if not events:
        report = report_lines(source, reader.problems, word)
        raise ReplayError(f"no usable row ({len(report)} refused)", source=source,
                          report=report)
    if after > LATEST - max(event.at for event in events):  # each row's time is before it
        raise ReplayError(f"--end {end}: the simulation would end after {LATEST:%Y-%m-%d} "
                          "(UTC), the latest a simulated clock runs to", source=source)
    scenario = _scenario(events, after)
    return Replay(scenario, reader.problems, len(events), word)


def _is_json_lines(path: str | Path, data: bytes) -> bool:
    if Path(path).suffix.lower() in JSON_SUFFIXES:
        return True
    return Path(path).suffix.lower() != ".csv" and data.lstrip()[:1] == b"{"


# --- reading rows ------------------------------------------------------------------------

Row = tuple[int, dict[Column, Any] | None, str]  # row, its cells by column, or why not


def header_of(path: str | Path) -> list[str] | None:
    """A CSV replay file's column names, from its first line alone (quick for any size
    of file, for the studio to show and check while a person maps them); None for JSON
    lines, whose lines each name their own fields. CsvFileError when the file cannot be
    read as CSV (its encoding), ReplayError when it has no header."""
    with open(path, "rb") as file:
        data = file.read(HEADER_BYTES)
    if _is_json_lines(path, data):
        return None
    whole = len(data) < HEADER_BYTES
    # the encoding is told from whole lines (a UTF-8 character cut in two is not UTF-8);
    # the text is the start of the file, cut anywhere (UTF-16 too)
    encoding = detect_encoding(data if whole else data[:data.rfind(b"\n") + 1] or data)
    header = next(csv_rows(decode(data, encoding, str(path), final=whole)), None)
    if header is None or header.values is None:
        raise ReplayError("there is no header row naming the columns", source=str(path))
    return [name.strip() for name in header.values]


def columns_of(header: list[str], mapping: dict[str, str]) -> list[Column]:
    """What each column is, by its header or as `mapping` renames it."""
    return [_column(name, mapping) for name in header]


def role_problems(columns: list[Column]) -> list[tuple[str, list[str]]]:
    """(role, the columns that are it) for a role that must be one column and is none
    (trigger, person, time) or two (those and the contact's fields)."""
    problems = []
    for role in (*_NEEDED, *CONTACT_FIELDS):
        named = [c.header for c in columns if c.role == role]
        if len(named) > 1 or (not named and role in _NEEDED):
            problems.append((role, named))
    return problems


def _column(header: str, mapping: dict[str, str]) -> Column:
    name = mapping.get(header, header).strip()
    if ALTERNATIVE in name:  # checked by mapping_problem: attributes, none empty
        return Column(header, "attribute", ALTERNATIVE.join(_names(name)))
    role = ROLES.get(slug(name))
    return Column(header, role) if role else Column(header, "attribute", name)


def mapping_problem(mapping: dict[str, str]) -> str | None:
    """What is wrong with a mapping as a whole, said of its pair: a column mapped to
    several names (`total=cart_total/order_total`) that are not all attributes."""
    for header, name in mapping.items():
        names = _names(name)
        if len(names) < 2:
            continue
        role = next((ROLES[slug(part)] for part in names if slug(part) in ROLES), None)
        if role is not None or not all(names):
            what = "skip" if role == "skip" else f"the {role}" if role else "an empty name"
            return (f"{header}={name}: a column can be one of several attributes "
                    f"({header}=cart_total/order_total: the one each row's trigger has), "
                    f"not {what}")
    return None


def _names(name: str) -> list[str]:
    """`cart_total / order_total` as its names."""
    return [part.strip() for part in name.split(ALTERNATIVE)]


def _csv_rows(data: bytes, mapping: dict[str, str], source: str) -> Iterator[Row]:
    found = csv_rows(decode(data, "auto", source))
    header = next(found, None)
    if header is None or header.values is None:
        raise ReplayError("there is no header row naming the columns", source=source)
    names = [h.strip() for h in header.values]
    check_header(names, mapping, source)
    columns = columns_of(names, mapping)
    _check_roles(columns, source)
    for row in found:
        if row.values is None:
            yield row.row, None, row.problem
        else:
            # An empty trigger, person or time is the row's fault; other empty cells are
            # attributes the row's trigger does not have (a file of several triggers).
            yield row.row, {c: v for c, v in zip(columns, row.values, strict=True)
                            if c.role in _NEEDED or (v.strip() and c.role != "skip")}, ""


def _check_roles(columns: list[Column], source: str) -> None:
    problems = role_problems(columns)
    if not problems:
        return
    role, named = problems[0]
    if named:
        raise ReplayError(f"columns {named[0]!r} and {named[1]!r} are both the {role}: "
                          "skip one with --map COLUMN=skip", source=source)
    headers = some_of([c.header for c in columns])
    raise ReplayError(f"no column holds the {role}: name it with --map COLUMN={role} "
                      f"(the columns: {headers})", source=source)


def _json_rows(data: bytes, mapping: dict[str, str], source: str) -> Iterator[Row]:
    text = decode(data, "auto", source)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield number, None, f"not JSON ({getattr(exc, 'msg', exc)})"
            continue
        except RecursionError:
            yield number, None, f"not JSON Waymark can read: {TOO_DEEP_TO_READ}"
            continue
        if not isinstance(value, dict):
            yield number, None, "not a JSON object"
            continue
        yield number, _json_cells(value, mapping), ""


def _json_cells(value: dict[str, Any], mapping: dict[str, str]) -> dict[Column, Any]:
    nested = value.get("attributes")
    cells = {_column(key, mapping): v for key, v in value.items()
             if key != "attributes" and v is not None}
    if isinstance(nested, dict):
        cells.update({Column(f"attributes.{k}", "attribute",
                             ALTERNATIVE.join(_names(mapping.get(k, k)))): v
                      for k, v in nested.items() if v is not None})
    elif nested is not None:
        cells[Column("attributes", "attribute", "attributes")] = nested
    return {c: v for c, v in cells.items() if c.role != "skip"}


# --- rows as events ----------------------------------------------------------------------


class _RowRefused(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


class _Reader:
    """Turns rows into events, keeping a RowProblem for each one refused."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.problems: list[RowProblem] = []

    def event(self, row: int, cells: dict[Column, Any] | None, problem: str) -> _Event | None:
        if cells is None:
            self.problems.append(RowProblem(row, None, problem))
            return None
        try:
            return self._event(cells)
        except _RowRefused as refused:
            self.problems.append(RowProblem(row, refused.column, refused.reason))
            return None

    def _event(self, cells: dict[Column, Any]) -> _Event:
        by_role = {c.role: (c, v) for c, v in cells.items() if c.role != "attribute"}
        trigger = self._trigger(by_role)
        person = _text(by_role, "person", "every event needs a person")
        at = _time(by_role)
        attributes = self._attributes(trigger, cells)
        contact = {role: _contact_field(role, *by_role[role]) for role in CONTACT_FIELDS
                   if role in by_role}
        _check_contact(person, contact, by_role)
        return _Event(trigger.name, person, at, attributes, contact, record_source(trigger))

    def _trigger(self, by_role: dict[str, tuple[Column, Any]]) -> TriggerDefinition:
        name = _text(by_role, "trigger", "every event names its trigger")
        found = self.catalog.triggers.get(name)
        if found is None:
            raise _RowRefused(by_role["trigger"][0].header, f"no trigger {name!r} in the bundle"
                              f"{did_you_mean(name, list(self.catalog.triggers))}")
        return found

    def _attributes(self, trigger: TriggerDefinition, cells: dict[Column, Any]
                    ) -> dict[str, Any]:
        if record_source(trigger) is not None:
            return self._columns(trigger, cells)
        defs = {a.name: a for a in trigger.attributes}
        values, headers = {}, {}
        for column, value in cells.items():
            if column.role != "attribute":
                continue
            name = column.attribute_for(defs)
            if name is None:
                raise _RowRefused(column.header, self._unknown(column, trigger, defs))
            values[name] = _typed(column, value, defs[name].type)
            headers[name] = column.header
        try:
            return check_attributes(trigger.attributes, values, self.catalog, "attributes", 0)
        except PayloadError as error:
            name = (error.field or "").split(".")[1] if "." in (error.field or "") else ""
            reason = error.message.split(": ", 1)[-1]
            if reason == "required":
                reason = f"required by trigger {trigger.name}, and the row has none"
            raise _RowRefused(headers.get(name, name) or None, reason) from None


    def _columns(self, trigger: TriggerDefinition, cells: dict[Column, Any]
                 ) -> dict[str, Any]:
        """A record trigger's row is a change to the record about the person (a case
        resolved): its attribute columns are the record's columns (`status`)."""
        defs = {a.name: a for a in drawn_attributes(self.catalog, trigger)}
        values = {}
        for column, value in cells.items():
            if column.role != "attribute":
                continue
            name = column.attribute_for(defs)
            if name is None:
                known = ", ".join(defs) or "none"
                raise _RowRefused(column.header, f"a {trigger.record.table} record has no "
                                  f"column {_named(column)}"
                                  f"{did_you_mean(column.attribute, list(defs))} (its "
                                  f"columns: {known})")
            values[name] = _typed(column, value, defs[name].type)
        return values

    def _unknown(self, column: Column, trigger: TriggerDefinition, defs: dict[str, Any]
                 ) -> str:
        """Why the column is no attribute of the row's trigger; when it is another
        trigger's (a shop's `total`, mapped to cart_total, on a purchase row) and close to
        one of this one's, how to map it to both."""
        known = ", ".join(defs) or "none"
        close = closest(column.attribute, list(defs))
        elsewhere = any(column.attribute_for({a.name: a for a in other.attributes})
                        for other in self.catalog.triggers.values() if other is not trigger)
        hint = (f" (if it is {close} on {trigger.name} rows, map "
                f"{column.header}={column.attribute}{ALTERNATIVE}{close})"
                if close and elsewhere else did_you_mean(column.attribute, list(defs)))
        return (f"trigger {trigger.name} has no attribute {_named(column)}{hint} (its "
                f"attributes: {known})")


def _named(column: Column) -> str:
    """'cart_total', or 'cart_total' or 'order_total'."""
    return " or ".join(repr(name) for name in column.attribute.split(ALTERNATIVE))


def _typed(column: Column, value: Any, kind: AttributeType) -> Any:
    """Text (a CSV cell, or a JSON string such as "80") read as the attribute's type;
    other JSON values are checked as they are."""
    if not isinstance(value, str) or kind == AttributeType.ENTITY:
        return value
    try:
        return typed(value, kind)
    except ValueError as exc:
        raise _RowRefused(column.header, str(exc)) from None


def _text(by_role: dict[str, tuple[Column, Any]], role: str, why: str) -> str:
    if role not in by_role:
        raise _RowRefused(role, f"empty: {why}")
    column, value = by_role[role]
    if not isinstance(value, str):
        raise _RowRefused(column.header, f"expected text, got {value!r}")
    if not value.strip():
        raise _RowRefused(column.header, f"empty: {why}")
    if len(value.strip()) > 128:
        raise _RowRefused(column.header, "at most 128 characters")
    return value.strip()


def _time(by_role: dict[str, tuple[Column, Any]]) -> datetime:
    text = _text(by_role, "time", "every event needs a time")
    header = by_role["time"][0].header
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _RowRefused(header, f"{text[:40]!r} is not an ISO 8601 date-time such as "
                                  "2026-11-23T09:30:00Z") from None
    if parsed.tzinfo is None:
        raise _RowRefused(header, f"{text!r} has no time zone; add Z or an offset such as "
                                  "+01:00")
    if not EARLIEST <= parsed <= LATEST:
        raise _RowRefused(header, f"{text[:40]!r} is not between {EARLIEST:%Y-%m-%d} and "
                                  f"{LATEST:%Y-%m-%d} (UTC), where a simulated clock runs")
    return parsed


def _check_contact(person: str, fields: dict[str, str],
                   by_role: dict[str, tuple[Column, Any]]) -> None:
    """The contact the row makes, checked as any contact is (a time zone's name...)."""
    try:
        Contact.model_validate({"id": person, **fields})
    except ValidationError as error:
        first = error.errors()[0]
        role = str(first["loc"][0]) if first["loc"] else "person"
        role = "person" if role == "id" else role
        header = by_role[role][0].header if role in by_role else role
        raise _RowRefused(header, first["msg"].removeprefix("Value error, ")) from None


def _contact_field(role: str, column: Column, value: Any) -> str:
    text = str(value).strip()
    if role == "email" and not valid_email(text):  # the value said, as a time's is
        raise _RowRefused(column.header, f"{text[:60]!r} is not an email address")
    if role == "phone" and normalise_phone(text) is None:
        raise _RowRefused(column.header, f"{text[:60]!r} is not a phone number")
    return text


# --- the scenario ------------------------------------------------------------------------


def _scenario(events: list[_Event], after: Any) -> Scenario:
    events.sort(key=lambda e: e.at)  # stable: a person's rows keep the file's order
    start, last = events[0].at, events[-1].at
    return Scenario.model_validate({
        "start": start, "end": (last + after).isoformat(), "contacts": _contacts(events),
        "events": [item for e in events for item in _items(e)]})


def _items(event: _Event) -> list[dict[str, Any]]:
    """A row as scenario items: a trigger event, or for a record trigger the change to
    the record about the person that fires it (made first when the trigger watches
    updates, as for a generated audience)."""
    if event.record is not None:
        return record_items(event.record, event.person, event.at.isoformat(),
                             event.attributes)
    return [{"kind": "trigger", "at": event.at.isoformat(), "trigger": event.trigger,
             "person": event.person, "attributes": event.attributes}]


def _contacts(events: list[_Event]) -> list[dict[str, Any]]:
    """One contact per person: the person as email when it is one, then what the rows'
    own contact columns say (a later row's value over an earlier one's)."""
    contacts: dict[str, dict[str, Any]] = {}
    for event in events:
        contact = contacts.setdefault(event.person, {"id": event.person})
        if "email" not in contact and valid_email(event.person):
            contact["email"] = event.person
        contact.update(event.contact)
    return list(contacts.values())


__all__ = ["CsvFileError", "Replay", "ReplayError", "load_replay"]
