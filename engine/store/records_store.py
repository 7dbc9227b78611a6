"""Business records (cases, orders...) in the workspace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from . import schema as s


def load_record(conn: Connection, table: str, record_id: str) -> dict[str, Any] | None:
    r = s.records.c
    row = conn.execute(select(r.data).where(r.table_name == table, r.id == record_id)).first()
    return dict(row.data) if row else None


def write_record(conn: Connection, table: str, record_id: str, data: dict[str, Any],
                 person_id: str | None, now: float, existed: bool) -> None:
    r = s.records.c
    if existed:
        conn.execute(update(s.records).where(r.table_name == table, r.id == record_id)
                     .values(data=data, person_id=person_id, updated_at=now))
    else:
        conn.execute(s.records.insert().values(table_name=table, id=record_id, data=data,
                                               person_id=person_id, created_at=now,
                                               updated_at=now))


def list_records(conn: Connection, table: str, limit: int = 100) -> list[dict[str, Any]]:
    r = s.records.c
    rows = conn.execute(select(r.id, r.data).where(r.table_name == table)
                        .order_by(r.updated_at.desc()).limit(limit))
    return [{"id": row.id, **row.data} for row in rows]
