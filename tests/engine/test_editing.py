"""Editing a journey document without Qt: operations, their inverses, refused connections."""

from __future__ import annotations

import pytest

from engine.model import (
    Bundle,
    Edge,
    EmailTile,
    ExitTile,
    StartSettings,
    TriggerTile,
    WaitForTile,
    WaitTile,
    dump_bundle,
    read_bundle,
)
from engine.model.editing import (
    CycleError,
    EdgeIntoEntryError,
    JourneyDocument,
    PortTakenError,
    UnknownPortError,
    UnknownTileError,
    can_connect,
    check_connect,
    copy_tiles,
    insert_edges,
    new_tile,
    paste_tiles,
)
from engine.resources import resource
from tests.engine.builders import simple_journey


def dumped(doc: JourneyDocument) -> str:
    return dump_bundle(Bundle(journey=doc.journey))


@pytest.fixture
def doc() -> JourneyDocument:
    return JourneyDocument(simple_journey())


def record(doc: JourneyDocument) -> list[tuple]:
    seen: list[tuple] = []
    for name in ("tile_added", "tile_removed", "tile_changed", "tile_moved", "edge_added",
                 "edge_removed", "settings_changed"):
        getattr(doc, name).sub(lambda *args, name=name: seen.append((name, *args)))
    return seen


def test_removing_a_tile_takes_its_edges_and_restoring_puts_them_back_in_place(doc) -> None:
    before = dumped(doc)
    removed = doc.remove_tile("mail")
    assert doc.journey.find_tile("mail") is None
    assert all("mail" not in (e.source, e.target) for e in doc.journey.edges)
    assert [i for i, _e in removed.edges] == [0, 1]
    doc.restore_tile(removed)
    assert dumped(doc) == before


def test_observers_hear_each_change_in_order(doc) -> None:
    seen = record(doc)
    doc.remove_tile("wait")
    assert [s[0] for s in seen] == ["edge_removed", "edge_removed", "tile_removed"]
    seen.clear()
    doc.move_tile("mail", 300, 120)
    doc.update_tile("mail", {"name": "Welcome mail"})
    assert seen == [("tile_moved", "mail"), ("tile_changed", "mail")]


def test_an_observer_can_unsubscribe(doc) -> None:
    calls: list[str] = []
    callback = calls.append
    doc.tile_moved.sub(callback)
    doc.move_tile("mail", 1, 2)
    doc.tile_moved.unsub(callback)
    doc.move_tile("mail", 3, 4)
    assert calls == ["mail"]


def test_moving_returns_the_old_place_and_moving_back_restores_the_document(doc) -> None:
    before = dumped(doc)
    old = doc.move_tile("mail", 555.0, 77.0)
    assert (doc.tile("mail").x, doc.tile("mail").y) == (555.0, 77.0)
    doc.move_tile("mail", *old)
    assert dumped(doc) == before


def test_updating_a_tile_validates_it_and_the_old_values_undo_it(doc) -> None:
    before = dumped(doc)
    old = doc.update_tile("wait", {"duration": "P3D", "name": "Three days"})
    assert doc.tile("wait").duration.days == 3
    doc.update_tile("wait", old)
    assert dumped(doc) == before
    with pytest.raises(ValueError, match="needs 'until'"):
        doc.update_tile("wait", {"mode": "until"})
    assert dumped(doc) == before
    with pytest.raises(ValueError, match="cannot change"):
        doc.update_tile("wait", {"id": "other"})


def test_settings_are_validated_as_a_journey(doc) -> None:
    before = dumped(doc)
    old = doc.update_settings({"name": "Renamed", "frequency_cap_opt_out": True})
    assert doc.journey.name == "Renamed"
    doc.update_settings(old)
    assert dumped(doc) == before
    with pytest.raises(ValueError):
        doc.update_settings({"name": ""})
    with pytest.raises(ValueError, match="not a journey setting"):
        doc.update_settings({"tiles": []})


def test_connect_adds_an_edge_and_remove_edge_takes_it_away(doc) -> None:
    doc.remove_tile("end")
    doc.add_tile(ExitTile(id="end2"))
    edge = doc.connect("wait", "next", "end2")
    assert edge in doc.journey.edges
    index = doc.remove_edge(edge)
    assert edge not in doc.journey.edges
    doc.add_edge(edge, index)
    assert doc.journey.edges[index] == edge


@pytest.mark.parametrize(
    ("source", "port", "target", "error", "reason"),
    [
        ("wait", "next", "mail", PortTakenError, "already leads to"),
        ("end", "next", "mail", UnknownPortError, "exit ends the journey"),
        ("mail", "yes", "end", UnknownPortError, "no output 'yes'"),
        ("mail", "next", "start", EdgeIntoEntryError, "entry"),
        ("mail", "next", "ghost", UnknownTileError, "no tile 'ghost'"),
    ],
)
def test_refused_connections_say_why(doc, source, port, target, error, reason) -> None:
    with pytest.raises(error, match=reason):
        check_connect(doc.journey, source, port, target)
    assert not can_connect(doc.journey, source, port, target)


def test_a_connection_that_would_make_a_loop_is_refused() -> None:
    doc = JourneyDocument(simple_journey())
    doc.remove_edge(Edge(source="wait", target="end"))
    with pytest.raises(CycleError, match="loop"):
        doc.connect("wait", "next", "mail")
    with pytest.raises(CycleError, match="itself"):
        doc.connect("wait", "next", "wait")
    assert can_connect(doc.journey, "wait", "next", "end")


def test_a_wait_for_branch_takes_one_edge_per_port() -> None:
    doc = JourneyDocument(simple_journey())
    doc.add_tile(WaitForTile(id="opened", message="mail", interaction="opened"))
    doc.connect("opened", "yes", "end")
    assert can_connect(doc.journey, "opened", "no", "end")
    assert not can_connect(doc.journey, "opened", "yes", "wait")


def test_inserting_on_an_edge_puts_the_tile_between_its_ends(doc) -> None:
    edge = Edge(source="mail", target="wait")
    sms = new_tile(doc.journey, "sms", 400, 200)
    doc.insert_on_edge(sms, edge)
    assert doc.journey.next_tile_id("mail") == sms.id
    assert doc.journey.next_tile_id(sms.id) == "wait"
    assert edge not in doc.journey.edges


def test_inserting_a_branch_follows_its_first_port_and_an_exit_cuts_the_path() -> None:
    edge = Edge(source="a", port="next", target="b")
    into, out_of = insert_edges(WaitForTile(id="w", trigger="t"), edge)
    assert (into.target, out_of.port, out_of.target) == ("w", "yes", "b")
    assert insert_edges(ExitTile(id="x"), edge)[1] is None
    with pytest.raises(EdgeIntoEntryError):
        insert_edges(TriggerTile(id="s"), edge)


def test_new_tiles_get_free_ids_and_usable_defaults(doc) -> None:
    wait = new_tile(doc.journey, "wait", 10, 20)
    assert (wait.id, wait.x, wait.y, wait.duration.days) == ("wait-1", 10, 20, 1)
    split = new_tile(doc.journey, "split")
    assert [a.percent for a in split.arms] == [50, 50]
    branch = new_tile(doc.journey, "attribute_branch")
    assert [b.name for b in branch.branches] == ["Branch 1"]


def test_paste_gives_fresh_ids_keeps_inner_edges_and_follows_message_references() -> None:
    bundle = read_bundle(resource("samples", "brew_guide.json"))
    journey = bundle.journey
    clip = copy_tiles(journey, ["guide-email", "wait-2-days", "clicked-grinders", "start"])
    assert len(clip["edges"]) == 3
    tiles, edges = paste_tiles(journey, clip, dx=40, dy=40)
    ids = {t.id for t in tiles}
    assert ids.isdisjoint({t.id for t in journey.tiles})
    assert all(t.kind != "trigger" for t in tiles)  # the journey has its entry already
    wait_for = next(t for t in tiles if t.kind == "wait_for")
    assert wait_for.message in ids
    assert [(e.source in ids, e.target in ids) for e in edges] == [(True, True)] * 2
    original = journey.tile("guide-email")
    pasted = next(t for t in tiles if t.kind == "email")
    assert (pasted.x, pasted.y) == (original.x + 40, original.y + 40)


def test_paste_refuses_data_that_is_not_tiles() -> None:
    journey = simple_journey()
    with pytest.raises(ValueError):
        paste_tiles(journey, {"tiles": [{"kind": "teleport", "id": "x"}]})
    assert paste_tiles(journey, "not a clipboard") == ([], [])


def test_undoing_a_series_of_edits_in_reverse_restores_the_document() -> None:
    doc = JourneyDocument(simple_journey(start=StartSettings(trigger="order_placed")))
    before = dumped(doc)
    undo: list = []
    removed = doc.remove_tile("wait")
    undo.append(lambda: doc.restore_tile(removed))
    doc.add_tile(WaitTile(id="w2", duration="PT2H"), 1)
    undo.append(lambda: doc.remove_tile("w2"))
    edge = doc.connect("mail", "next", "w2")
    undo.append(lambda: doc.remove_edge(edge))
    old = doc.update_tile("mail", {"content": None, "name": "x"})
    undo.append(lambda: doc.update_tile("mail", old))
    doc.add_tile(EmailTile(id="e2"))
    undo.append(lambda: doc.remove_tile("e2"))
    for step in reversed(undo):
        step()
    assert dumped(doc) == before
