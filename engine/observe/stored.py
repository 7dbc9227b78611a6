"""Stored JSON as the observer reads it: never trusted to load.

An event's data or a run's state may have been written by another program, or be a
poison the runtime set aside ("not json", a 5,000-digit number). Watching must show such
rows, not fail on them: their JSON is read as text and parsed here, leniently.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, Text, type_coerce


def as_text(column: ColumnElement) -> ColumnElement:
    """The column's stored JSON, as the database holds it (not parsed on the way out)."""
    return type_coerce(column, Text).label(column.key)


def mapping(raw: Any) -> dict[str, Any]:
    """The stored JSON object, or {"unreadable": the text} when it is not one."""
    if isinstance(raw, dict):  # a driver that parses JSON itself (PostgreSQL's)
        return raw
    try:
        value = json.loads(raw) if raw is not None else {}
    except ValueError:
        value = None
    if isinstance(value, dict):
        return value
    return {"unreadable": str(raw)[:200]}
