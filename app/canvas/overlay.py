"""Controls that float over the canvas: zoom buttons and the overview map."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from app import theme
from app.canvas.view import CanvasView
from app.icons import icon

MARGIN = 12  # between a floating control and the canvas's edge


class ZoomControls(QFrame):
    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self.setObjectName("zoomControls")
        self.view = view
        self.percent = QLabel("100 %")
        self.percent.setObjectName("zoomPercent")
        self.percent.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.percent.setMinimumWidth(48)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        for name, tip, slot in (("zoom_out", "Zoom out (Ctrl+-)", view.zoom_out),
                                (None, None, None),
                                ("zoom_in", "Zoom in (Ctrl++)", view.zoom_in),
                                ("fit", "Fit to view (Ctrl+0)", view.fit_to_view)):
            if name is None:
                layout.addWidget(self.percent)
                continue
            button = QToolButton(icon=icon(name), toolTip=tip, autoRaise=True)
            button.clicked.connect(slot)
            layout.addWidget(button)
        view.zoom_changed.connect(lambda z: self.percent.setText(f"{round(z * 100)} %"))


class OverviewMap(QWidget):
    """The whole journey in miniature; the frame is what the canvas shows. Click or drag
    to look elsewhere.

    It shows when it is wanted (View → Overview map) and the canvas does not show every
    tile: with the whole journey in view there is nowhere else to look, and it would
    only cover the tiles (and a simulation's counts) in its corner; nor in a canvas too
    small to spare it the room. Shown, it sits in a
    corner of the canvas where it covers no tile: bottom right, else top right, else top
    left (it stays in one while that one is free); with none free, the one where it
    covers the least (always bottom right hid two tiles' counts under a test banner while
    the top right would have covered a strip of one tile's edge)."""

    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self.setObjectName("overview")
        self.view = view
        self.wanted = True
        self.setFixedSize(200, 128)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._miniature: QPixmap | None = None
        self._mapping_cache: tuple[QRectF, float, QPointF] | None = None
        self._timer = QTimer(self, singleShot=True, interval=60)
        self._timer.timeout.connect(self.invalidate)
        # looked at once the view settles: mid-change (a journey being replaced) the
        # scene's tiles may be half gone
        self._follow = QTimer(self, singleShot=True, interval=0)
        self._follow.timeout.connect(self.follow_view)
        view.journey_scene.changed.connect(lambda _r: self._timer.start())
        view.horizontalScrollBar().valueChanged.connect(lambda _v: self._view_moved())
        view.verticalScrollBar().valueChanged.connect(lambda _v: self._view_moved())
        view.zoom_changed.connect(lambda _z: self._view_moved())

    def set_wanted(self, wanted: bool) -> None:
        self.wanted = wanted
        self.follow_view()

    def follow_view(self) -> None:
        """Shown when wanted, the canvas has room for it, and some tile is out of the
        canvas's view, in a free corner."""
        shown = self.wanted and self._room() and not self._all_in_view()
        if shown:
            self.move(self._free_corner())
        self.setVisible(shown)

    def corners(self) -> list[QPoint]:
        """Where it may sit, in the view's coordinates, in order of preference (the
        bottom left is the zoom buttons')."""
        area = self.view.viewport().geometry()
        right = area.right() - self.width() - MARGIN
        return [QPoint(right, area.bottom() - self.height() - MARGIN),
                QPoint(right, area.top() + MARGIN),
                QPoint(area.left() + MARGIN, area.top() + MARGIN)]

    def _free_corner(self) -> QPoint:
        corners = self.corners()
        if self.pos() in corners:  # where it is first, so that it does not jump about
            corners.remove(self.pos())
            corners.insert(0, self.pos())
        tiles = self.tile_rects()

        def covered(corner: QPoint) -> int:
            here = QRect(corner, self.size())
            return sum(_area(here.intersected(tile)) for tile in tiles)

        # the first free one in order of preference, else the least covered (min keeps
        # the first of equals)
        return min(corners, key=covered)

    def tile_rects(self) -> list[QRect]:
        """Each tile on the canvas (with what it carries: counts), in the view's
        coordinates."""
        view, offset = self.view, self.view.viewport().pos()
        rects = []
        for item in view.journey_scene.tile_items.values():
            scene = item.sceneBoundingRect().united(
                item.mapRectToScene(item.childrenBoundingRect()))
            rects.append(view.mapFromScene(scene).boundingRect().translated(offset))
        return rects

    def _room(self) -> bool:
        """A canvas three maps wide and two high: in a small one (a laptop's window with
        its docks, 485 × 250 px) the map covered the middle of it."""
        area = self.view.viewport().size()
        return area.width() >= 3 * self.width() and \
            area.height() >= 2 * self.height() + 3 * MARGIN

    def _all_in_view(self) -> bool:
        tiles = self.view.journey_scene.tile_items.values()
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        return all(visible.contains(item.sceneBoundingRect()) for item in tiles)

    def follow_view_soon(self) -> None:
        self._follow.start()

    def _view_moved(self) -> None:
        self.follow_view_soon()
        self.update()

    def invalidate(self) -> None:
        """Draw the tiles again (they moved, or the theme changed)."""
        self._miniature = None
        self._mapping_cache = None
        self.follow_view_soon()
        self.update()

    def _bounds(self) -> QRectF:
        bounds = QRectF()
        for item in self.view.journey_scene.tile_items.values():
            bounds = bounds.united(item.sceneBoundingRect())
        return bounds.adjusted(-80, -80, 80, 80) if not bounds.isNull() else QRectF(0, 0, 800,
                                                                                     500)

    def _mapping(self) -> tuple[QRectF, float, QPointF]:
        if self._mapping_cache is None:
            self._mapping_cache = self._compute_mapping()
        return self._mapping_cache

    def _compute_mapping(self) -> tuple[QRectF, float, QPointF]:
        bounds = self._bounds()
        inner = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        scale = min(inner.width() / bounds.width(), inner.height() / bounds.height())
        offset = inner.center() - QPointF(bounds.center().x() * scale,
                                          bounds.center().y() * scale)
        return bounds, scale, offset

    def _draw_miniature(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        current = theme.current()
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(current.color("border"), 1))
        painter.setBrush(current.color("panel"))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
        _bounds, scale, offset = self._mapping()
        painter.setPen(Qt.PenStyle.NoPen)
        for item in self.view.journey_scene.tile_items.values():
            rect = item.sceneBoundingRect()
            small = QRectF(rect.topLeft() * scale + offset, rect.size() * scale)
            painter.setBrush(current.kind_color(item.kind))
            painter.drawRoundedRect(small, 1.5, 1.5)
        painter.end()
        return pixmap

    def paintEvent(self, _event) -> None:
        if self._miniature is None:
            self._miniature = self._draw_miniature()
        current = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawPixmap(0, 0, self._miniature)
        _bounds, scale, offset = self._mapping()
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        frame = QRectF(visible.topLeft() * scale + offset, visible.size() * scale)
        painter.setPen(QPen(current.color("accent"), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(frame.intersected(QRectF(self.rect()).adjusted(2, 2, -2, -2)),
                                3, 3)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._look_at(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._look_at(event.position())

    def _look_at(self, pos: QPointF) -> None:
        _bounds, scale, offset = self._mapping()
        self.view.centerOn((pos - offset) / scale)


def place_overlays(view: CanvasView, zoom: ZoomControls, overview: OverviewMap) -> None:
    """Zoom buttons bottom left, clear of the scroll bars; the overview in a free corner."""
    area = view.viewport().geometry()
    zoom.adjustSize()
    zoom.move(area.left() + MARGIN, area.bottom() - zoom.height() - MARGIN)
    overview.move(overview.corners()[0])
    overview.follow_view_soon()  # a larger view may now show every tile, or free a corner


def _area(rect: QRect) -> int:
    return rect.width() * rect.height() if rect.isValid() else 0
