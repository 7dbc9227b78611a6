"""SVG icons from `resources/icons`, tinted to a colour: crisp at any scale.

Every icon is drawn with `stroke="currentColor"`; the colour is filled in when the icon
is loaded, so one file serves light and dark themes.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app import theme
from engine.resources import resource

TILE_ICONS = {"trigger", "email", "sms", "push", "wait", "wait_for", "attribute_branch",
              "split", "exit"}


@cache
def svg_text(name: str) -> str:
    return resource("icons", f"{name}.svg").read_text(encoding="utf-8")


@cache
def renderer(name: str, color: str) -> QSvgRenderer:
    data = svg_text(name).replace("currentColor", color)
    return QSvgRenderer(QByteArray(data.encode("utf-8")))


def paint_icon(painter: QPainter, name: str, rect: QRectF, color: QColor | str) -> None:
    """Draw an icon as vectors: sharp on screen, in a cache and when zoomed."""
    renderer(name, QColor(color).name()).render(painter, rect)


class _SvgIconEngine(QIconEngine):
    """Renders at the requested size and device pixel ratio, never from a scaled bitmap."""

    def __init__(self, name: str, color: str | None, disabled: str | None) -> None:
        super().__init__()
        self._name, self._color, self._disabled = name, color, disabled

    def paint(self, painter: QPainter, rect, mode: QIcon.Mode, _state) -> None:
        current = theme.current()
        color = self._color or current.text
        if mode == QIcon.Mode.Disabled:
            color = self._disabled or current.muted
        elif mode in (QIcon.Mode.Active, QIcon.Mode.Selected) and not self._color:
            color = current.text
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_icon(painter, self._name, QRectF(rect), color)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state, scale: float) -> QPixmap:
        if size.isEmpty():  # asked for by a widget not laid out yet: nothing to paint on
            return QPixmap()
        pixmap = QPixmap(size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRectF(0, 0, size.width(), size.height()).toRect(), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._name, self._color, self._disabled)


def icon(name: str, color: str | None = None) -> QIcon:
    """A themed icon: the text colour unless a colour is given; muted when disabled."""
    return QIcon(_SvgIconEngine(name, color, None))


def badge_pixmap(kind: str, size: int = 28, ratio: float = 2.0) -> QPixmap:
    """A tile kind's icon, white on a rounded square of the kind's colour."""
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_badge(painter, kind, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def paint_badge(painter: QPainter, kind: str, rect: QRectF) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.current().kind_color(kind))
    radius = rect.width() * 0.26
    painter.drawRoundedRect(rect, radius, radius)
    inset = rect.width() * 0.2
    paint_icon(painter, kind, rect.adjusted(inset, inset, -inset, -inset), "#ffffff")
    painter.restore()
