"""Contacts as people look after them one by one: what the studio's Contacts page and
`waymark contacts list | add | delete` call (the CSV import is `engine.contacts_import`).

A long list is read in two steps (see `engine.store.contacts_search`): the order of the
whole result once, then the rows of the part on screen. A contact saved here fires the
business triggers exactly as `PUT /v1/contacts` and `waymark contacts add` do, and its
consents are saved as listed (see `save_contact`). Deleting one ends their runs (see
`engine.runtime.contact_removal`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from engine.delivery.contact_points import CONTACT_FIELD, check_contact_points
from engine.model import ConsentRecord, Contact
from engine.runtime.changes import change_contact, made_contact, updated_event
from engine.runtime.contact_removal import delete_contact as _delete
from engine.store import contacts_store, events_store
from engine.store.contacts_search import ContactRow, Match, contact_ids, contact_rows
from engine.store.database import writing
from engine.workspace import Workspace


@dataclass(frozen=True)
class SavedContact:
    created: bool
    events: list[str]  # the business triggers fired: contact_created, contact_updated...


def contact_order(workspace: Workspace, text: str = "", sort: str = "id",
                  descending: bool = False, match: Match = "contains") -> list[str]:
    """Every matching contact's id, in order: read once per search or sort."""
    with workspace.db.connect() as conn:
        return contact_ids(conn, text, sort, descending, match)


def rows_of(workspace: Workspace, ids: list[str]) -> list[ContactRow]:
    """The rows of these contacts in this order (ids deleted meanwhile are left out)."""
    with workspace.db.connect() as conn:
        return contact_rows(conn, ids)


def contact_with_consents(workspace: Workspace, contact_id: str) -> Contact | None:
    """A contact with the consents recorded for its email, phone and push token."""
    with workspace.db.connect() as conn:
        contact = contacts_store.load_contact(conn, contact_id)
        if contact is None:
            return None
        consents = []
        for channel, field in CONTACT_FIELD.items():
            point = getattr(contact, field)
            found = contacts_store.consents_for(conn, point, channel) if point else {}
            consents += [ConsentRecord(channel=channel, purpose=purpose, topic=topic,
                                       status=status)
                         for (purpose, topic), status in sorted(found.items())]
    return contact.model_copy(update={"consents": consents})


def save_contact(workspace: Workspace, contact: Contact) -> SavedContact:
    """Save a contact made or edited by a person, with its consents exactly as listed
    (for its contact points: ones not listed are removed). Raises DocumentError naming
    the field ($.email) when an email or phone number is not one."""
    check_contact_points(contact)
    now = time.time()
    with writing(workspace.db) as conn:
        events = change_contact(conn, contact.model_copy(update={"consents": []}), now)
        if contacts_store.replace_consents(conn, contact) and not events:
            events = [updated_event(contact.id)]  # only a consent changed
        events_store.insert_events(conn, events, now)
    return SavedContact(made_contact(events), [e.trigger for e in events])


def delete_contact(workspace: Workspace, contact_id: str) -> int:
    """Delete a contact: their runs still going end as exited, "contact deleted" (see
    `engine.runtime.contact_removal`). Returns how many; NoSuchContact when not there."""
    with writing(workspace.db) as conn:
        return _delete(conn, contact_id, workspace.now())
