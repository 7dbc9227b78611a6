"""The runtime's hottest statements, run on SQLite's own cursor with SQLAlchemy's types.

Every statement is still built with SQLAlchemy Core and compiled by its dialect, so the
same code runs on PostgreSQL. But handing a compiled statement to SQLAlchemy still
costs 20–40 µs of Python around a 2–8 µs SQLite call, and a person entering a journey
takes a dozen statements. A `Prepared` statement is compiled once per set of parameter
names and, on SQLite, executed on the driver's cursor inside the caller's transaction,
with the column types' own bind and result processors (JSON in and out, booleans). On
any other database it is plain `conn.execute`.

Rows come back as named tuples: `row.id`, `row.payload` and unpacking work as they do
on SQLAlchemy's rows.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.engine import Dialect

from .held_back import held_back

Params = dict[str, Any]
_SAVEPOINTS = count()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]                           # parameters in placeholder order
    defaults: dict[str, Any]                         # values bound in the statement itself
    row: type | None                                 # named tuple of the result columns
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, processor)
    take: Callable[[Params], tuple]                  # the values, in placeholder order
    processed: tuple[tuple[int, Callable[[Any], Any]], ...]  # (placeholder, its type's bind)

    def args(self, params: Params) -> tuple:
        values = self.take({**self.defaults, **params} if self.defaults else params)
        if not self.processed:
            return values
        values = list(values)
        for index, bind in self.processed:
            values[index] = bind(values[index])
        return tuple(values)

    def make_row(self, raw: tuple) -> tuple:
        if self.results:
            raw = list(raw)
            for index, process in self.results:
                raw[index] = process(raw[index])
        return self.row._make(raw)


class Prepared:
    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, ...], _Compiled | None] = {}

    # --- what callers use ----------------------------------------------------------

    def rows(self, conn: Connection, params: Params | None = None) -> list[Any]:
        compiled = self._sqlite(conn, params or {})
        if compiled is None:
            return list(conn.execute(self.statement, params or {}))
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.args(params or {}))
            return [compiled.make_row(raw) for raw in cursor.fetchall()]
        finally:
            cursor.close()

    def tuples(self, conn: Connection, params: Params | None = None) -> list[tuple]:
        """As `rows`, as plain tuples straight from the driver when no column needs
        converting: for a report's 200,000 rows, making each a named tuple doubled the
        cost of reading them."""
        compiled = self._sqlite(conn, params or {})
        if compiled is None or compiled.results:
            return [tuple(row) for row in self.rows(conn, params)]
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.args(params or {}))
            return cursor.fetchall()
        finally:
            cursor.close()

    def stream(self, conn: Connection, params: Params | None = None) -> Iterator[tuple]:
        """As `tuples`, a row at a time straight from the driver: for reading a big
        simulation's trail (750,000 steps) without holding it all, and without
        SQLAlchemy's fetch around each row (half the cost of reading it)."""
        compiled = self._sqlite(conn, params or {})
        if compiled is None or compiled.results:
            yield from (tuple(row) for row in conn.execute(self.statement, params or {}))
            return
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.args(params or {}))
            yield from cursor
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Params | None = None) -> Any:
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def scalar(self, conn: Connection, params: Params | None = None) -> Any:
        row = self.first(conn, params)
        return row[0] if row is not None else None

    def execute(self, conn: Connection, params: Params | Sequence[Params]) -> int:
        """One statement, or one per parameter set (executemany). Returns rows changed."""
        many = not isinstance(params, dict)
        if many and not params:
            return 0
        compiled = self._sqlite(conn, params[0] if many else params)
        if compiled is None:
            return conn.execute(self.statement, list(params) if many else params).rowcount
        cursor = _cursor(conn)
        try:
            if many:
                cursor.executemany(compiled.sql, [compiled.args(p) for p in params])
            else:
                cursor.execute(compiled.sql, compiled.args(params))
            return cursor.rowcount
        finally:
            cursor.close()

    def insert(self, conn: Connection, params: Params) -> int:
        """An INSERT of one row; returns its new integer primary key."""
        compiled = self._sqlite(conn, params)
        if compiled is None:
            return conn.execute(self.statement, params).inserted_primary_key[0]
        cursor = _cursor(conn)
        try:
            cursor.execute(compiled.sql, compiled.args(params))
            return cursor.lastrowid
        finally:
            cursor.close()

    # --- compiling -----------------------------------------------------------------

    def _sqlite(self, conn: Connection, params: Params) -> _Compiled | None:
        if conn.dialect.name != "sqlite":
            return None
        _in_transaction(conn)
        key = tuple(params)
        try:
            return self._compiled[key]
        except KeyError:
            compiled = self._compiled[key] = _compile(self.statement, conn.dialect, key)
            return compiled


def _in_transaction(conn: Connection) -> None:
    if not conn.in_transaction():
        conn.begin()  # as SQLAlchemy would on its first statement (BEGIN, see database)


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """The block in a SAVEPOINT: released when it ends, rolled back to when it raises.

    On SQLite it runs on the driver's connection, like the statements here: SQLAlchemy's
    `begin_nested()` compiles and executes a clause for each of its two statements, some
    ten times the cost, and a simulation takes one per batch. Elsewhere it is
    `begin_nested()`. (SQLite copies each page the block changes first, to a temporary
    file unless `temp_store` is MEMORY: that, not the two statements, is most of a
    savepoint's cost.)
    """
    held = held_back(conn)
    mark = held.mark() if held is not None else 0
    try:
        with _savepoint(conn):
            yield
    except BaseException:
        if held is not None:
            held.undo_to(mark)  # what was held back in the savepoint goes with it
        raise


@contextmanager
def _savepoint(conn: Connection) -> Iterator[None]:
    if conn.dialect.name != "sqlite":
        with conn.begin_nested():
            yield
        return
    _in_transaction(conn)
    raw = conn.connection.driver_connection
    name = f"waymark_{next(_SAVEPOINTS)}"
    raw.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        raw.execute(f"ROLLBACK TO {name}")
        raw.execute(f"RELEASE {name}")
        raise
    raw.execute(f"RELEASE {name}")


def sqlite_executemany(conn: Connection, sql: str, rows: list[tuple]) -> None:
    """Plain SQL on SQLite's own cursor, in the caller's transaction (begun if need be),
    for a statement no SQLAlchemy type should touch (JSON already serialised)."""
    _in_transaction(conn)
    cursor = _cursor(conn)
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def padded_in(values: Sequence[Any], sizes: tuple[int, ...], prefix: str
              ) -> Iterator[tuple[int, Params]]:
    """Parameters for IN lists of a few fixed sizes (each `Prepared` once): the values in
    chunks of the largest size, a shorter chunk padded by repeating its first value.
    Yields (size, {prefix0: value, prefix1: ...})."""
    values = list(dict.fromkeys(values))
    for start in range(0, len(values), sizes[-1]):
        chunk = values[start:start + sizes[-1]]
        size = next(size for size in sizes if len(chunk) <= size)
        chunk += chunk[:1] * (size - len(chunk))
        yield size, {f"{prefix}{i}": value for i, value in enumerate(chunk)}


def _compile(statement: Executable, dialect: Dialect, keys: tuple[str, ...]
             ) -> _Compiled | None:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    binds = compiled.binds
    names = tuple(compiled.positiontup or ())
    if any(binds[n].expanding for n in names) or getattr(compiled, "insert_prefetch", None):
        return None  # IN lists and Python-side defaults: SQLAlchemy does those
    defaults = {n: binds[n].effective_value for n in names
                if n not in keys and binds[n].value is not None}
    processors = tuple(binds[n].type.dialect_impl(dialect).bind_processor(dialect)
                       for n in names)
    row, results = None, ()
    columns = getattr(statement, "selected_columns", None)
    if columns is not None:
        row = namedtuple("Row", [c.key or f"c{i}" for i, c in enumerate(columns)],
                         rename=True)
        results = tuple((i, process) for i, c in enumerate(columns)
                        if (process := c.type.dialect_impl(dialect).result_processor(
                            dialect, None)) is not None)
    processed = tuple((i, bind) for i, bind in enumerate(processors) if bind is not None)
    return _Compiled(compiled.string, names, defaults, row, results, _taker(names),
                     processed)


def _taker(names: tuple[str, ...]) -> Callable[[Params], tuple]:
    """The parameters' values as a tuple, taken in C (a missing one is a KeyError)."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        name = names[0]
        return lambda params: (params[name],)
    return lambda _params: ()
