"""Triggers, content, segments and record tables in the workspace."""

from __future__ import annotations

import time
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, delete, select

from engine.model import (
    BUILTIN_TRIGGERS,
    AttributeDef,
    Catalog,
    Content,
    RecordTable,
    Segment,
    TriggerDefinition,
    to_data,
)

from . import schema as s
from .held_back import write_held_back
from .upsert import upsert

_CONTENT = TypeAdapter(Content)


def save_trigger(conn: Connection, trigger: TriggerDefinition) -> None:
    now = time.time()
    upsert(conn, s.triggers, {"name": trigger.name}, {
        "definition": to_data(trigger), "updated_at": now,
    }, insert_only={"created_at": now, "event_count": 0})


def save_content(conn: Connection, item: Content) -> None:
    upsert(conn, s.content, {"id": item.id},
           {"definition": to_data(item), "updated_at": time.time()})


def delete_content(conn: Connection, content_id: str) -> bool:
    """Remove content from the workspace (published versions keep their own copy)."""
    return conn.execute(delete(s.content).where(s.content.c.id == content_id)).rowcount > 0


def save_segment(conn: Connection, segment: Segment) -> None:
    upsert(conn, s.segments, {"id": segment.id},
           {"definition": to_data(segment), "updated_at": time.time()})


def save_record_table(conn: Connection, table: RecordTable) -> None:
    upsert(conn, s.record_tables, {"name": table.name}, {"definition": to_data(table)})


def load_triggers(conn: Connection) -> list[TriggerDefinition]:
    rows = conn.execute(select(s.triggers.c.definition).order_by(s.triggers.c.name))
    return [TriggerDefinition.model_validate(r.definition) for r in rows]


def load_trigger(conn: Connection, name: str) -> TriggerDefinition | None:
    row = conn.execute(select(s.triggers.c.definition).where(s.triggers.c.name == name)).first()
    if row is not None:
        return TriggerDefinition.model_validate(row.definition)
    return next((t for t in BUILTIN_TRIGGERS if t.name == name), None)


def trigger_stats(conn: Connection) -> dict[str, Any]:
    """Per saved trigger: its row's event_count, last_event_at and created_at."""
    write_held_back(conn)
    t = s.triggers.c
    rows = conn.execute(select(t.name, t.event_count, t.last_event_at, t.created_at))
    return {row.name: row for row in rows}


def delete_trigger(conn: Connection, name: str) -> None:
    conn.execute(delete(s.triggers).where(s.triggers.c.name == name))


def load_content(conn: Connection) -> list[Content]:
    rows = conn.execute(select(s.content.c.definition).order_by(s.content.c.id))
    return [_CONTENT.validate_python(r.definition) for r in rows]


def load_segments(conn: Connection) -> list[Segment]:
    rows = conn.execute(select(s.segments.c.definition).order_by(s.segments.c.id))
    return [Segment.model_validate(r.definition) for r in rows]


def load_record_tables(conn: Connection) -> list[RecordTable]:
    rows = conn.execute(select(s.record_tables.c.definition).order_by(s.record_tables.c.name))
    return [RecordTable.model_validate(r.definition) for r in rows]


CONTACT_ATTRIBUTES = "contact_attributes"


def save_contact_attributes(conn: Connection, attributes: list[AttributeDef]) -> None:
    """Add or replace workspace-defined contact attributes (built-ins stay as they are)."""
    current = {a.name: a for a in load_contact_attributes(conn)}
    current.update({a.name: a for a in attributes})
    upsert(conn, s.settings, {"key": CONTACT_ATTRIBUTES},
           {"value": [to_data(a) for a in current.values()]})


def load_contact_attributes(conn: Connection) -> list[AttributeDef]:
    row = conn.execute(select(s.settings.c.value).where(s.settings.c.key == CONTACT_ATTRIBUTES)
                       ).first()
    return [AttributeDef.model_validate(a) for a in row.value] if row else []


def load_catalog(conn: Connection) -> Catalog:
    return Catalog.build(load_triggers(conn), load_content(conn), load_segments(conn),
                         load_record_tables(conn), load_contact_attributes(conn))


def set_static_members(conn: Connection, segment_id: str, contact_ids: list[str]) -> None:
    conn.execute(delete(s.segment_members).where(s.segment_members.c.segment_id == segment_id))
    if contact_ids:
        conn.execute(s.segment_members.insert(),
                     [{"segment_id": segment_id, "contact_id": c} for c in contact_ids])
