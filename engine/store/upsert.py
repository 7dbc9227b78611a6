"""Insert-or-update that works the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: Table, key: dict[str, Any], values: dict[str, Any],
           insert_only: dict[str, Any] | None = None) -> None:
    """Insert key+values(+insert_only); when the key exists, update `values` only."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, **values, **(insert_only or {}))
    conn.execute(statement.on_conflict_do_update(index_elements=list(key), set_=values))


def add_to(conn: Connection, table: Table, key: dict[str, Any], column: str, amount: int) -> None:
    """Add `amount` to a counter column, creating the row at `amount`."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, **{column: amount})
    conn.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + statement.excluded[column]}))
