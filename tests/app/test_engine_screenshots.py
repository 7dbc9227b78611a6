"""Screenshots of the engine's views for people to look at (tests/screenshots/): the
status bar's engine area and the fire dialog — filled, after a 202, after a refusal —
in light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from app.engine_link import EngineMode
from tests.app.studio_engine_support import (
    field,
    make_test_contact,
    type_into,
    wait_for_mode,
)
from tests.app.test_studio_engine import publish_cart_sample, studio  # noqa: F401 (fixture)

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def shoot(widget, name: str, ratio: float = 2.0) -> QPixmap:
    SHOTS.mkdir(exist_ok=True)
    pixmap = QPixmap(widget.size() * ratio)
    pixmap.setDevicePixelRatio(ratio)
    widget.render(pixmap)
    assert pixmap.save(str(SHOTS / f"{name}.png"))
    return pixmap


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_the_status_bar_and_the_fire_dialog(qtbot, studio, tmp_path,  # noqa: F811
                                                           themes, mode):
    themes.force(mode)
    try:
        window = studio()
        window.apply_theme()
        window.session.open_workspace(tmp_path / "shop.waymark")
        wait_for_mode(qtbot, window, EngineMode.RUNNING)
        publish_cart_sample(window)
        window.actions_["fire"].trigger()
        dialog = window.engine_control.fire_dialog
        qtbot.waitUntil(dialog.fire_button.isEnabled, timeout=20000)
        make_test_contact(qtbot, dialog, "test-ann", "ann@example.com")
        type_into(qtbot, field(dialog, "attributes.currency"), "EUR")
        qtbot.wait(50)
        shoot(dialog, f"fire-dialog-filled-{mode}")
        qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)  # no cart total
        shoot(dialog, f"fire-dialog-refused-{mode}")
        type_into(qtbot, field(dialog, "attributes.cart_total"), "80")
        qtbot.mouseClick(dialog.fire_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "202" in dialog.answer.text(), timeout=10000)
        qtbot.waitUntil(lambda: window.engine_status.accepted.text() == "1 event today",
                        timeout=5000)
        shoot(dialog, f"fire-dialog-accepted-{mode}")
        shoot(window.statusBar(), f"status-bar-engine-{mode}")
        shoot(window, f"studio-engine-{mode}", ratio=1.0)
        window.engine.stop()
        wait_for_mode(qtbot, window, EngineMode.STOPPED)
        shoot(window.statusBar(), f"status-bar-engine-stopped-{mode}")
        shoot(dialog, f"fire-dialog-no-engine-{mode}")
    finally:
        themes.force("light")
