"""The socket's inbox: accepted events wait there until the runtime moves them, once."""

from __future__ import annotations

import asyncio
import time

from engine.ingestion.writer import EventWriter
from engine.model import read_bundle
from engine.resources import resource
from engine.runtime.clock import SimulatedClock
from engine.runtime.runtime import Runtime
from engine.store.events_store import NewEvent
from engine.store.inbox import Inbox
from engine.workspace import Workspace
from tests.engine.harness import START


def cart(message_id: str | None, who: str = "ann") -> NewEvent:
    return NewEvent("abandoned_cart", who, {"cart_total": 80}, message_id=message_id)


def store(writer: EventWriter, *groups: list[NewEvent]) -> list[list[tuple[int, bool]]]:
    """As concurrent requests do: every group in flight at once, one commit."""
    async def all_at_once():
        return await asyncio.gather(*(writer.store(group) for group in groups))
    return asyncio.run(all_at_once())


def events(workspace: Workspace) -> list[tuple]:
    with workspace.db.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(
            "SELECT message_id, inbox_id, trigger, received_at FROM events ORDER BY id")]


def test_requests_arriving_together_share_one_commit_and_each_hears_its_receipt(tmp_path):
    with Workspace.open(tmp_path / "w.waymark") as workspace:
        commits = []
        writer = EventWriter(workspace.db, workspace.inbox, time.time,
                             lambda: commits.append(1))
        answers = store(writer, [cart("a")], [cart("b"), cart(None)], [cart("a")])
        assert len(commits) == 1
        (a,), (b, anonymous), (again,) = answers
        assert not a[1] and not b[1] and not anonymous[1]
        assert again == (a[0], True)  # the same messageId in the same commit: a duplicate
        assert len({a[0], b[0], anonymous[0]}) == 3
        assert workspace.inbox.last_id() == max(a[0], b[0], anonymous[0])
        writer.close()


def test_the_runtime_imports_each_event_once_even_when_restarted(tmp_path):
    clock = SimulatedClock(START)
    with Workspace.open(tmp_path / "w.waymark", clock=clock) as workspace:
        workspace.import_bundle(read_bundle(resource("samples", "abandoned_cart.json")))
        writer = EventWriter(workspace.db, workspace.inbox, time.time, lambda: None)
        [[(first, _)], [(second, _)]] = store(writer, [cart("one")], [cart("two", "bob")])
        runtime = Runtime(workspace.db, clock, inbox=workspace.inbox)
        assert runtime.next_due() == clock.now()  # events wait in the inbox
        assert runtime.import_inbox() == 2
        assert runtime.import_inbox() == 0
        # a new engine on the same workspace (after a crash) knows how far the last got
        assert Runtime(workspace.db, clock, inbox=workspace.inbox).import_inbox() == 0
        [[(third, _)]] = store(writer, [cart("three")])
        assert Runtime(workspace.db, clock, inbox=workspace.inbox).import_inbox() == 1
        got = events(workspace)
        assert [(m, r) for m, r, _t, _at in got] == [("one", first), ("two", second),
                                                      ("three", third)]
        assert all(at > 1e9 for *_rest, at in got)  # when the socket accepted it
        with workspace.db.connect() as conn:  # what `waymark triggers list` shows
            count = conn.exec_driver_sql("SELECT event_count FROM triggers "
                                         "WHERE name = 'abandoned_cart'").scalar()
        assert count == 3  # counted as they reach the workspace
        writer.close()


def test_imported_events_leave_the_inbox_and_stay_duplicates(tmp_path, monkeypatch):
    clock = SimulatedClock(START)
    monkeypatch.setattr("engine.ingestion.writer.PRUNE_EVERY", 0)
    with Workspace.open(tmp_path / "w.waymark", clock=clock) as workspace:
        writer = EventWriter(workspace.db, workspace.inbox, time.time, lambda: None)
        [[(receipt, _)]] = store(writer, [cart("order-42")])
        Runtime(workspace.db, clock, inbox=workspace.inbox).import_inbox()
        store(writer, [cart("order-43")])  # the commit after the import prunes
        assert workspace.inbox.after(0, 10)[0].message_id == "order-43"
        # sent again: found in the workspace, answered with the same receipt
        assert store(writer, [cart("order-42")]) == [[(receipt, True)]]
        assert [m for m, *_ in events(workspace)] == ["order-42"]
        writer.close()


def test_a_replaced_inbox_file_is_imported_from_its_start(tmp_path):
    clock = SimulatedClock(START)
    with Workspace.open(tmp_path / "w.waymark", clock=clock) as workspace:
        path = workspace.inbox.path
        writer = EventWriter(workspace.db, workspace.inbox, time.time, lambda: None)
        store(writer, [cart("old-1")], [cart("old-2")])
        assert Runtime(workspace.db, clock, inbox=workspace.inbox).import_inbox() == 2
        writer.close()
        workspace.inbox.close()
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        fresh = Inbox(path)  # ids start at 1 again, under a new identity
        writer = EventWriter(workspace.db, fresh, time.time, lambda: None)
        store(writer, [cart("new-1")])
        assert Runtime(workspace.db, clock, inbox=fresh).import_inbox() == 1
        assert [m for m, *_ in events(workspace)] == ["old-1", "old-2", "new-1"]
        writer.close()
        fresh.close()
