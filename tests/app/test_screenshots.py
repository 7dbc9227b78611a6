"""Screenshots of the studio for people to look at (tests/screenshots/, git-ignored; those
taken on a real X display, as CI's Xvfb pass does, in tests/screenshots/xcb/).

Each sample journey, light and dark; a selected branch tile with its form; a journey
with problems; and one at 200 % scaling to check that icons and text stay crisp.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QGuiApplication, QImage, QPixmap

from app import theme
from tests.app.conftest import open_sample
from tests.app.gestures import drop_from_palette

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
SAMPLES = ["abandoned_cart", "case_resolved_survey", "brew_guide"]


@pytest.fixture
def themed_window(window, themed, qtbot):
    """`themed_window(mode)`: the window in that theme at 1920 × 1080."""
    def use(name: str):
        themed(name)
        window.apply_theme()
        window.resize(1920, 1080)
        qtbot.wait(30)
        return window

    return use


def save(window, qtbot, name: str, ratio: float = 1.0) -> QImage:
    platform = QGuiApplication.platformName()
    folder = SHOTS if platform == "offscreen" else SHOTS / platform
    folder.mkdir(parents=True, exist_ok=True)
    window.runner.run_now()
    qtbot.wait(100)  # the overview redraws its miniature after 60 ms
    pixmap = QPixmap(window.size() * ratio)
    pixmap.setDevicePixelRatio(ratio)
    window.render(pixmap)
    path = folder / f"{name}.png"
    assert pixmap.save(str(path))
    return QImage(str(path))


def distinct_colours(image: QImage) -> int:
    step = max(1, image.width() // 200)
    return len({image.pixel(x, y) for x in range(0, image.width(), step)
                for y in range(0, image.height(), step)})


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshots_of_each_sample(themed_window, qtbot, mode) -> None:
    window = themed_window(mode)
    for sample in SAMPLES:
        open_sample(window, f"{sample}.json")
        window.view.show_journey()
        image = save(window, qtbot, f"{sample}-{mode}")
        assert (image.width(), image.height()) == (1920, 1080)
        assert distinct_colours(image) > 40
    canvas = window.view.viewport().grab().toImage()
    corner = canvas.pixelColor(5, 5)
    assert (corner.lightness() < 60) == (mode == "dark")
    assert theme.current().name == mode


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_screenshot_of_a_selected_branch(themed_window, qtbot, mode) -> None:
    window = themed_window(mode)
    open_sample(window, "case_resolved_survey.json")
    window.view.show_journey()
    window.scene.select_tiles(["satisfaction"])
    save(window, qtbot, f"case_resolved_survey-branch-selected-{mode}")


def test_screenshot_of_a_journey_with_problems(themed_window, qtbot) -> None:
    window = themed_window("light")
    open_sample(window, "abandoned_cart.json")
    window.editor.update_tile("sms-reminder", content=None)
    drop_from_palette(window, "split", QPointF(760, 620))
    window.view.show_journey()
    window.scene.clearSelection()
    save(window, qtbot, "abandoned_cart-problems-light")
    assert window.problems.topLevelItemCount() >= 3


def test_screenshot_at_200_percent(themed_window, qtbot) -> None:
    window = themed_window("light")
    open_sample(window, "brew_guide.json")
    window.view.show_journey()
    window.scene.select_tiles(["clicked-grinders"])
    image = save(window, qtbot, "brew_guide-200-percent-light", ratio=2.0)
    assert image.width() == 3840
