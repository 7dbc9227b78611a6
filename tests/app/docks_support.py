"""Helpers for the docks' tests (no tests here)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QWidget

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def shoot_widget(widget: QWidget, name: str, ratio: float = 2.0) -> QPixmap:
    """A widget as it is on screen, QtWebEngine's views included: `render` cannot reach
    into Chromium's compositor, so each web view is grabbed on its own and painted in."""
    from app.docks.web_view import SafeWebView

    SHOTS.mkdir(exist_ok=True)
    pixmap = QPixmap(widget.size() * ratio)
    pixmap.setDevicePixelRatio(ratio)
    widget.render(pixmap)
    painter = QPainter(pixmap)
    for view in widget.findChildren(SafeWebView):
        if view.isVisible():
            painter.drawPixmap(view.mapTo(widget, QPoint(0, 0)), view.grab())
    painter.end()
    assert pixmap.save(str(SHOTS / f"{name}.png"))
    return pixmap
