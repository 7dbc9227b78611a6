"""Static segments' member lists, and removing a segment.

A static segment's members are contact ids; an id may be listed before that contact is
imported (it counts as a member once the contact exists)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select

from . import schema as s

_m = s.segment_members.c


def member_ids(conn: Connection, segment_id: str, offset: int = 0, limit: int = 1000
               ) -> list[str]:
    query = select(_m.contact_id).where(_m.segment_id == segment_id).order_by(_m.contact_id)
    return list(conn.execute(query.offset(offset).limit(limit)).scalars())


def listed_count(conn: Connection, segment_id: str) -> int:
    """How many ids the list holds (contacts or not yet)."""
    query = select(func.count()).select_from(s.segment_members)
    return conn.execute(query.where(_m.segment_id == segment_id)).scalar_one()


def listed(conn: Connection, segment_id: str, contact_ids: list[str]) -> set[str]:
    """Which of these ids the list already holds."""
    found: set[str] = set()
    for start in range(0, len(contact_ids), 500):
        chunk = contact_ids[start:start + 500]
        found.update(conn.execute(select(_m.contact_id).where(
            _m.segment_id == segment_id, _m.contact_id.in_(chunk))).scalars())
    return found


def existing_contacts(conn: Connection, contact_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(contact_ids), 500):
        chunk = contact_ids[start:start + 500]
        found.update(conn.execute(select(s.contacts.c.id).where(
            s.contacts.c.id.in_(chunk))).scalars())
    return found


def add_members(conn: Connection, segment_id: str, contact_ids: list[str]) -> list[str]:
    """Add the ids not listed yet (in a writing transaction); returns those."""
    new = list(dict.fromkeys(c for c in contact_ids if c))
    new = [c for c in new if c not in listed(conn, segment_id, new)]
    if new:
        conn.execute(s.segment_members.insert(),
                     [{"segment_id": segment_id, "contact_id": c} for c in new])
    return new


def remove_members(conn: Connection, segment_id: str, contact_ids: list[str]) -> int:
    removed = 0
    for start in range(0, len(contact_ids), 500):
        chunk = contact_ids[start:start + 500]
        removed += conn.execute(delete(s.segment_members).where(
            _m.segment_id == segment_id, _m.contact_id.in_(chunk))).rowcount
    return removed


def delete_segment(conn: Connection, segment_id: str) -> None:
    conn.execute(delete(s.segment_members).where(_m.segment_id == segment_id))
    conn.execute(delete(s.segments).where(s.segments.c.id == segment_id))
