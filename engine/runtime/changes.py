"""Record and contact changes, and the triggers they fire.

A record change fires every record trigger on that table whose action matches and
(for updates) one of whose columns changed; the whole record travels with the event,
under the table's name (`case.status`). Contact changes fire the business triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from engine.model import CONTACT_MADE, Contact, RecordAction, TriggerKind, TriggerState
from engine.model.json_values import person_id_problem
from engine.store import catalog_store, contacts_store, records_store
from engine.store.events_store import NewEvent


class RecordError(ValueError):
    """A record change that cannot be applied, naming the field.

    `kind` is unknown_table, unknown_column, exists or missing.
    """

    def __init__(self, message: str, field: str | None = None, kind: str = "invalid") -> None:
        super().__init__(message)
        self.field, self.kind = field, kind


@dataclass
class RecordChange:
    table: str
    record_id: str
    action: str  # created | updated
    record: dict[str, Any]
    changed: list[str]
    person_id: str | None


def change_record(conn: Connection, table_name: str, record_id: str, values: dict[str, Any],
                  now: float, *, create: bool | None = None) -> tuple[RecordChange, list[NewEvent]]:
    """Create or update a record (merging `values`) and return the events it fires."""
    table = catalog_store.load_catalog(conn).record_tables.get(table_name)
    if table is None:
        raise RecordError(f"no record table {table_name!r}", "table", "unknown_table")
    unknown = sorted(set(values) - {c.name for c in table.columns} - {"id"})
    if unknown:
        raise RecordError(f"table {table_name!r} has no column {unknown[0]!r}", unknown[0],
                          "unknown_column")
    _check_people(table, values)
    before = records_store.load_record(conn, table_name, record_id)
    if create is True and before is not None:
        raise RecordError(f"{table_name} {record_id!r} already exists", "id", "exists")
    if create is False and before is None:
        raise RecordError(f"no {table_name} {record_id!r}", "id", "missing")
    existed = before is not None  # a record made with its id alone is stored as {}
    record = {**(before or {}), **{k: v for k, v in values.items() if k != "id"}}
    person = _person(table, record)
    records_store.write_record(conn, table_name, record_id, record, person, now,
                               existed=existed)
    changed = sorted(k for k in record if not existed or before.get(k) != record[k])
    change = RecordChange(table_name, record_id, "updated" if existed else "created",
                          {"id": record_id, **record}, changed, person)
    return change, _record_events(conn, change)


def _check_people(table: Any, values: dict[str, Any]) -> None:
    """A person column's value becomes the id of the person its events are about: it must
    be one, as an event's authId (PostgreSQL refused one over 128 characters or with a NUL
    with the engine's internal error; SQLite kept "ann\nbob" as a person)."""
    for column in table.person_columns:
        value = values.get(column)
        if not value:
            continue
        if (why := person_id_problem(str(value))) is not None:
            raise RecordError(f"{column}: the person's id {why}", column, "invalid_record")


def _person(table: Any, record: dict[str, Any]) -> str | None:
    for column in table.person_columns:
        if record.get(column):
            return str(record[column])
    return None


def _record_events(conn: Connection, change: RecordChange) -> list[NewEvent]:
    events = []
    for trigger in catalog_store.load_triggers(conn):
        source = trigger.record
        if trigger.kind != TriggerKind.RECORD or source is None or source.table != change.table:
            continue
        if trigger.state == TriggerState.STOPPED:  # stopped: changes no longer raise it
            continue
        if source.action not in (RecordAction.EITHER, change.action):
            continue
        if change.action == "updated" and source.columns and not set(source.columns) & set(
                change.changed):
            continue
        person = change.record.get(source.person_column) or change.person_id
        events.append(NewEvent(
            trigger=trigger.name, contact_id=str(person) if person else None,
            binding_id=f"{change.table}/{change.record_id}",
            data={change.table: change.record, "changed": change.changed,
                  "action": change.action}))
    return events


def change_contact(conn: Connection, contact: Contact, now: float) -> list[NewEvent]:
    """Save a contact and return the business events the change fires: none when it
    changes nothing (its fields, attributes and listed consents as stored)."""
    before = contacts_store.stored_fields(conn, contact.id)
    consents = before is not None and contacts_store.consents_change(conn, contact)
    contacts_store.save_contact(conn, contact, now)
    return contact_events(before, contact, consents)


def contact_events(before: Any, contact: Contact, consents: bool = False) -> list[NewEvent]:
    """The business events of saving `contact` over `before` (stored fields or a contact;
    None when the contact is new): created, or updated and what changed, or nothing when
    nothing did (`consents`: its consents changed)."""
    if before is None:
        name = "lead_created" if contact.kind == "lead" else "contact_created"
        return [NewEvent(name, contact.id, {"contact_id": contact.id})]
    if not consents and contacts_store.same_contact(before, contact):
        return []  # sent again as it was (an integration saving on every sign-in)
    events = [updated_event(contact.id)]
    for field, trigger in (("email", "contact_email_updated"), ("phone", "contact_phone_updated")):
        if getattr(before, field) != getattr(contact, field):
            events.append(NewEvent(trigger, contact.id, {"contact_id": contact.id,
                                                         "previous": getattr(before, field)}))
    return events


def made_contact(events: list[NewEvent]) -> bool:
    """Whether saving a contact made it (its events begin with contact or lead created)."""
    return bool(events) and events[0].trigger in CONTACT_MADE


def updated_event(contact_id: str) -> NewEvent:
    """Contact updated: a contact's details, consents or segment memberships changed."""
    return NewEvent("contact_updated", contact_id, {"contact_id": contact_id})
