"""Checks one trigger event's JSON against the trigger's typed attributes.

Every refusal names the field and, for a wrong type, the type expected:
`attributes.cart_total: expected a number, got text`. Numbers and text are also held to
what can be stored (`engine.model.json_values`): numbers within ±2^53, valid Unicode.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.model import AttributeDef, AttributeType, Catalog, RecordTable, TriggerDefinition
from engine.model.catalog import MAX_ENTITY_DEPTH
from engine.model.json_values import (
    BLANK,
    ValueProblem,
    check_column_text,
    check_number,
    check_text,
    is_number,
    person_id_problem,
)
from engine.runtime.events import trigger_event
from engine.store.events_store import NewEvent

TOP_LEVEL = ("authId", "contactpoint_email", "contactpoint_phone", "bindingId", "messageId",
             "timestamp", "attributes")
# Spelled out rather than \w and \s, which mean other things in JavaScript's regular
# expressions, where resources/openapi.json's copy of this pattern is read.
BINDING = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}/[^/\x00-\x20\x7F]{1,128}")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d:\d\d)")
EXPECTED = {
    AttributeType.TEXT: "text", AttributeType.NUMBER: "a number",
    AttributeType.BOOLEAN: "true or false", AttributeType.DATETIME: "an ISO 8601 date-time",
}
STORABLE = {AttributeType.NUMBER: check_number, AttributeType.TEXT: check_text}


class PayloadError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    return "a list" if isinstance(value, list) else "an object"


def _text(body: dict[str, Any], name: str, limit: int, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise PayloadError(f"{name}: required", name)
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{name}: expected text, got {_kind(value)}", name)
    if not value.strip(BLANK):
        raise PayloadError(f"{name}: must not be empty", name)
    if len(value) > limit:
        raise PayloadError(f"{name}: at most {limit} characters", name)
    _storable(check_column_text, value, name)
    return value


def _person(body: dict[str, Any]) -> str:
    """The event's authId: a person's id, as a contact's (`Contact`)."""
    value = _text(body, "authId", 128, required=True)
    if (problem := person_id_problem(value)) is not None:
        raise PayloadError(f"authId: {problem}", "authId")
    return value


def _storable(check: Callable[[Any, str], None], value: Any, path: str) -> None:
    """`check_text` or `check_number`, refusing as the rest of the payload does."""
    try:
        check(value, path)
    except ValueProblem as problem:
        raise PayloadError(str(problem), problem.path) from None


def parse_event(trigger: TriggerDefinition, catalog: Catalog, body: Any) -> NewEvent:
    if not isinstance(body, dict):
        raise PayloadError(f"the body must be a JSON object, got {_kind(body)}")
    for name in body:
        if name not in TOP_LEVEL:
            raise PayloadError(f"{name}: unknown field (attributes go in 'attributes')", name)
    binding = _text(body, "bindingId", 200)
    if binding is not None and not BINDING.fullmatch(binding):
        raise PayloadError("bindingId: expected Entity/id, such as Appointment/123", "bindingId")
    attributes = body.get("attributes", {})
    if not isinstance(attributes, dict):
        raise PayloadError(f"attributes: expected an object, got {_kind(attributes)}",
                           "attributes")
    checked = check_attributes(trigger.attributes, attributes, catalog, "attributes", 0)
    return trigger_event(
        trigger.name, _person(body), checked,
        contactpoint_email=_text(body, "contactpoint_email", 320),
        contactpoint_phone=_text(body, "contactpoint_phone", 32), binding_id=binding,
        message_id=_text(body, "messageId", 200), timestamp=_timestamp(body))


def _timestamp(body: dict[str, Any]) -> datetime | None:
    value = _text(body, "timestamp", 40)
    if value is None:
        return None
    if not RFC3339.fullmatch(value):
        raise PayloadError("timestamp: expected an RFC 3339 date-time with a time zone, "
                           "such as 2026-05-01T09:30:00Z or 2026-05-01T11:30:00+02:00",
                           "timestamp")
    # fromisoformat wants upper case and no leap second; a leap second is its :59.
    text = value.upper().replace("Z", "+00:00")
    text = text[:17] + "59" + text[19:] if text[17:19] == "60" else text
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"timestamp: {value!r} is not a date and time", "timestamp") from None


def check_attributes(defs: list[AttributeDef], values: dict[str, Any], catalog: Catalog,
                     path: str, depth: int) -> dict[str, Any]:
    by_name = {a.name: a for a in defs}
    for name in values:
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise PayloadError(f"{path}.{name}: unknown attribute (known: {known})",
                               f"{path}.{name}")
    for attr in defs:
        if attr.required and values.get(attr.name) is None:
            raise PayloadError(f"{path}.{attr.name}: required", f"{path}.{attr.name}")
    return {name: _check_value(by_name[name], value, catalog, f"{path}.{name}", depth)
            for name, value in values.items()}


def check_columns(table: RecordTable, values: dict[str, Any], catalog: Catalog) -> None:
    """A record's columns as sent, each against its column's type (`satisfaction`: a
    number). None is required, as an update sends some; a column the table lacks is left
    to the change, which names it."""
    for name, value in values.items():
        column = table.column(name)
        if column is not None:
            _check_value(column, value, catalog, name, 1)


def _check_value(attr: AttributeDef, value: Any, catalog: Catalog, path: str, depth: int
                 ) -> Any:
    if value is None:
        return None
    if attr.type == AttributeType.ENTITY:
        return _check_entity(attr, value, catalog, path, depth)
    ok = {
        AttributeType.TEXT: isinstance(value, str),
        AttributeType.NUMBER: is_number(value),
        AttributeType.BOOLEAN: isinstance(value, bool),
        AttributeType.DATETIME: isinstance(value, str) and _is_datetime(value),
    }[attr.type]
    if not ok:
        raise PayloadError(f"{path}: expected {EXPECTED[attr.type]}, got {_kind(value)}", path)
    if attr.type in STORABLE:
        _storable(STORABLE[attr.type], value, path)
    return value


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_entity(attr: AttributeDef, value: Any, catalog: Catalog, path: str, depth: int
                  ) -> Any:
    table = catalog.record_tables.get(attr.entity or "")
    if table is None:
        raise PayloadError(f"{path}: refers to an unknown record table {attr.entity!r}", path)
    if not isinstance(value, dict):
        raise PayloadError(f"{path}: expected an object with the columns of {table.name!r}, "
                           f"got {_kind(value)}", path)
    if depth >= MAX_ENTITY_DEPTH:
        raise PayloadError(f"{path}: records nest at most {MAX_ENTITY_DEPTH} levels", path)
    columns = {k: v for k, v in value.items() if k != "id"}
    checked = check_attributes(table.columns, columns, catalog, path, depth + 1)
    if "id" not in value:
        return checked
    return {"id": record_id(value["id"], f"{path}.id"), **checked}


def record_id(value: Any, path: str) -> str | int:
    """A record's id: non-empty text of at most 128 characters, or an integer."""
    if isinstance(value, str) and value.strip(BLANK) and len(value) <= 128:
        _storable(check_column_text, value, path)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        _storable(check_number, value, path)
        return value
    raise PayloadError(f"{path}: expected text (1 to 128 characters) or an integer, "
                       f"got {_kind(value)}", path)
