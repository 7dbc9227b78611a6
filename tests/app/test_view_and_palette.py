"""Finding one's way: zoom, pan, fit, overview, the palette's search, auto-layout."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPoint, QPointF, QRect, Qt

from app.canvas import geometry as geo
from app.canvas.layout import auto_layout
from app.palette import HEADER_ROLE
from tests.app.conftest import open_sample
from tests.app.gestures import ctrl_wheel, document_json, drag_pixels


def visible_rect(window):
    return window.view.mapToScene(window.view.viewport().rect()).boundingRect()


def test_ctrl_wheel_and_the_buttons_zoom_within_limits(window) -> None:
    open_sample(window, "brew_guide.json")
    view = window.view
    view.set_zoom(1.0)
    ctrl_wheel(view, 2)
    assert view.zoom() > 1.2
    window.actions_["zoom_out"].trigger()
    window.actions_["zoom_out"].trigger()
    assert view.zoom() < 1.0
    for _ in range(30):
        view.zoom_in()
    assert view.zoom() == 3.0
    assert window.zoom_controls.percent.text() == "300 %"


def test_fit_shows_every_tile(window) -> None:
    open_sample(window, "abandoned_cart.json")
    window.view.set_zoom(2.5)
    window.actions_["fit"].trigger()
    visible = visible_rect(window)
    for item in window.scene.tile_items.values():
        assert visible.contains(item.sceneBoundingRect())


def test_middle_drag_and_space_drag_pan_the_canvas(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    view = window.view
    view.set_zoom(2.0)
    start = visible_rect(window).center()
    drag_pixels(view, QPoint(400, 300), QPoint(300, 250), Qt.MouseButton.MiddleButton)
    moved = visible_rect(window).center()
    assert moved.x() > start.x() and moved.y() > start.y()
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    drag_pixels(view, QPoint(300, 250), QPoint(400, 300), Qt.MouseButton.LeftButton)
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert abs(visible_rect(window).center().x() - start.x()) < 1
    assert window.scene.selected_tile_ids() == []  # panning is not selecting


def test_the_overview_moves_the_view(window, qtbot) -> None:
    open_sample(window, "abandoned_cart.json")
    window.view.set_zoom(2.0)
    overview = window.overview
    qtbot.mouseClick(overview, Qt.MouseButton.LeftButton, pos=QPoint(overview.width() - 12,
                                                                      overview.height() // 2))
    right = visible_rect(window).center().x()
    qtbot.mouseClick(overview, Qt.MouseButton.LeftButton, pos=QPoint(12, overview.height() // 2))
    assert visible_rect(window).center().x() < right - 300


def test_the_overview_steps_aside_while_the_whole_journey_is_in_view(window, qtbot) -> None:
    """It only covered tiles (and a simulation's counts) in its corner when there was
    nowhere else to look."""
    open_sample(window, "abandoned_cart.json")
    overview, view, toggle = window.overview, window.view, window.actions_["overview"]

    def shown(visible: bool) -> None:
        qtbot.waitUntil(lambda: overview.isVisible() == visible, timeout=2000)

    view.set_zoom(2.0)  # larger than the view: the map shows where the view is
    shown(True)
    assert toggle.isChecked()
    view.fit_to_view()  # every tile in view
    shown(False)
    view.set_zoom(2.0)
    shown(True)
    toggle.trigger()  # View → Overview map off: hidden whatever the view
    shown(False)
    assert not toggle.isChecked()
    view.set_zoom(3.0)
    qtbot.wait(50)
    assert not overview.isVisible()
    toggle.trigger()
    shown(True)
    width = view.viewport().width()
    window.resize(window.width() - 300, window.height())  # a smaller window, fitted again
    qtbot.waitUntil(lambda: view.viewport().width() < width)
    view.fit_to_view()
    shown(False)
    window.resize(window.width() + 300, window.height())
    view.set_zoom(3.0)
    shown(True)
    window.problems_dock.show()  # seen in a small window: the map covered the canvas's
    window.resizeDocks([window.problems_dock], [window.height()], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: view.viewport().height() < 2 * overview.height())
    shown(False)  # middle: hidden in a canvas too small to spare the room


def test_the_overview_covers_no_tile_while_a_corner_is_free(window, qtbot) -> None:
    """Seen in a real window: the abandoned-cart sample opened in a small canvas had its
    last tiles under the map in the bottom-right corner. It moves to a free corner and
    stays there while that one is free."""
    open_sample(window, "abandoned_cart.json")
    view, overview = window.view, window.overview
    view.set_zoom(1.0)
    qtbot.waitUntil(overview.isVisible, timeout=2000)
    bottom_right = overview.corners()[0]

    def put_under(corner, tile_id: str) -> None:
        """Scroll so that the tile's centre is under the corner's centre."""
        tile = window.scene.tile_items[tile_id].sceneBoundingRect().center()
        spot = QPoint(corner.x() + overview.width() // 2, corner.y() + overview.height() // 2)
        offset = view.mapToScene(spot - view.viewport().pos()) - view.mapToScene(
            view.viewport().rect().center())
        view.centerOn(tile - offset)

    def covers_a_tile() -> bool:
        return any(overview.geometry().intersects(rect) for rect in overview.tile_rects())

    put_under(bottom_right, "start")
    qtbot.waitUntil(lambda: overview.pos() != bottom_right, timeout=2000)
    assert overview.isVisible() and not covers_a_tile()
    moved_to = overview.pos()
    view.centerOn(view.mapToScene(view.viewport().rect().center()) + QPointF(5, 0))
    qtbot.wait(50)
    assert overview.pos() == moved_to  # still free: it does not jump about


def test_the_palette_search_filters_tiles_and_hides_empty_sections(window, qtbot) -> None:
    open_sample(window, "brew_guide.json")
    palette = window.palette
    qtbot.keyClicks(palette.search, "wait")
    assert palette.visible_kinds() == ["wait", "wait_for"]
    shown_headers = [palette.list.item(i).text() for i in range(palette.list.count())
                     if palette.list.item(i).data(HEADER_ROLE)
                     and not palette.list.item(i).isHidden()]
    assert shown_headers == ["Flow"]
    palette.search.clear()
    qtbot.keyClicks(palette.search, "text message")
    assert palette.visible_kinds() == ["sms"]
    palette.search.clear()
    assert len(palette.visible_kinds()) == 9


def test_double_clicking_a_palette_tile_adds_it_in_view(window) -> None:
    open_sample(window, "brew_guide.json")
    before = len(window.editor.journey.tiles)
    window.palette.tile_requested.emit("wait")
    assert len(window.editor.journey.tiles) == before + 1
    new = window.scene.selected_tile_ids()[0]
    assert visible_rect(window).contains(window.scene.tile_items[new].sceneBoundingRect()
                                         .center())


def test_auto_layout_lays_out_left_to_right_without_overlaps(window) -> None:
    open_sample(window, "abandoned_cart.json")
    journey = window.editor.journey
    for index, tile in enumerate(journey.tiles):  # scramble, as one macro
        window.editor.move_tiles({tile.id: (1000 - index * 130.0, (index % 3) * 60.0)})
    before = document_json(window)
    window.actions_["auto_layout"].trigger()
    positions = {t.id: (t.x, t.y) for t in journey.tiles}
    assert positions == auto_layout(journey)
    for edge in journey.edges:
        assert positions[edge.target][0] > positions[edge.source][0]
    rects = [window.scene.tile_items[t].sceneBoundingRect() for t in positions]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    chain = ["sms-reminder", "wait-1-day", "push-reminder", "exit-done"]
    assert len({positions[t][1] for t in chain}) == 1  # a straight chain stays straight
    window.editor.undo_stack.undo()
    assert document_json(window) == before


def test_delete_key_removes_the_selection_and_select_all_selects_every_tile(window, qtbot):
    open_sample(window, "brew_guide.json")
    window.actions_["select_all"].trigger()
    assert len(window.scene.selected_tile_ids()) == len(window.editor.journey.tiles)
    window.scene.select_tiles(["brew-tips"])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.editor.journey.find_tile("brew-tips") is None
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.journey.find_tile("brew-tips") is not None


def test_snapping_can_be_turned_off(window) -> None:
    open_sample(window, "brew_guide.json")
    window.actions_["snap"].setChecked(False)
    assert window.view.drop_tile("exit", QPointF(1413, 707))
    tile = window.editor.journey.tile(window.scene.selected_tile_ids()[0])
    assert (tile.x, tile.y) == (1413 - geo.TILE_WIDTH / 2, 707 - geo.HEADER_HEIGHT / 2)


def test_with_no_corner_free_the_overview_covers_the_least(window, qtbot,
                                                          monkeypatch) -> None:
    """Seen in a real window: under a test banner no corner of the canvas was free, and
    the map went to the bottom right over two tiles' counts, while at the top right it
    would have covered a strip along one tile's top edge."""
    open_sample(window, "abandoned_cart.json")
    view, overview = window.view, window.overview
    view.set_zoom(1.0)
    qtbot.waitUntil(overview.isVisible, timeout=2000)
    bottom_right, top_right, top_left = overview.corners()
    size = overview.size()
    tiles = [QRect(bottom_right + QPoint(20, 10), size),  # most of the bottom right
             QRect(top_right + QPoint(30, size.height() - 6), size),  # a strip
             QRect(top_left + QPoint(0, 40), size)]  # the lower part of the top left
    monkeypatch.setattr(overview, "tile_rects", lambda: tiles)
    overview.follow_view()
    assert overview.pos() == top_right
    tiles[1] = QRect(top_right + QPoint(0, 20), size)  # now the top right is worse
    overview.follow_view()
    assert overview.pos() == top_left


def palette_item_rect(window, kind: str):
    palette = window.palette
    return palette.list.visualItemRect(palette.item_for(kind))


def test_a_journey_grows_tile_after_tile_from_the_palette_each_joined(window, qtbot) -> None:
    """Seen in a real window: a tile double-clicked in the palette landed in the middle of
    the canvas, unjoined, and every connection had to be dragged across by hand."""
    window.session.new_journey()
    editor, scene, palette = window.editor, window.scene, window.palette
    assert scene.selected_tile_ids() == ["start"]  # the next tile goes after it
    assert "double-click a tile in the palette" in window.statusBar().currentMessage()
    for kind in ("email", "wait"):  # a click, then the double-click (as a mouse sends)
        where = palette_item_rect(window, kind).center()
        qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.keyClicks(palette.search, "exi")  # typed in the search, Enter: the tile found
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert palette.search.selectedText() == "exi"  # the next name types over it
    journey = editor.journey
    chain = ["start", "email-1", "wait-1", "exit-1"]
    assert [t.id for t in journey.tiles] == chain
    assert [(e.source, e.port, e.target) for e in journey.edges] == [
        (a, "next", b) for a, b in itertools.pairwise(chain)]
    xs = [journey.tile(t).x for t in chain]
    assert all(b - a == geo.TILE_WIDTH + 72 for a, b in itertools.pairwise(xs))
    assert len({journey.tile(t).y for t in chain}) == 1  # level: a straight line
    assert scene.selected_tile_ids() == ["exit-1"]
    assert visible_rect(window).contains(scene.tile_items["exit-1"].sceneBoundingRect())
    assert "Added Exit after Wait (Ctrl+Z takes it back)" in window.statusBar().currentMessage()
    editor.undo_stack.undo()  # the tile and its connection, in one step
    assert [t.id for t in editor.journey.tiles] == chain[:3]
    assert len(editor.journey.edges) == 2
    scene.select_tiles(["wait-1"])
    palette.search.clear()
    palette.list.setCurrentItem(palette.item_for("sms"))  # Enter on a row adds it too
    qtbot.keyClick(palette.list, Qt.Key.Key_Return)
    assert ("wait-1", "next", "sms-1") in [(e.source, e.port, e.target)
                                           for e in editor.journey.edges]


def test_after_a_tile_whose_outputs_lead_on_the_new_tile_goes_between(window) -> None:
    window.session.new_journey()
    editor, scene = window.editor, window.scene
    window.palette.tile_requested.emit("wait_for")
    window.palette.tile_requested.emit("email")  # after the wait-for: its Yes path
    scene.select_tiles(["wait-for-1"])
    window.palette.tile_requested.emit("sms")  # Yes is taken: the No path
    edges = {(e.source, e.port): e.target for e in editor.journey.edges}
    assert edges == {("start", "next"): "wait-for-1", ("wait-for-1", "yes"): "email-1",
                     ("wait-for-1", "no"): "sms-1"}
    sms, email = editor.journey.tile("sms-1"), editor.journey.tile("email-1")
    assert sms.y > email.y  # level with the No output, under the Yes one's tile
    scene.select_tiles(["start"])  # its output leads to the wait-for: in between
    window.palette.tile_requested.emit("wait")
    edges = {(e.source, e.port): e.target for e in editor.journey.edges}
    assert (edges[("start", "next")], edges[("wait-1", "next")]) == ("wait-1", "wait-for-1")
    scene.select_tiles(["email-1"])
    window.palette.tile_requested.emit("exit")
    scene.select_tiles(["exit-1"])  # an exit has no output: beside it, not joined
    window.palette.tile_requested.emit("exit")
    assert not any(e.target == "exit-2" for e in editor.journey.edges)
    rects = [scene.tile_items[t.id].sceneBoundingRect() for t in editor.journey.tiles]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
