"""Screenshots of trying a journey, for people to look at (tests/screenshots/): the canvas
mid-test — the followed person's token, the green path, the bold edges, the counts — the
test panel with its step list, and the people behind a count; light and dark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.app.test_engine_screenshots import shoot
from tests.app.test_studio_engine import fire_cart, studio  # noqa: F401 (fixture)
from tests.app.test_test_mode import follow_from_panel, here, studio_under_test


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_a_journey_under_test(qtbot, studio, tmp_path, prompts, themes,  # noqa: F811
                                             mode):
    themes.force(mode)
    try:
        window = studio_under_test(qtbot, studio, tmp_path, prompts, wait_seconds=3600)
        window.apply_theme()
        for person in ("test-ann", "test-bo"):
            fire_cart(qtbot, window, person).close()
        follow_from_panel(qtbot, window, "test-bo")
        qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
        window.try_out.tests.next_step("test-bo")  # bo's wait-for times out: "No"
        qtbot.waitUntil(lambda: here(window) == "wait-1-day", timeout=10000)
        follow_from_panel(qtbot, window, "test-ann")
        qtbot.waitUntil(lambda: here(window) == "opened-email", timeout=10000)
        overlay = window.scene.overlay
        qtbot.waitUntil(lambda: overlay.badges["start"].value("inflow") == 2, timeout=10000)
        window.view.set_zoom(0.9)
        window.view.center_on_tile("opened-email")
        qtbot.wait(500)  # the token's glide
        shoot(window, f"test-mode-window-{mode}", ratio=1.0)
        # the README's (resources/screenshots/studio-test-*.png): 1600 × 1000, the email
        # in the Outbox below the canvas
        window.resize(1600, 1000)
        window.engine_docks.outbox_dock.raise_()
        qtbot.waitUntil(lambda: window.outbox.model.rowCount() >= 2, timeout=10000)
        window.view.center_on_tile("opened-email")
        qtbot.wait(300)
        shoot(window, f"studio-test-{mode}", ratio=1.0)
        # at the screen's own scale: the canvas's tiles are cached at it
        shoot(window.centralWidget(), f"test-mode-canvas-{mode}", ratio=1.0)
        shoot(window.test_dock, f"test-mode-panel-{mode}")
        shoot(window.test_banner, f"test-mode-banner-{mode}")
        badge = overlay.badges["opened-email"]
        at = window.view.mapFromScene(badge.mapToScene(
            badge.cell_rect("processing").center()))
        qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
        popup = window.try_out.follow.popup
        qtbot.waitUntil(lambda: popup.list.topLevelItemCount() == 1, timeout=10000)
        shoot(popup, f"test-mode-people-{mode}")
        popup.hide()
    finally:
        themes.force("light")
