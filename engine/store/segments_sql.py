"""Segment membership evaluated in SQL: conditions over contacts become a WHERE clause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from engine.model import Condition, ConditionGroup, Op, Segment, Source

from . import schema as s

_COLUMNS = {"id", "kind", "email", "phone", "push_token", "timezone"}
MAX_NESTING = 5


class SegmentCompiler:
    """Turns a segment's conditions into SQL over the contacts table."""

    def __init__(self, segments: dict[str, Segment], now: datetime) -> None:
        self._segments = segments
        self._now = now

    def membership(self, segment_id: str, depth: int = 0) -> ColumnElement[bool]:
        segment = self._segments.get(segment_id)
        if segment is None or depth > MAX_NESTING:
            return false()
        if segment.kind == "static":
            members = s.segment_members
            return exists().where(members.c.segment_id == segment_id,
                                  members.c.contact_id == s.contacts.c.id)
        return self.group(segment.condition, depth)

    def group(self, group: ConditionGroup | None, depth: int = 0) -> ColumnElement[bool]:
        if group is None or not group.items:
            return true()
        parts = [self.group(i, depth) if isinstance(i, ConditionGroup) else self.leaf(i, depth)
                 for i in group.items]
        return and_(*parts) if group.join == "and" else or_(*parts)

    def leaf(self, leaf: Condition, depth: int) -> ColumnElement[bool]:
        if leaf.source == Source.SEGMENT:
            member = self.membership(leaf.attribute, depth + 1)
            return member if leaf.op == Op.IN_SEGMENT else not_(member)
        if leaf.source != Source.CONTACT:
            return false()  # trigger data is not in the contacts table
        return _compare(leaf.op, _attribute(leaf.attribute), leaf.value, self._now)


class _Attr:
    """One contact attribute in SQL: a real column, or a path into the JSON attributes."""

    def __init__(self, path: str) -> None:
        if path in _COLUMNS:
            self.text = s.contacts.c[path]
            self.number = self.boolean = None
        else:
            element = s.contacts.c.attributes[tuple(path.split("."))]
            self.text = element.as_string()
            self.number = element.as_float()
            self.boolean = element.as_boolean()


class _ReadableAttributes(FunctionElement):
    """True when a contact's stored attributes are JSON that SQLite's functions can read.

    Python's json writes NaN and Infinity, which SQLite calls "malformed JSON" and raises
    on for the whole statement. PostgreSQL's JSON type never holds them: there it is true."""

    type = Boolean()
    inherit_cache = True


@compiles(_ReadableAttributes)
def _readable_anywhere(_element, _compiler, **_kw) -> str:
    return "1 = 1"


@compiles(_ReadableAttributes, "sqlite")
def _readable_in_sqlite(_element, compiler, **kw) -> str:
    return f"json_valid({compiler.process(s.contacts.c.attributes, **kw)})"


def readable_only(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition` for contacts whose attributes can be read, false for the others.

    For statements over many contacts at once (a segment journey's audience): one contact
    with NaN in its attributes, from an older Waymark or another program, must not stop
    everyone's entry. (One person's event asks `is_member` unguarded: that event fails
    with the reason, where `waymark events failed` shows it.) CASE, because only it
    promises that SQLite checks before it reads."""
    return case((_ReadableAttributes(), condition), else_=false())


def unreadable_contacts(conn: Connection) -> int:
    """How many contacts' attributes SQLite cannot read (0 on PostgreSQL)."""
    return conn.execute(select(func.count()).select_from(s.contacts)
                        .where(not_(_ReadableAttributes()))).scalar_one()


def _attribute(path: str) -> _Attr:
    return _Attr(path)


def _compare(op: Op, attr: _Attr, value: Any, now: datetime) -> ColumnElement[bool]:
    text = attr.text
    if op == Op.EXISTS:
        return text.is_not(None)
    if op == Op.NOT_EXISTS:
        return text.is_(None)
    if op == Op.IS_EMPTY:
        return or_(text.is_(None), func.trim(text) == "")
    if op in (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.BETWEEN):
        return _number(op, attr.number if attr.number is not None else text, value)
    if op in (Op.EQUALS, Op.NOT_EQUALS, Op.CONTAINS, Op.STARTS_WITH):
        return _text(op, text, value)
    if op in (Op.IS_TRUE, Op.IS_FALSE):
        wanted = op == Op.IS_TRUE
        return attr.boolean == wanted if attr.boolean is not None else false()
    return _when(op, text, value, now)


def _number(op: Op, number: Any, value: Any) -> ColumnElement[bool]:
    if op == Op.BETWEEN:
        low, high = sorted(value)
        return number.between(low, high)
    if op == Op.NE:
        return or_(number.is_(None), number != value)
    return {Op.EQ: number == value, Op.LT: number < value, Op.LE: number <= value,
            Op.GT: number > value, Op.GE: number >= value}[op]


def _text(op: Op, text: Any, value: str) -> ColumnElement[bool]:
    lowered, wanted = func.lower(text), value.lower()
    if op == Op.EQUALS:
        return lowered == wanted
    if op == Op.NOT_EQUALS:
        return or_(text.is_(None), lowered != wanted)
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{pattern}%" if op == Op.CONTAINS else f"{pattern}%"
    return lowered.like(pattern, escape="\\")


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(op: Op, text: Any, value: Any, now: datetime) -> ColumnElement[bool]:
    if op in (Op.WITHIN_LAST, Op.WITHIN_NEXT):
        span = timedelta(days=value)
        low, high = (now - span, now) if op == Op.WITHIN_LAST else (now, now + span)
        return and_(text >= _iso(low), text <= _iso(high))
    target = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if target.tzinfo is None:
        target = target.replace(tzinfo=UTC)
    if op == Op.ON:
        start = target.replace(hour=0, minute=0, second=0, microsecond=0)
        return and_(text >= _iso(start), text < _iso(start + timedelta(days=1)))
    return text < _iso(target) if op == Op.BEFORE else text > _iso(target)


def members_query(segments: dict[str, Segment], segment_id: str, now: datetime):
    """SELECT contacts.id of the segment's members."""
    where = SegmentCompiler(segments, now).membership(segment_id)
    return select(s.contacts.c.id).where(where).order_by(s.contacts.c.id)


def is_member(conn: Connection, segments: dict[str, Segment], segment_id: str,
              contact_id: str, now: datetime) -> bool:
    where = SegmentCompiler(segments, now).membership(segment_id)
    query = select(s.contacts.c.id).where(s.contacts.c.id == contact_id, where)
    return conn.execute(query).first() is not None


def count_members(conn: Connection, segments: dict[str, Segment], segment_id: str,
                  now: datetime) -> int:
    """How many contacts are in the segment now, counted in SQL (contacts whose stored
    attributes SQLite cannot read are left out, as a segment journey's audience leaves
    them out)."""
    where = readable_only(SegmentCompiler(segments, now).membership(segment_id))
    return conn.execute(select(func.count()).select_from(s.contacts).where(where)).scalar_one()
