"""The store's JSON columns, written with orjson, read back every value Waymark accepts
exactly as Python's json did, and still read what an older Waymark wrote."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from engine.model.json_values import MAX_NUMBER
from engine.store import schema as s
from engine.store.database import open_database, writing
from engine.store.json_text import dumps, loads

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
ACCEPTED = st.recursive(
    st.none() | st.booleans() | TEXT | st.integers(-MAX_NUMBER, MAX_NUMBER)
    | st.floats(-MAX_NUMBER, MAX_NUMBER, allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


@given(ACCEPTED)
def test_every_accepted_value_reads_back_as_python_json_read_it(value) -> None:
    assert loads(dumps(value)) == json.loads(json.dumps(value))


def test_text_an_older_waymark_wrote_is_read() -> None:
    """Python's json wrote NaN and Infinity (before values from outside were checked)."""
    assert loads('{"total": NaN, "items": 3}') == {
        "total": pytest.approx(float("nan"), nan_ok=True), "items": 3}
    assert loads("[Infinity]") == [float("inf")]


def test_what_python_json_refused_is_refused_still() -> None:
    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        dumps({"at": datetime.now(UTC)})


def test_numbers_python_json_writes_are_written() -> None:
    """Integers past 64 bits (orjson refuses them) and keys that are not text."""
    assert json.loads(dumps({1: 2**70})) == {"1": 2**70}


def test_an_event_s_data_goes_through_the_store_unchanged(tmp_path) -> None:
    data = {"cart_total": 120.5, "items": [{"sku": "A-1", "qty": 2}], "note": "déjà vu ✓",
            "none": None}
    db = open_database(tmp_path / "w.waymark")
    try:
        with writing(db) as conn:
            conn.execute(s.events.insert().values(trigger="cart", contact_id="ann", data=data,
                                                  occurred_at=1.0, received_at=1.0))
        with db.connect() as conn:
            assert conn.execute(select(s.events.c.data)).scalar_one() == data
    finally:
        db.dispose()
