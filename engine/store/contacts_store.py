"""Contacts, leads and consent."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from engine.model import Contact

from . import schema as s
from .prepared import Prepared, padded_in
from .upsert import upsert, upsert_many

_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
)
_CHANNEL_FIELD = {"email": "email", "sms": "phone", "push": "push_token"}


def normalise_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """Date-times become canonical UTC text, so SQL can compare them as strings."""
    return {key: _normalise(value) for key, value in attributes.items()}


def _normalise(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return normalise_attributes(value)
    return value


def save_contact(conn: Connection, contact: Contact, now: float | None = None) -> None:
    now = now or time.time()
    upsert(conn, s.contacts, {"id": contact.id}, {
        "kind": contact.kind, "email": contact.email, "phone": contact.phone,
        "push_token": contact.push_token, "timezone": contact.timezone,
        "attributes": normalise_attributes(contact.attributes), "updated_at": now,
        "test": contact.test,
    }, insert_only={"created_at": now})
    for consent in contact.consents:
        point = consent.contact_point or getattr(contact, _CHANNEL_FIELD[consent.channel])
        if point:
            upsert(conn, s.consents, {"contact_point": point, "channel": consent.channel,
                                      "purpose": consent.purpose, "topic": consent.topic},
                   {"status": consent.status, "updated_at": now})


def _row_to_contact(row: Any) -> Contact:
    # Checked on the way in; a row saved before a check existed still loads. `consents`
    # given: pydantic 2.13 makes a default_factory cost an inspect.signature (84 µs here
    # against 4 µs), for every contact the runtime or an import loads.
    return Contact.model_construct(id=row.id, kind=row.kind, email=row.email, phone=row.phone,
                                   push_token=row.push_token, timezone=row.timezone,
                                   attributes=dict(row.attributes or {}), consents=[],
                                   test=bool(row.test))


_BY_ID = Prepared(select(s.contacts).where(s.contacts.c.id == bindparam("contact_id")))
# IN lists of two fixed sizes, so each is prepared once (see `padded_in`).
_IN_SIZES = (8, 64)
_BY_IDS = {size: Prepared(select(s.contacts).where(
    s.contacts.c.id.in_([bindparam(f"id{i}") for i in range(size)]))) for size in _IN_SIZES}
_CONSENTS = Prepared(
    select(s.consents.c.purpose, s.consents.c.topic, s.consents.c.status).where(
        s.consents.c.contact_point == bindparam("point"),
        s.consents.c.channel == bindparam("channel")))


def load_contact(conn: Connection, contact_id: str) -> Contact | None:
    row = _BY_ID.first(conn, {"contact_id": contact_id})
    return _row_to_contact(row) if row else None


_COMPARED = ("kind", "email", "phone", "push_token", "timezone", "test", "attributes")
_FIELDS = Prepared(select(*(s.contacts.c[name] for name in _COMPARED))
                   .where(s.contacts.c.id == bindparam("contact_id")))


def stored_fields(conn: Connection, contact_id: str) -> Any:
    """A stored contact's fields (`.email`, `.phone`, `.attributes`...), None when there
    is none. Plain columns, no model: a contact whose fields no longer load (old data, or
    written by another program) can still be replaced by a good one."""
    return _FIELDS.first(conn, {"contact_id": contact_id})


def same_contact(before: Any, contact: Contact) -> bool:
    """Whether saving `contact` over `before` (stored fields, or a contact) changes
    nothing: the same kind, contact points, time zone, test flag and attributes (compared
    as stored: date-times in UTC, numbers as JSON has them, 1 not true)."""
    return (all(getattr(before, name) == getattr(contact, name) for name in _COMPARED[:5])
            and bool(before.test) == contact.test
            and _as_stored(dict(before.attributes or {})) == _as_stored(contact.attributes))


def _as_stored(attributes: dict[str, Any]) -> str:
    # Keys sorted: the order attributes were sent in changes nothing.
    return json.dumps(normalise_attributes(attributes), sort_keys=True, default=str)


def consents_change(conn: Connection, contact: Contact) -> bool:
    """Whether saving `contact`'s consents would change one stored for its addresses."""
    for consent in contact.consents:
        point = consent.contact_point or getattr(contact, _CHANNEL_FIELD[consent.channel])
        stored = consents_for(conn, point, consent.channel) if point else {}
        if point and stored.get((str(consent.purpose), consent.topic)) != consent.status:
            return True
    return False


def load_contacts(conn: Connection, contact_ids: list[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for size, params in padded_in(contact_ids, _IN_SIZES, "id"):
        for row in _BY_IDS[size].rows(conn, params):
            found[row.id] = _row_to_contact(row)
    return found


def consents_for(conn: Connection, contact_point: str, channel: str) -> dict[tuple[str, str], str]:
    """(purpose, topic) -> opted_in | opted_out, for one contact point on one channel."""
    rows = _CONSENTS.rows(conn, {"point": contact_point, "channel": str(channel)})
    return {(r.purpose, r.topic): r.status for r in rows}


def set_consent(conn: Connection, contact_point: str, channel: str, purpose: str, topic: str,
                status: str) -> None:
    upsert(conn, s.consents, {"contact_point": contact_point, "channel": channel,
                              "purpose": purpose, "topic": topic},
           {"status": status, "updated_at": time.time()})


_SAVED_COLUMNS = ("kind", "email", "phone", "push_token", "timezone", "attributes", "updated_at")


def save_contacts(conn: Connection, contacts: list[Contact], now: float) -> None:
    """Many contacts in one executemany (an import), each as `save_contact` saves it but
    without consents; columns they do not set (a test flag...) keep their values."""
    upsert_many(conn, s.contacts, ("id",), _SAVED_COLUMNS, [{
        "id": c.id, "kind": c.kind, "email": c.email, "phone": c.phone,
        "push_token": c.push_token, "timezone": c.timezone,
        "attributes": normalise_attributes(c.attributes), "updated_at": now, "created_at": now,
    } for c in contacts])


def delete_contact(conn: Connection, contact_id: str) -> None:
    """The contact and their static segment memberships (consents belong to addresses)."""
    conn.execute(delete(s.segment_members).where(s.segment_members.c.contact_id == contact_id))
    conn.execute(delete(s.contacts).where(s.contacts.c.id == contact_id))


def replace_consents(conn: Connection, contact: Contact) -> bool:
    """The contact's consents exactly as listed, for each of its contact points (an editor
    saved them): rows of those points not listed go, changed ones are written (with the
    time of the change), unchanged ones keep when they were given. True when one went or
    changed."""
    wanted = {(c.contact_point or getattr(contact, _CHANNEL_FIELD[c.channel]), str(c.channel),
               str(c.purpose), c.topic): c.status for c in contact.consents}
    stored = {}
    for channel, field in _CHANNEL_FIELD.items():
        point = getattr(contact, field)
        if point:
            stored.update({(point, channel, purpose, topic): status for (purpose, topic), status
                           in consents_for(conn, point, channel).items()})
    gone = stored.keys() - wanted.keys()
    for point, channel, purpose, topic in gone:
        c = s.consents.c
        conn.execute(delete(s.consents).where(c.contact_point == point, c.channel == channel,
                                              c.purpose == purpose, c.topic == topic))
    changed = [key for key, status in wanted.items() if key[0] and stored.get(key) != status]
    for key in changed:
        set_consent(conn, *key, wanted[key])
    return bool(gone or changed)
