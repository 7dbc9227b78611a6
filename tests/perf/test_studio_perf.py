"""Studio benchmarks at 300 tiles: opening a journey, repainting a moved tile, validating.

Run on demand: `python3 -m pytest tests/perf -s` (offscreen; real widgets, real workspace).
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPointF, QSettings

from tests.perf.conftest import report, timed
from tests.perf.generate import big_bundle

pytestmark = pytest.mark.perf


@pytest.fixture
def studio(qapp, tmp_path):
    from app.main_window import MainWindow
    from app.theme import ThemeManager

    ThemeManager(qapp, "light")
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1600, 1000)
    window.show()
    window.session.open_workspace(tmp_path / "perf.waymark")
    window.session.store.import_bundle(big_bundle(300))
    qapp.processEvents()
    yield window
    window.editor.undo_stack.setClean()
    window.close()
    window.session.store.close()


def _open(window, qapp) -> None:
    window.session.open_journey("big", check_saved=False)
    qapp.processEvents()  # the fit, the first layout
    window.view.viewport().repaint()


def test_open_a_300_tile_journey(studio, qapp) -> None:
    start = time.perf_counter()
    _open(studio, qapp)
    first = (time.perf_counter() - start) * 1000
    assert len(studio.scene.tile_items) >= 300
    figures = {"tiles": len(studio.scene.tile_items), "first open ms": first,
               "open again median ms": timed(lambda: _open(studio, qapp), repeat=5)["median_ms"]}
    report("Studio: open a 300-tile journey (load, scene, validation, first paint)", figures,
           {"first open ms": "< 1000", "open again median ms": "< 1000"})
    assert figures["open again median ms"] < 5000  # a guard against gross regressions only


def test_repaint_when_one_tile_moves(studio, qapp) -> None:
    _open(studio, qapp)
    view, item = studio.view, studio.scene.tile_items["l3-5"]
    origin = item.pos()
    steps = iter(range(10_000))

    def move() -> None:  # as during a drag: the item moves, its edges follow
        step = next(steps)
        item.setPos(origin + QPointF(20 * (step % 7), 20 * (step % 3)))

    def move_and_update() -> None:
        move()
        qapp.processEvents()  # Qt repaints what changed, as it does while dragging

    def move_and_repaint_all() -> None:
        move()
        view.viewport().repaint()  # the worst case: every pixel of the canvas

    figures = {}
    for zoom_name, arrange in (("100 %", lambda: (view.set_zoom(1.0), view.centerOn(item))),
                               ("fit (all 300)", view.fit_to_view)):
        arrange()
        qapp.processEvents()
        figures[f"{zoom_name}: update median ms"] = timed(move_and_update, 60)["median_ms"]
        figures[f"{zoom_name}: full repaint median ms"] = timed(move_and_repaint_all,
                                                                60)["median_ms"]
    size = view.viewport().size()
    report(f"Studio: repaint after moving one tile (canvas {size.width()} x {size.height()} px)",
           figures,
           {name: "< 16" for name in figures})
    assert figures["100 %: update median ms"] < 200


def test_validation_after_an_edit(studio, qapp) -> None:
    _open(studio, qapp)
    names = iter(f"Email {n}" for n in range(10_000))
    runner, editor = studio.runner, studio.editor

    def edit() -> None:
        editor.update_tile("l5-0", name=next(names))

    def edit_and_validate() -> None:
        edit()
        runner.run_now()

    figures = {
        "edit (command, document, scene) median ms": timed(edit, repeat=30)["median_ms"],
        "validate median ms": timed(runner.run_now, repeat=30)["median_ms"],
        "edit + validate + show median ms": timed(edit_and_validate, repeat=30)["median_ms"],
        "problems": len(runner.problems),
    }
    report("Studio: validation after an edit at 300 tiles", figures,
           {"validate median ms": "< 50", "edit + validate + show median ms": "< 50"})
    assert figures["validate median ms"] < 500
