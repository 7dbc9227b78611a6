"""Live counts on the canvas: while the studio's engine runs, every tile of the live
version shows its numbers under it, the same as `waymark stats`; only the badges whose
numbers changed are repainted; View → Show counts hides them; a draft never published
and a stopped engine show none.

Real parts: the window offscreen, the engine's threads and socket on a free port, events
fired through the socket, `waymark stats` as a process of its own.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF

from app.engine_link import EngineMode
from engine.store.analytics import TileStats
from tests.app.studio_engine_support import activate, wait_for_mode
from tests.app.test_shortcuts import press
from tests.app.test_studio_engine import running_cart_studio, studio  # noqa: F401 (fixture)
from tests.engine.serve_support import run_cli

PEOPLE_COLUMNS = ("inflow", "processing", "processed", "exited")


def badge(window, tile_id: str):
    return window.scene.overlay.badges.get(tile_id)


def shown(window, tile_id: str, metric: str) -> int | None:
    item = badge(window, tile_id)
    return item.value(metric) if item is not None and item.isVisible() else None


def fire(window, person: str, total: float) -> None:
    """Through the studio's own link: a real POST to the engine's socket."""
    window.engine.fire("abandoned_cart", {
        "authId": person, "contactpoint_email": f"{person}@example.com",
        "attributes": {"cart_total": total}})


def stats_table(path) -> dict[str, dict[str, int]]:
    """`waymark stats abandoned-cart`'s people table: tile id -> column -> number."""
    out = run_cli("stats", "abandoned-cart", "--workspace", str(path)).stdout
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("TILE")) + 2
    table = {}
    for line in lines[start:]:
        if not line.strip() or line.startswith(" "):  # the reasons under the table
            break
        words = line.split()
        table[words[0]] = dict(zip(PEOPLE_COLUMNS, map(int, words[-4:]), strict=True))
    return table


def test_counts_under_the_tiles_match_waymark_stats(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    qtbot.waitUntil(lambda: shown(window, "start", "inflow") == 0, timeout=5000)
    assert set(window.scene.overlay.badges) == set(window.scene.tile_items)
    for person, total in (("ann", 80), ("bo", 95), ("cy", 20)):  # cy: cart under 50
        fire(window, person, total)
    qtbot.waitUntil(lambda: shown(window, "start", "inflow") == 3
                    and shown(window, "email-reminder", "sent") == 2
                    and shown(window, "opened-email", "processing") == 2, timeout=10000)
    assert shown(window, "start", "exited") == 1  # cy did not meet the condition
    assert "unmet trigger condition" in badge(window, "start").toolTip()
    stats = stats_table(tmp_path / "shop.waymark")
    for tile_id, columns in stats.items():
        for metric, number in columns.items():
            assert shown(window, tile_id, metric) == number, (tile_id, metric)
    assert shown(window, "exit-done", "inflow") == 0  # nobody there yet: a zero, shown


def test_a_new_person_repaints_only_the_badges_whose_numbers_changed(qtbot, studio,  # noqa: F811
                                                                    tmp_path):
    window = running_cart_studio(qtbot, studio, tmp_path)
    fire(window, "ann", 80)
    qtbot.waitUntil(lambda: shown(window, "opened-email", "processing") == 1, timeout=10000)
    qtbot.wait(100)  # the scene tells what changed on its next turn: that is old news
    regions: list[QRectF] = []
    window.scene.changed.connect(regions.extend)
    fire(window, "bo", 80)
    qtbot.waitUntil(lambda: shown(window, "opened-email", "processing") == 2, timeout=10000)
    qtbot.wait(50)  # the scene says what changed on its next turn

    def repainted(tile_id: str) -> bool:
        area = badge(window, tile_id).sceneBoundingRect()
        return any(area.intersects(region) for region in regions)

    assert repainted("start") and repainted("email-reminder")
    untouched = ("exit-opened", "sms-reminder", "wait-1-day", "push-reminder", "exit-done")
    assert not any(repainted(tile_id) for tile_id in untouched)


def test_view_show_counts_hides_and_shows_the_badges(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    qtbot.waitUntil(lambda: shown(window, "start", "inflow") == 0, timeout=5000)
    toggle = window.actions_["show_counts"]
    assert toggle.isChecked() and toggle.shortcut().toString() == "Ctrl+Shift+C"
    activate(qtbot, window)
    press(window, "Ctrl+Shift+C")
    assert not toggle.isChecked()
    assert not any(item.isVisible() for item in window.scene.overlay.badges.values())
    fire(window, "ann", 80)  # counts go on arriving while hidden ...
    qtbot.waitUntil(lambda: badge(window, "start").value("inflow") == 1, timeout=10000)
    assert not badge(window, "start").isVisible()
    toggle.trigger()  # ... and show at once when asked for
    assert shown(window, "start", "inflow") == 1


def test_a_draft_never_published_and_a_stopped_engine_show_no_counts(qtbot, studio,  # noqa: F811
                                                                    tmp_path):
    window = running_cart_studio(qtbot, studio, tmp_path)
    qtbot.waitUntil(lambda: shown(window, "start", "inflow") == 0, timeout=5000)
    window.session.new_journey()  # a fresh draft: nothing has run, nothing to count
    assert window.scene.overlay.badges == {}
    window.session.open_journey("abandoned-cart")
    qtbot.waitUntil(lambda: shown(window, "start", "inflow") == 0, timeout=5000)
    window.engine.stop()
    wait_for_mode(qtbot, window, EngineMode.STOPPED)
    assert window.scene.overlay.badges == {}


def test_after_auto_layout_no_counts_card_covers_a_tile(qtbot, studio, tmp_path):  # noqa: F811
    window = running_cart_studio(qtbot, studio, tmp_path)
    window.session.edit_as_new_version()  # a live journey is laid out in a new version
    journey = window.editor.journey
    for index, tile in enumerate(journey.tiles):  # all in one column: layers of one
        window.editor.move_tiles({tile.id: (40.0, index * 100.0)})
    window.actions_["auto_layout"].trigger()
    qtbot.waitUntil(lambda: len(window.scene.overlay.badges) == len(journey.tiles),
                    timeout=5000)
    tiles = {t: item.sceneBoundingRect() for t, item in window.scene.tile_items.items()}
    for tile_id, card in window.scene.overlay.badges.items():
        covered = [t for t, rect in tiles.items()
                   if t != tile_id and rect.intersects(card.sceneBoundingRect())]
        assert covered == [], f"the counts of {tile_id} cover {covered}"


def test_a_simulations_counts_are_marked_and_the_live_ones_come_back_unmarked(
        qtbot, studio, tmp_path):  # noqa: F811
    """A published journey showing a simulation's 500 people must not pass them off as
    live: their badges are edged in the flows' colour until the results are left."""
    window = running_cart_studio(qtbot, studio, tmp_path)
    fire(window, "ann", 80)
    qtbot.waitUntil(lambda: shown(window, "start", "inflow") == 1, timeout=10000)
    overlay = window.scene.overlay
    assert not any(item.simulated for item in overlay.badges.values())
    overlay.show_simulation({"start": TileStats("start", inflow=500)})
    assert shown(window, "start", "inflow") == 500
    assert all(item.simulated for item in overlay.badges.values())
    overlay.show_simulation(None)  # Leave results
    assert shown(window, "start", "inflow") == 1
    assert not any(item.simulated for item in overlay.badges.values())
