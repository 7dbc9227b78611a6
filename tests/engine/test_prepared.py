"""Prepared statements give the same rows as SQLAlchemy and live in the caller's transaction."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select, update

from engine.runtime.records import StepRecord, What
from engine.store import catalog_store, counters_store, events_store, steps_store
from engine.store import schema as s
from engine.store.database import one_transaction, open_database, reading, writing
from engine.store.events_store import NewEvent
from engine.store.prepared import Prepared, savepoint
from engine.store.times import to_ts
from tests.engine.builders import ORDER_PLACED

LEDGER_ROW = {
    "run_id": 1, "tile_id": "email-1", "journey_id": "cart", "version": 1,
    "contact_id": "p1", "channel": "email", "contact_point": "p1@example.com",
    "content_id": "reminder", "purpose": "commercial", "message_id": "<1.email-1@waymark>",
    "status": "pending", "reason": None, "attempts": 0, "possibly_duplicate": True,
    "next_attempt_at": 10.0, "payload": {"subject": "Ünïcode & <b>", "links": [1, None]},
    "created_at": 5.0,
}
PENDING = select(s.ledger).where(s.ledger.c.status == "pending",
                                 s.ledger.c.next_attempt_at <= bindparam("now"))


@pytest.fixture
def db(tmp_path):
    engine = open_database(tmp_path / "w.waymark")
    with writing(engine) as conn:
        conn.execute(s.runs.insert(), [{
            "journey_id": "cart", "version": 1, "contact_id": f"p{i}", "tile_id": "t",
            "status": "waiting", "entered_at": 1.0, "arrived_at": 1.0, "trigger_data": {},
            "state": {}} for i in (1, 2)])
    yield engine
    engine.dispose()


def test_rows_match_what_sqlalchemy_reads_json_and_booleans_included(db) -> None:
    with writing(db) as conn:
        new_id = Prepared(s.ledger.insert()).insert(conn, LEDGER_ROW)
        Prepared(s.ledger.insert()).insert(conn, {**LEDGER_ROW, "tile_id": "email-2",
                                                  "message_id": "<2>", "status": "sent"})
    with reading(db) as conn:
        expected = [tuple(row) for row in conn.execute(PENDING, {"now": 20.0})]
        got = Prepared(PENDING).rows(conn, {"now": 20.0})
    assert [tuple(row) for row in got] == expected
    assert len(got) == 1  # the literal "pending" in the statement is bound too
    row = got[0]
    assert row.id == new_id
    assert row.payload == {"subject": "Ünïcode & <b>", "links": [1, None]}
    assert row.possibly_duplicate is True


def test_executemany_updates_each_row_and_counts_them(db) -> None:
    statement = Prepared(update(s.runs).where(s.runs.c.id == bindparam("_id")))
    with writing(db) as conn:
        changed = statement.execute(conn, [{"_id": 1, "tile_id": "a", "state": {"n": 1}},
                                           {"_id": 2, "tile_id": "b", "state": {"n": 2}}])
    assert changed == 2
    with reading(db) as conn:
        rows = conn.execute(select(s.runs.c.tile_id, s.runs.c.state).order_by(s.runs.c.id))
        assert [tuple(r) for r in rows] == [("a", {"n": 1}), ("b", {"n": 2})]


def test_a_prepared_write_is_undone_with_the_transaction_it_joined(db) -> None:
    statement = Prepared(update(s.runs).where(s.runs.c.id == bindparam("_id")))
    with pytest.raises(RuntimeError), writing(db) as conn:
        statement.execute(conn, {"_id": 1, "tile_id": "moved"})
        assert Prepared(select(s.runs.c.tile_id).where(s.runs.c.id == 1)).scalar(conn) \
            == "moved"  # the same transaction sees its own write
        raise RuntimeError("the step failed")
    with reading(db) as conn:
        assert conn.execute(select(s.runs.c.tile_id).where(s.runs.c.id == 1)).scalar() == "t"


def test_a_missing_parameter_is_an_error_not_a_null(db) -> None:
    with reading(db) as conn, pytest.raises(KeyError, match="now"):
        Prepared(PENDING).rows(conn, {})


def test_a_savepoint_undoes_only_its_own_block_and_the_transaction_goes_on(db) -> None:
    statuses = select(s.runs.c.contact_id, s.runs.c.status).order_by(s.runs.c.id)
    with writing(db) as conn:
        conn.execute(update(s.runs).where(s.runs.c.contact_id == "p1").values(status="held"))
        with pytest.raises(ZeroDivisionError), savepoint(conn):
            conn.execute(update(s.runs).values(status="failed"))
            Prepared(s.runs.delete()).execute(conn, {})
            raise ZeroDivisionError
        with savepoint(conn):
            conn.execute(update(s.runs).where(s.runs.c.contact_id == "p2")
                         .values(status="active"))
    with reading(db) as conn:
        assert list(conn.execute(statuses)) == [("p1", "held"), ("p2", "active")]


def test_held_back_counters_are_summed_and_a_failed_savepoint_drops_its_own(db) -> None:
    reminded = ("cart", 1, "email-1", "inflow", "")
    with one_transaction(db) as conn:
        counters_store.add_counters(conn, Counter({reminded: 2}))
        with pytest.raises(ZeroDivisionError), savepoint(conn):
            counters_store.add_counters(conn, Counter({reminded: 100}))
            raise ZeroDivisionError
        with savepoint(conn):
            counters_store.add_counters(conn, Counter({reminded: 3}))
        assert counters_store.counters_of(conn, "cart") == [(1, "email-1", "inflow", "", 5)]
        counters_store.add_counters(conn, Counter({reminded: 1}))
    with reading(db) as conn:
        assert counters_store.counters_of(conn, "cart") == [(1, "email-1", "inflow", "", 6)]



def test_steps_held_back_keep_their_order_and_pruning_inside_the_transaction_sees_them(
        db) -> None:
    def step(day: int, person: str) -> StepRecord:
        return StepRecord(at=datetime(2026, 1, day, tzinfo=UTC), what=What.ENTERED,
                          journey_id="cart", version=1, contact_id=person)

    with one_transaction(db) as conn:
        steps_store.insert_steps(conn, [step(1, "ann"), step(1, "bob")])
        steps_store.insert_steps(conn, [step(2, "cat")])
        assert steps_store.prune(conn, to_ts(datetime(2026, 1, 2, tzinfo=UTC))) == 2
        steps_store.insert_steps(conn, [step(3, "dan")])
    with reading(db) as conn:
        trail = conn.execute(select(s.steps.c.contact_id).order_by(s.steps.c.id)).scalars()
        assert list(trail) == ["cat", "dan"]


def test_trigger_counts_held_back_add_up_with_their_first_and_last_times(db) -> None:
    with writing(db) as conn:
        catalog_store.save_trigger(conn, ORDER_PLACED)
        events_store.insert_events(conn, [NewEvent("order_placed", "p1")], 10.0)
    with one_transaction(db) as conn:
        events_store.insert_events(conn, [NewEvent("order_placed", "p1")] * 2, 20.0)
        events_store.insert_events(conn, [NewEvent("order_placed", "p2")], 30.0)
        stats = catalog_store.trigger_stats(conn)["order_placed"]
        assert (stats.event_count, stats.last_event_at) == (4, 30.0)
        events_store.insert_events(conn, [NewEvent("order_placed", "p2")], 40.0)
    with reading(db) as conn:
        first = conn.execute(select(s.triggers.c.first_event_at, s.triggers.c.event_count,
                                    s.triggers.c.last_event_at)).one()
        assert tuple(first) == (10.0, 5, 40.0)
