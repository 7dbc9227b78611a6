"""The event a snippet sends, as a language-neutral tree the templates walk.

Each `Field` is one key of the JSON body with a placeholder typed by the attribute
(text, number, true/false, "now", a nested record) and a note saying what it is and
whether it is required. The templates only decide how each kind is spelled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.model import (
    AttributeDef,
    AttributeType,
    Catalog,
    RecordAction,
    RecordTable,
    TriggerDefinition,
)
from engine.model.catalog import MAX_ENTITY_DEPTH


class SnippetError(ValueError):
    """A snippet cannot be made: a trigger Waymark raises itself, an unknown language..."""


# How each kind of value is spelled is up to the template.
TEXT, NUMBER, BOOLEAN, NOW, NULL, UUID, OBJECT = (
    "text", "number", "boolean", "now", "null", "uuid", "object")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    value: Any = None
    note: str = ""                  # a short comment beside the field
    children: tuple[Field, ...] = ()
    about: str = ""                 # a longer one above it (an attribute's description)


SPECIAL_NOTES = {
    "authId": "the contact or lead this event is about (required)",
    "contactpoint_email": "optional: used when authId is not a known contact",
    "contactpoint_phone": "optional: used when authId is not a known contact",
    "bindingId": "optional: Entity/id, such as Appointment/123",
}
MESSAGE_ID_NOTE = "fresh per event; a retry reusing it is applied once"
AUTH_ID_PLACEHOLDER = "CONTACT_OR_LEAD_ID"


def event_fields(trigger: TriggerDefinition, catalog: Catalog,
                 values: Mapping[str, Any] | None = None) -> tuple[Field, ...]:
    """The body of one event of `trigger`: the special fields, a messageId, the attributes.

    `values` replaces placeholders by attribute name (authId and the other special
    fields too), for a snippet that is ready to run as it is.
    """
    values = dict(values or {})
    known = {*SPECIAL_NOTES, *(a.name for a in trigger.attributes)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise SnippetError(f"{trigger.name!r} has no attribute {unknown[0]!r}")
    specials = [_special(name, values) for name in SPECIAL_NOTES]
    attributes = Field("attributes", OBJECT, note="the trigger's own attributes",
                       children=_fields(trigger.attributes, catalog, values, 0))
    return (specials[0], Field("messageId", UUID, note=MESSAGE_ID_NOTE), *specials[1:],
            attributes)


def record_fields(trigger: TriggerDefinition, catalog: Catalog,
                  values: Mapping[str, Any] | None = None) -> tuple[Field, ...]:
    """The record a record trigger's snippet sends: its id, then every column of its
    table (the person column saying whose record it is, the watched ones that they fire
    the trigger). The snippet sends them all, as the record is now: an update fires only
    when a watched column changed, so sending the same record again fires nothing.
    `values` replaces placeholders by column name ("id" too)."""
    source = trigger.record
    table = catalog.record_tables.get(source.table) if source else None
    if source is None or table is None:
        raise SnippetError(f"{trigger.name!r} watches an unknown record table "
                           f"{source.table if source else None!r}")
    values = dict(values or {})
    unknown = sorted(set(values) - {"id", *(c.name for c in table.columns)})
    if unknown:
        raise SnippetError(f"table {table.name!r} has no column {unknown[0]!r}")
    if "id" in values and (isinstance(values["id"], bool)
                           or not isinstance(values["id"], str | int)):
        raise SnippetError("id: a record's id is text or a whole number")
    noun = table_noun(table)
    id_note = f"the {noun}'s id in your system (required)"
    record_id = (literal_field("id", values.pop("id"), id_note) if "id" in values
                 else Field("id", TEXT, f"{table.name.upper()}_ID", id_note))
    watched = set(source.columns) if source.action != RecordAction.CREATED else set()
    notes = {source.person_column: f"whose {noun} it is: the contact or lead the journey "
                                   "is for"}
    notes.update({name: "the trigger fires when it changes" for name in watched})
    columns = tuple(_noted(f, notes.get(f.name, ""))
                    for f in _fields(table.columns, catalog, values, 1))
    return (record_id, *columns)


# Sent at the top of the contact, not among its attributes; Waymark keeps `created_at`.
CONTACT_FIELDS = ("email", "phone", "push_token", "timezone")
_CONTACT_NOTES = {
    "email": "Email (text, optional)",
    "phone": "Mobile phone (text, optional): in international form, +31612345678",
    "push_token": "optional: the device's push token, from the app",
    "timezone": "optional: an IANA time zone such as Europe/Amsterdam; others are refused",
}


def contact_fields(catalog: Catalog, kind: str, watched: str | None,
                   values: Mapping[str, Any] | None = None, update: bool = False
                   ) -> tuple[Field, ...]:
    """The contact a contact trigger's snippet saves (PUT replaces it: every field is
    sent): its id, kind, contact points, time zone and attributes (the workspace's
    contact attributes: first name, last name...). `watched`: the field whose change
    fires the trigger; `update`: the trigger is on a contact Waymark has (its kind is
    sent as it is). `values` replaces placeholders by field or attribute name."""
    values = dict(values or {})
    attributes = [a for a in catalog.contact_attributes.values()
                  if a.name not in (*CONTACT_FIELDS, "created_at")]
    unknown = sorted(set(values) - {"id", *CONTACT_FIELDS, *(a.name for a in attributes)})
    if unknown:
        raise SnippetError(f"a contact has no field or attribute {unknown[0]!r}")
    id_note = f"the {kind}'s id in your system (required)"
    contact_id = (literal_field("id", values.pop("id"), id_note) if "id" in values
                  else Field("id", TEXT, f"{kind.upper()}_ID", id_note))
    top = []
    for name in CONTACT_FIELDS:
        note = _CONTACT_NOTES[name] + ("; the trigger fires when it changes"
                                       if name == watched else "")
        if name in values:
            top.append(literal_field(name, values.pop(name), note))
        else:  # null: a placeholder ("EMAIL") would be refused as no address
            top.append(Field(name, NULL, note=note))
    kind_note = ("\"contact\" or \"lead\", as they are: a lead sent as a contact becomes one"
                 if update else "a lead: someone who is not a customer yet" if kind == "lead"
                 else "a customer (\"lead\" for someone who is not one yet)")
    return (contact_id, Field("kind", TEXT, kind, kind_note), *top,
            Field("attributes", OBJECT, note="what you keep about them: send them all",
                  children=_fields(attributes, catalog, values, 1)))


def table_noun(table: RecordTable) -> str:
    """How the code names one of the table's records: "case", "support ticket"."""
    return (table.title or table.name).lower()


def _noted(field: Field, more: str) -> Field:
    return field if not more else replace(field, note=f"{field.note}; {more}")


def _special(name: str, values: dict[str, Any]) -> Field:
    note = SPECIAL_NOTES[name]
    if name in values:
        return literal_field(name, values[name], note)
    if name == "authId":
        return Field(name, TEXT, AUTH_ID_PLACEHOLDER, note)
    return Field(name, NULL, note=note)


def _fields(attrs: list[AttributeDef], catalog: Catalog, values: Mapping[str, Any],
            depth: int) -> tuple[Field, ...]:
    fields = []
    for attr in attrs:
        if attr.name in values:
            fields.append(literal_field(attr.name, values[attr.name], attribute_note(attr),
                                        attr.description))
        elif attr.type != AttributeType.ENTITY:
            fields.append(placeholder(attr))
        elif depth < MAX_ENTITY_DEPTH:  # deeper records are refused by the socket
            fields.append(_record(attr, catalog, depth))
    return tuple(fields)


def _record(attr: AttributeDef, catalog: Catalog, depth: int) -> Field:
    table = catalog.record_tables.get(attr.entity or "")
    if table is None:
        raise SnippetError(f"attribute {attr.name!r} refers to an unknown record table "
                           f"{attr.entity!r}")
    note = attribute_note(attr, f"{table.title or table.name} record")
    return Field(attr.name, OBJECT, note=note, about=attr.description,
                 children=_fields(table.columns, catalog, {}, depth + 1))


def placeholder(attr: AttributeDef) -> Field:
    kind = {AttributeType.NUMBER: NUMBER, AttributeType.BOOLEAN: BOOLEAN,
            AttributeType.DATETIME: NOW}.get(attr.type, TEXT)
    value = {NUMBER: 0, BOOLEAN: False, NOW: None, TEXT: attr.name.upper()}[kind]
    return Field(attr.name, kind, value, attribute_note(attr), about=attr.description)


def attribute_note(attr: AttributeDef, kind: str | None = None) -> str:
    label = attr.title or attr.name
    kind = kind or {"text": "text", "number": "number", "boolean": "true/false",
                    "datetime": "date-time"}.get(attr.type.value, attr.type.value)
    return f"{label} ({kind}, {'required' if attr.required else 'optional'})"


def literal_field(name: str, value: Any, note: str = "", about: str = "") -> Field:
    """A field holding a given value: text, a number, a bool, None, a datetime, a dict."""
    if value is None:
        return Field(name, NULL, note=note, about=about)
    if isinstance(value, bool):
        return Field(name, BOOLEAN, value, note, about=about)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise SnippetError(f"{name}: {value} is not a number JSON can carry")
        return Field(name, NUMBER, value, note, about=about)
    if isinstance(value, str | datetime):
        text = value.isoformat() if isinstance(value, datetime) else value
        return Field(name, TEXT, text, note, about=about)
    if isinstance(value, Mapping):
        children = tuple(literal_field(str(k), v) for k, v in value.items())
        return Field(name, OBJECT, note=note, children=children, about=about)
    raise SnippetError(f"{name}: a snippet cannot carry {type(value).__name__} values")


def expected_body(fields: tuple[Field, ...], now: str, message_id: str) -> dict[str, Any]:
    """The JSON a snippet of these fields sends, given its "now" and messageId."""
    body: dict[str, Any] = {}
    for field in fields:
        if field.kind == OBJECT:
            body[field.name] = expected_body(field.children, now, message_id)
        else:
            body[field.name] = {NOW: now, UUID: message_id, NULL: None}.get(field.kind,
                                                                             field.value)
    return body
