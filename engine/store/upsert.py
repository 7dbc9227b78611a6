"""Insert-or-update that works the same on SQLite and PostgreSQL.

Statements are built once per shape and reused (as `Prepared` statements): building a
SQLAlchemy statement costs far more than running it, and these run for every run step
and every message.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from .prepared import Prepared


@cache
def _upsert_statement(dialect: str, table: Table, key: tuple[str, ...],
                      values: tuple[str, ...]) -> Prepared:
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    return Prepared(statement.on_conflict_do_update(
        index_elements=list(key), set_={name: statement.excluded[name] for name in values}))


def upsert(conn: Connection, table: Table, key: dict[str, Any], values: dict[str, Any],
           insert_only: dict[str, Any] | None = None) -> None:
    """Insert key+values(+insert_only); when the key exists, update `values` only."""
    statement = _upsert_statement(conn.dialect.name, table, tuple(key), tuple(values))
    statement.execute(conn, {**key, **values, **(insert_only or {})})


def upsert_many(conn: Connection, table: Table, key: tuple[str, ...],
                values: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    """`upsert` for many rows in one executemany: each row holds the key columns, the
    `values` (updated when the key exists) and any insert-only columns."""
    _upsert_statement(conn.dialect.name, table, key, values).execute(conn, rows)


@cache
def _add_statement(dialect: str, table: Table, key: tuple[str, ...], column: str
                   ) -> Prepared:
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table)
    return Prepared(statement.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + statement.excluded[column]}))


def add_to(conn: Connection, table: Table, key: dict[str, Any], column: str, amount: int,
           many: list[dict[str, Any]] | None = None) -> None:
    """Add `amount` to a counter column, creating the row at `amount` (or many rows at once:
    `many` is a list of key dicts each with its own `column` value)."""
    statement = _add_statement(conn.dialect.name, table, tuple(key), column)
    statement.execute(conn, many if many is not None else {**key, column: amount})


@cache
def _insert_new_statement(dialect: str, table: Table, key: tuple[str, ...]) -> Prepared:
    module = postgresql if dialect == "postgresql" else sqlite
    return Prepared(module.insert(table).on_conflict_do_nothing(index_elements=list(key)))


def insert_if_absent(conn: Connection, table: Table, key: dict[str, Any],
                     values: dict[str, Any]) -> None:
    """Insert key+values unless a row with that key exists (then change nothing): of two
    transactions racing to insert, the first one's row stays."""
    statement = _insert_new_statement(conn.dialect.name, table, tuple(key))
    statement.execute(conn, {**key, **values})
