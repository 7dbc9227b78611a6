"""Editing on the canvas with real gestures: drop, connect, insert, move, delete, undo."""

from __future__ import annotations

import json
import time
from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, Qt

from app.canvas import geometry as geo
from app.canvas.layout import LAYER_SPACING
from engine.model import tile_title
from engine.resources import resource
from tests.app.conftest import open_sample
from tests.app.gestures import (
    click,
    document_json,
    drag,
    drop_from_palette,
    edge_midpoint,
    input_pos,
    port_pos,
    tile_centre,
)


def new_tile_ids(window, before: set[str]) -> list[str]:
    return [t.id for t in window.editor.journey.tiles if t.id not in before]


def test_a_tile_dragged_from_the_palette_lands_where_it_is_dropped(window) -> None:
    open_sample(window, "brew_guide.json")
    before = {t.id for t in window.editor.journey.tiles}
    spot = QPointF(640, 620)
    window.view.centerOn(spot)
    drop_from_palette(window, "sms", spot)
    [added] = new_tile_ids(window, before)
    tile = window.editor.journey.tile(added)
    assert tile.kind == "sms"
    assert QRectF(tile.x, tile.y, geo.TILE_WIDTH, geo.HEADER_HEIGHT).contains(spot)
    assert (tile.x % geo.GRID, tile.y % geo.GRID) == (0, 0)  # snapped to the grid
    assert window.scene.tile_items[added].pos() == QPointF(tile.x, tile.y)
    assert window.scene.selected_tile_ids() == [added]
    assert window.isWindowModified()


def test_a_tile_dropped_on_another_follows_it_joined_never_over_it(window) -> None:
    """Seen in a real window: dropped over (or against) a tile, the new one was drawn
    over it, the ports of both on one spot; then it went beside it, unjoined. Now a tile
    dropped on another follows it, joined to its free output (or put on the connection
    of its output), and while the drag is over the tile, the tile and the status bar say
    so."""
    open_sample(window, "brew_guide.json")
    journey = window.editor.journey
    under = journey.tiles[1]
    spot = tile_centre(window, under.id)
    window.view.centerOn(spot)
    before, edges_before = {t.id for t in journey.tiles}, list(journey.edges)
    seen = []

    def while_over() -> None:
        seen.append((window.scene.tile_items[under.id].drop_target,
                     window.statusBar().currentMessage()))

    drop_from_palette(window, "push", spot, while_over)
    assert seen == [(True, f"Drop to add it after “{tile_title(under)}”, joined to it")]
    assert not window.scene.tile_items[under.id].drop_target  # gone with the drop
    [added] = new_tile_ids(window, before)
    journey = window.editor.journey
    tile = journey.tile(added)
    assert (under.id, added) in {(e.source, e.target) for e in journey.edges}

    def room(t) -> QRectF:
        return QRectF(t.x, t.y, geo.TILE_WIDTH, geo.tile_height(t) + geo.counts_room(t))

    assert not any(room(tile).intersects(room(other)) for other in journey.tiles
                   if other.id != added)
    assert tile.x > under.x  # after it, to the right
    assert window.scene.tile_items[added].pos() == QPointF(tile.x, tile.y)
    assert window.statusBar().currentMessage().startswith(
        f"Added Push notification after {tile_title(under)}")
    window.editor.undo_stack.undo()  # one step, as any drop
    assert added not in {t.id for t in window.editor.journey.tiles}
    assert window.editor.journey.edges == edges_before
    done = next(t for t in journey.tiles if t.kind == "exit")  # no output to follow:
    over_exit = []  # dropped beside it, as against any tile
    drop_from_palette(window, "sms", tile_centre(window, done.id), lambda: over_exit.append(
        (window.scene.tile_items[done.id].drop_target, window.statusBar().currentMessage())))
    assert not over_exit[0][0] and not over_exit[0][1].startswith("Drop to add")
    assert not any(e.source == done.id for e in window.editor.journey.edges)


def test_dragging_from_an_output_port_to_a_tile_connects_them(window) -> None:
    open_sample(window, "brew_guide.json")
    window.view.centerOn(QPointF(640, 640))
    drop_from_palette(window, "exit", QPointF(640, 640))
    drop_from_palette(window, "email", QPointF(360, 640))
    email = next(t.id for t in window.editor.journey.tiles if t.id.startswith("email-"))
    exit_tile = next(t.id for t in window.editor.journey.tiles if t.id.startswith("exit-"))
    drag(window.view, port_pos(window, email), input_pos(window, exit_tile))
    assert window.editor.journey.next_tile_id(email) == exit_tile
    assert (email, "next", exit_tile) in window.scene.edge_items
    assert window.scene.port_connected(email, "next")


def test_a_branch_port_connects_from_its_labelled_row(window) -> None:
    open_sample(window, "case_resolved_survey.json")
    window.editor.delete([], [e for e in window.editor.journey.edges_from("satisfaction")
                              if e.port == "other"])
    window.view.centerOn(tile_centre(window, "exit-satisfied"))
    drag(window.view, port_pos(window, "satisfaction", "other"),
         tile_centre(window, "exit-satisfied"))
    assert window.editor.journey.next_tile_id("satisfaction", "other") == "exit-satisfied"


def test_dropping_a_tile_on_an_edge_inserts_it_between_the_two_tiles(window) -> None:
    open_sample(window, "abandoned_cart.json")
    middle = edge_midpoint(window, "sms-reminder", "next", "wait-1-day")
    # the connection near the view's right edge: where the new tile goes is out of view
    half = window.view.viewport().width() / window.view.zoom() / 2
    window.view.centerOn(middle - QPointF(half - 30, 0))
    before = {t.id for t in window.editor.journey.tiles}
    drop_from_palette(window, "email", middle)
    [added] = new_tile_ids(window, before)
    journey = window.editor.journey
    assert journey.next_tile_id("sms-reminder") == added
    assert journey.next_tile_id(added) == "wait-1-day"
    assert ("sms-reminder", "next", "wait-1-day") not in window.scene.edge_items
    # It makes room (dropped where it was, it covered the tiles on both sides): in the
    # text's row, a layer after it; what follows moves right; nothing overlaps; one undo.
    assert (journey.tile(added).x, journey.tile(added).y) == (760 + 272, 380)
    assert [journey.tile(t).x for t in ("wait-1-day", "push-reminder", "exit-done")] == [
        1000 + 304, 1240 + 304, 1480 + 304]
    assert journey.tile("email-reminder").x == 280  # before it: stays
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.tile_items[added].sceneBoundingRect())  # in view
    rects = [item.sceneBoundingRect() for item in window.scene.tile_items.values()]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    window.editor.undo_stack.undo()
    journey = window.editor.journey
    assert journey.tile("wait-1-day").x == 1000 and added not in {t.id for t in journey.tiles}


def test_dragging_tiles_moves_them_in_the_document_as_one_undo_step(window) -> None:
    open_sample(window, "brew_guide.json")
    window.scene.select_tiles(["grinder-offer", "exit-offer"])
    start = tile_centre(window, "grinder-offer")
    steps_before = window.editor.undo_stack.count()
    drag(window.view, start, start + QPointF(100, 60))
    journey = window.editor.journey
    assert (journey.tile("grinder-offer").x, journey.tile("grinder-offer").y) == (1100, 140)
    assert (journey.tile("exit-offer").x, journey.tile("exit-offer").y) == (1340, 140)
    assert window.editor.undo_stack.count() == steps_before + 1
    window.editor.undo_stack.undo()
    assert (journey.tile("exit-offer").x, journey.tile("exit-offer").y) == (1240, 80)
    assert window.scene.tile_items["exit-offer"].pos() == QPointF(1240, 80)


def test_undo_and_redo_restore_the_document_exactly(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    stack = window.editor.undo_stack
    states = [document_json(window)]
    window.view.centerOn(QPointF(700, 650))
    drop_from_palette(window, "wait_for", QPointF(700, 650))
    states.append(document_json(window))
    drop_from_palette(window, "sms", edge_midpoint(window, "email-reminder", "next",
                                                   "opened-email"))
    states.append(document_json(window))
    window.scene.select_tiles(["wait-1-day"])
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    states.append(document_json(window))
    window.editor.update_tile("push-reminder", name="Last nudge")
    states.append(document_json(window))
    window.actions_["auto_layout"].trigger()
    states.append(document_json(window))
    assert len(set(states)) == len(states) == stack.count() + 1
    for expected in reversed(states[:-1]):
        stack.undo()
        assert document_json(window) == expected
    assert not window.isWindowModified()
    for expected in states[1:]:
        stack.redo()
        assert document_json(window) == expected
    assert set(window.scene.tile_items) == {t.id for t in window.editor.journey.tiles}


def test_refused_connections_say_why_in_the_status_bar(window) -> None:
    open_sample(window, "brew_guide.json")
    status = window.statusBar()
    window.view.centerOn(QPointF(700, 300))
    before = document_json(window)
    # a second edge from a single output
    drag(window.view, port_pos(window, "guide-email"), tile_centre(window, "brew-tips"))
    assert "already leads to" in status.currentMessage()
    # an edge into the entry
    drop_from_palette(window, "sms", QPointF(300, 600))
    sms = next(t.id for t in window.editor.journey.tiles if t.id.startswith("sms-"))
    drag(window.view, port_pos(window, sms), tile_centre(window, "start"))
    assert "entry" in status.currentMessage()
    # a loop: free the grinder offer's output, then lead it back to the first email
    edge = window.scene.edge_items[("grinder-offer", "next", "exit-offer")]
    click(window.view, edge_midpoint(window, "grinder-offer", "next", "exit-offer"))
    assert edge.isSelected()
    window.actions_["delete"].trigger()
    drag(window.view, port_pos(window, "grinder-offer"), tile_centre(window, "guide-email"))
    assert "loop" in status.currentMessage()
    journey = window.editor.journey
    assert journey.next_tile_id("grinder-offer") is None
    assert [e.target for e in journey.edges_from("guide-email")] == ["wait-2-days"]
    window.editor.undo_stack.undo()  # the connection's delete
    window.editor.undo_stack.undo()  # the sms tile
    assert document_json(window) == before


def test_a_connection_drag_shows_a_refusal_while_hovering(window) -> None:
    open_sample(window, "brew_guide.json")
    scene = window.scene
    scene.begin_connect(scene.tile_items["guide-email"].output_ports["next"],
                        port_pos(window, "guide-email"))
    scene.move_connect(tile_centre(window, "start"))
    assert "Cannot connect" in window.statusBar().currentMessage()
    assert scene.tile_items["guide-email"].input_port.refused is False
    scene.finish_connect(QPointF(-500, -500))
    assert window.statusBar().currentMessage() == ""


def test_copy_and_paste_gives_fresh_tiles_with_their_connection(window) -> None:
    open_sample(window, "brew_guide.json")
    window.scene.select_tiles(["brew-tips", "exit-tips"])
    window.actions_["copy"].trigger()
    window.actions_["paste"].trigger()
    pasted = window.scene.selected_tile_ids()
    assert len(pasted) == 2 and not {"brew-tips", "exit-tips"} & set(pasted)
    email, end = pasted
    assert window.editor.journey.next_tile_id(email) == end
    original = window.editor.journey.tile("brew-tips")
    copy = window.editor.journey.tile(email)
    assert (copy.x, copy.y, copy.content) == (original.x + 40, original.y + 40, original.content)
    window.actions_["cut"].trigger()
    assert email not in {t.id for t in window.editor.journey.tiles}


def test_only_one_entry_tile_can_be_added(window) -> None:
    open_sample(window, "brew_guide.json")
    before = document_json(window)
    drop_from_palette(window, "trigger", QPointF(300, 640))
    assert document_json(window) == before
    assert "one entry" in window.statusBar().currentMessage()


def test_auto_layout_of_a_journey_of_10000_tiles_is_quick_and_undone_as_one_step(
        window, tmp_path) -> None:
    """A bundle from outside with a chain of 10,000 waits (20,000 froze the studio for
    minutes in a real window): each tile looked for among all the connections and all the
    tiles, once per tile, in the layout, in its move command and in the canvas."""
    bundle = json.loads(resource("samples", "abandoned_cart.json").read_text())
    journey = bundle["journey"]
    first = next(e for e in journey["edges"] if e["source"] == "start")
    journey["edges"].remove(first)
    waits = [{"kind": "wait", "id": f"w{i}", "name": f"Wait {i}", "x": 0.0, "y": 0.0,
              "mode": "duration", "duration": "PT1M"} for i in range(10_000)]
    journey["tiles"] += waits
    chain = ["start", *(w["id"] for w in waits), first["target"]]
    journey["edges"] += [{"source": a, "port": "next", "target": b}
                         for a, b in pairwise(chain)]
    (tmp_path / "long.json").write_text(json.dumps(bundle))
    window.session.open_sample(tmp_path / "long.json")
    before = window.editor.undo_stack.count()
    started = time.perf_counter()
    window.actions_["auto_layout"].trigger()
    took = time.perf_counter() - started
    tiles = window.editor.journey
    assert [tiles.tile(f"w{i}").x for i in (0, 1, 9999)] == [
        geo.snap(tiles.tile("start").x + (i + 1) * LAYER_SPACING, 1) for i in (0, 1, 9999)]
    assert window.scene.tile_items["w9999"].pos().x() == tiles.tile("w9999").x
    assert took < 5, f"{took:.1f} s"
    assert window.editor.undo_stack.count() == before + 1
    window.editor.undo_stack.undo()
    assert tiles.tile("w9999").x == 0.0
