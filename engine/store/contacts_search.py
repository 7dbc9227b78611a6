"""Contacts found and ordered in SQL, for a table of 100,000 people and `contacts list`.

Search matches the id, email and phone: `contains` (the default, a scan — about 15 ms
over 100,000 contacts) or `prefix` (index range scans on id and email, for pickers that
must stay instant however many there are). Sort keys are the columns, or an attribute
(`attributes.city`). Ties are broken by id, so every order is total and pages never
overlap.

There are two ways to read a long result. `search_contacts` gives one page by offset.
`contact_ids` gives the whole ordered list of ids at once and `contact_rows` the rows of
some of them: a scrolling view takes the order once (one sort, 30–75 ms at 100,000) and
then each visible page by id (about a millisecond), where an offset page on a column
without an index would sort everything again for every page (up to 70 ms each).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Select, false, func, or_, select

from . import schema as s
from .times import from_ts

Match = Literal["contains", "prefix"]
COLUMN_SORTS = ("id", "email", "phone", "push_token", "timezone", "kind", "test",
                "created_at", "updated_at")
ATTRIBUTE_SORT = "attributes."
_CHUNK = 500  # ids to an IN list: well under every database's limit on parameters


class UnknownSortError(ValueError):
    """A sort key that is neither a column nor `attributes.NAME`."""


@dataclass(frozen=True)
class ContactRow:
    """A contact as a table shows it: its fields, attributes and when it was saved."""

    id: str
    kind: str
    email: str | None
    phone: str | None
    push_token: str | None
    timezone: str | None
    test: bool
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def search_contacts(conn: Connection, text: str = "", sort: str = "id",
                    descending: bool = False, offset: int = 0, limit: int = 100,
                    match: Match = "contains") -> list[ContactRow]:
    """One page of the contacts matching `text` (all when empty), in `sort` order."""
    ids = select(s.contacts.c.id).where(_matching(conn, text, match))
    ids = _ordered(ids, sort, descending, conn.dialect.name)
    page = conn.execute(ids.offset(max(offset, 0)).limit(max(limit, 0))).scalars()
    return contact_rows(conn, list(page))


def count_contacts(conn: Connection, text: str = "", match: Match = "contains") -> int:
    query = select(func.count()).select_from(s.contacts)
    return conn.execute(query.where(_matching(conn, text, match))).scalar_one()


def contact_ids(conn: Connection, text: str = "", sort: str = "id", descending: bool = False,
                match: Match = "contains") -> list[str]:
    """The ids of every contact matching `text`, in `sort` order (see the module's doc)."""
    query = select(s.contacts.c.id).where(_matching(conn, text, match))
    query = _ordered(query, sort, descending, conn.dialect.name)
    return list(conn.execute(query).scalars())


def contact_rows(conn: Connection, ids: list[str]) -> list[ContactRow]:
    """The rows of these contacts, in the order given; ids no longer there are left out."""
    found: dict[str, ContactRow] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in conn.execute(select(s.contacts).where(s.contacts.c.id.in_(chunk))):
            found[row.id] = _row(row)
    return [found[i] for i in ids if i in found]


def check_sort(sort: str) -> str:
    """The sort key, or UnknownSortError saying which keys there are."""
    name = sort.removeprefix(ATTRIBUTE_SORT)
    if sort in COLUMN_SORTS or (sort.startswith(ATTRIBUTE_SORT) and name.isidentifier()):
        return sort
    raise UnknownSortError(f"cannot sort by {sort!r}: use one of {', '.join(COLUMN_SORTS)} "
                           "or attributes.NAME")


def _row(row: Any) -> ContactRow:
    return ContactRow(row.id, row.kind, row.email, row.phone, row.push_token, row.timezone,
                      bool(row.test), dict(row.attributes or {}), from_ts(row.created_at),
                      from_ts(row.updated_at))


def _ordered(query: Select, sort: str, descending: bool, dialect: str) -> Select:
    key = _sort_key(check_sort(sort), dialect)
    keys = [key, s.contacts.c.id] if key is not s.contacts.c.id else [key]
    return query.order_by(*(k.desc() if descending else k.asc() for k in keys))


def _sort_key(sort: str, dialect: str) -> ColumnElement[Any]:
    if not sort.startswith(ATTRIBUTE_SORT):
        return s.contacts.c[sort]
    name = sort.removeprefix(ATTRIBUTE_SORT)
    if dialect == "sqlite":  # json_extract keeps numbers numeric: ages sort 9 before 10
        return func.json_extract(s.contacts.c.attributes, f"$.{name}")
    return s.contacts.c.attributes[name].as_string()


def _matching(conn: Connection, text: str, match: Match) -> ColumnElement[bool]:
    text = text.strip()
    if not text:
        return ~false()
    c = s.contacts.c
    if match == "prefix":
        return or_(_starts_with(c.id, text), _starts_with(c.email, text))
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # SQLite's LIKE ignores ASCII case already; lower() on every row would double the scan
    like = "like" if conn.dialect.name == "sqlite" else "ilike"
    return or_(*(getattr(column, like)(pattern, escape="\\")
                 for column in (c.id, c.email, c.phone)))


def _starts_with(column: Any, text: str) -> ColumnElement[bool]:
    """`column LIKE 'text%'` as a range, which an index serves (LIKE does not on SQLite)."""
    return (column >= text) & (column < text + "\U0010ffff")
