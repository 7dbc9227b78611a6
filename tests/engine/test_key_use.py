"""Ingestion keys: the socket records when each was last used, cheaply; a key that could
not work is refused when it is made."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event

from engine.cli import main
from engine.ingestion import keys
from engine.model import read_bundle
from engine.resources import resource
from engine.store.database import writing
from engine.workspace import Workspace
from tests.engine.ingestion_support import running_engine

CART = read_bundle(resource("samples", "abandoned_cart.json"))
EVENT = {"authId": "ann", "attributes": {"cart_total": 80}}


def last_use(workspace: Workspace, key_id: str) -> float | None:
    with workspace.db.connect() as conn:
        return next(k.last_used_at for k in keys.list_keys(conn) if k.id == key_id)


def key_use_writes(workspace: Workspace) -> list[str]:
    """The socket's writes of a key's last use, from now on."""
    writes: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:
        if statement.startswith("UPDATE ingestion_keys"):
            writes.append(threading.current_thread().name)

    event.listen(workspace.db, "before_cursor_execute", seen)
    return writes


def test_the_socket_records_a_keys_last_use_at_most_once_a_minute(tmp_path) -> None:
    with running_engine(tmp_path, CART) as engine:
        key_id = keys.key_id_of(engine.key)
        writes = key_use_writes(engine.workspace)
        assert last_use(engine.workspace, key_id) is None
        before = time.time()
        assert engine.post("/v1/triggers/abandoned_cart", EVENT).status == 202
        used = engine.wait_for(lambda: last_use(engine.workspace, key_id), timeout=5)
        assert before <= used <= time.time()
        for _ in range(40):
            assert engine.post("/v1/triggers/abandoned_cart", EVENT).status == 202
        time.sleep(0.3)  # time enough for a write the socket should not make
        assert len(writes) == 1 and writes[0].startswith("waymark-writer")
        assert last_use(engine.workspace, key_id) == used


def test_use_notes_let_one_write_a_minute_through_per_key() -> None:
    notes = keys.UseNotes(every=60)
    assert notes.due("a", 1000.0) and notes.due("b", 1000.0)
    assert not notes.due("a", 1059.9)
    assert notes.due("a", 1060.0)
    notes.forget("b")  # the write failed: the next use tries again
    assert notes.due("b", 1000.5)


def test_a_key_that_could_not_work_is_refused_naming_the_setting(tmp_path, capsys) -> None:
    with Workspace.open(tmp_path / "w.waymark") as workspace, writing(workspace.db) as conn:
        for name, rate, burst, field in (("web", 0.0, 10, "rate"), ("web", float("nan"), 10,
                                         "rate"), (" ", 5.0, 10, "name"),
                                         ("web", 5.0, 0, "burst"), ("w" * 101, 5.0, 1, "name"),
                                         # a traceback on PostgreSQL (its integer ends at 2^31)
                                         ("web", 5.0, 3_000_000_000, "burst")):
            with pytest.raises(keys.KeySettingError) as refused:
                keys.create_key(conn, name, rate, burst)
            assert refused.value.field == field
        assert keys.list_keys(conn) == []
    ws = ["--workspace", str(tmp_path / "w.waymark")]
    assert main(["keys", "create", "--rate", "0", *ws]) == 2
    assert "rate: events a second must be more than 0" in capsys.readouterr().err
    assert main(["keys", "create", "--burst", "3000000000", *ws]) == 2
    assert "burst: the burst must be between 1 and 1,000,000 events" in capsys.readouterr().err


def test_keys_list_says_when_each_key_was_last_used(tmp_path, capsys) -> None:
    with running_engine(tmp_path, CART) as engine:
        assert engine.post("/v1/triggers/abandoned_cart", EVENT).status == 202
        engine.wait_for(lambda: last_use(engine.workspace, keys.key_id_of(engine.key)))
        main(["keys", "list", "--workspace", engine.workspace.location])
    header, _rule, row = capsys.readouterr().out.splitlines()[:3]
    assert "LAST USED (UTC)" in header
    assert row.split()[1] == "tests" and "never" not in row
