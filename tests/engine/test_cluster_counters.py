"""Two engines' transactions add to the same shared rows (a journey's counters, a
trigger's event count) on one PostgreSQL workspace: they wait for each other, and never
deadlock, whatever order their batches met the keys in.

The interleaving that deadlocks when each writes in its own order is made certain: a
third session holds the middle row, each writer takes what comes before it in its own
order and waits; when the middle row is let go, the first writer gets it and then needs
what the second took first.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from sqlalchemy import text

from engine.model import TriggerDefinition
from engine.store import catalog_store, counters_store, events_store
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine import test_postgres
from tests.engine.serve_support import wait_until

server_url, database = test_postgres.server_url, test_postgres.database  # the private server
KEYS = ["a", "b", "c"]  # tiles, or triggers; "b" is the middle row a third session holds


def add_counters(conn, keys: list[str]) -> None:
    counters_store.add_counters(conn, Counter({("j", 1, key, "inflow", ""): 1 for key in keys}))


def add_events(conn, keys: list[str]) -> None:
    events_store.insert_events(conn, [events_store.NewEvent(key, "p1") for key in keys], 1.0)


def counted(db, kind: str) -> dict[str, int]:
    sql = ("SELECT tile_id, value FROM counters" if kind == "counters"
           else "SELECT name, event_count FROM triggers")
    with db.connect() as conn:
        return dict(conn.execute(text(sql)).all())


def prepare(db, kind: str) -> str:
    """The rows exist (as they do after the first batch); the middle row's lock query."""
    with writing(db) as conn:
        for key in KEYS:
            if kind == "counters":
                add_counters(conn, [key])
            else:
                catalog_store.save_trigger(conn, TriggerDefinition(name=key, title=key))
                add_events(conn, [key])
    if kind == "counters":
        return "SELECT value FROM counters WHERE tile_id = 'b' FOR UPDATE"
    return "SELECT event_count FROM triggers WHERE name = 'b' FOR UPDATE"


def waiting_for_a_lock(db, sessions: int) -> bool:
    with db.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar_one() >= sessions


@pytest.mark.parametrize("kind", ["counters", "trigger counts"])
def test_two_engines_adding_to_shared_rows_in_opposite_orders_do_not_deadlock(
        database, kind) -> None:
    write = add_counters if kind == "counters" else add_events
    with Workspace.open(database) as workspace, ExitStack() as stack, \
            ThreadPoolExecutor(2) as pool:
        db = workspace.db
        lock_middle = prepare(db, kind)
        before = counted(db, kind)
        holder = stack.enter_context(db.connect())
        holder.execute(text(lock_middle))

        def engine_batch(keys: list[str]) -> None:
            with writing(db) as conn:
                write(conn, keys)

        first = pool.submit(engine_batch, KEYS)
        wait_until(lambda: waiting_for_a_lock(db, 1))
        second = pool.submit(engine_batch, list(reversed(KEYS)))
        wait_until(lambda: waiting_for_a_lock(db, 2))
        time.sleep(0.2)  # the second waits on its own key, not still on its way
        holder.commit()
        first.result(timeout=30), second.result(timeout=30)  # PostgreSQL aborts neither
        assert counted(db, kind) == {key: n + 2 for key, n in before.items()}
