"""The canvas view: zoom, pan, fit, the dot grid, and drops from the palette."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QPinchGesture

from app import theme
from app.canvas import geometry as geo
from app.canvas.interactions import drop_position
from app.canvas.mime import TILE_KIND_MIME, kind_from_mime
from app.canvas.scene import JourneyScene
from app.canvas.tile_item import TileItem
from app.editor import READ_ONLY_REASON
from engine.model import Edge, TileKind, tile_title

MIN_ZOOM, MAX_ZOOM = 0.2, 3.0


class CanvasView(QGraphicsView):
    zoom_changed = Signal(float)
    resized = Signal()
    added_after = Signal(str, str)  # a tile added after another: its id, the other's

    def __init__(self, scene: JourneyScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.journey_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.zoom_changed.connect(scene.set_detail)
        self._pan_from: QPoint | None = None
        self._space = False
        self._hinted = False  # the status bar says where a dragged tile would go

    # --- zoom -----------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor_under_mouse: bool = False) -> None:
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        anchor = (QGraphicsView.ViewportAnchor.AnchorUnderMouse if anchor_under_mouse
                  else QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setTransformationAnchor(anchor)
        scale = factor / self.zoom()
        self.scale(scale, scale)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoom_changed.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / 1.25)

    def tiles_bounds(self) -> QRectF:
        bounds = QRectF()
        for item in self.journey_scene.tile_items.values():
            bounds = bounds.united(item.sceneBoundingRect())
        return bounds

    def show_journey(self, min_zoom: float = 0.75) -> None:
        """The opening view: all of it if it fits at a readable size, else its start."""
        bounds = self.tiles_bounds()
        if bounds.isNull():
            return
        area = self.viewport().rect()
        fit = min(area.width() / (bounds.width() + 96), area.height() / (bounds.height() + 96))
        self.set_zoom(min(1.0, max(fit, min_zoom)))
        if fit >= min_zoom:
            self.centerOn(bounds.center())
        else:
            visible_width = area.width() / self.zoom()
            self.centerOn(bounds.left() - 48 + visible_width / 2, bounds.center().y())

    def fit_to_view(self) -> None:
        bounds = self.tiles_bounds()
        if bounds.isNull():
            return
        self.fitInView(bounds.adjusted(-48, -48, 48, 48), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0)
        self.centerOn(bounds.center())
        self.zoom_changed.emit(self.zoom())

    def center_on_tile(self, tile_id: str) -> None:
        item = self.journey_scene.tile_items.get(tile_id)
        if item is not None:
            self.centerOn(item.sceneBoundingRect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.set_zoom(self.zoom() * math.pow(1.15, steps), anchor_under_mouse=True)
            event.accept()
        else:
            super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                self.set_zoom(self.zoom() * pinch.scaleFactor(), anchor_under_mouse=True)
                return True
        zooming = (event.type() == QEvent.Type.NativeGesture
                   and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture)
        if zooming:
            self.set_zoom(self.zoom() * (1 + event.value()), anchor_under_mouse=True)
            return True
        return super().viewportEvent(event)

    # --- pan: middle button, or space + left button ---------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        panning = event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton)
        if panning:
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- drops from the palette -----------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not event.mimeData().hasFormat(TILE_KIND_MIME):
            event.ignore()
        elif not self.journey_scene.editable:
            self.journey_scene.hint.emit(f"Cannot add tiles: {READ_ONLY_REASON}")
            event.ignore()
        else:
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not event.mimeData().hasFormat(TILE_KIND_MIME):
            event.ignore()
            return
        kind = kind_from_mime(event.mimeData())
        pos = self.mapToScene(event.position().toPoint())
        scene = self.journey_scene
        target = scene.show_drop_target(pos if kind != TileKind.TRIGGER else None)
        if isinstance(target, TileItem):
            title = tile_title(scene.editor.journey.tile(target.tile_id))
            scene.hint.emit(f"Drop to add it after “{title}”, joined to it")
        elif self._hinted:
            scene.hint.emit("")
        self._hinted = isinstance(target, TileItem)
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._forget_drop()
        super().dragLeaveEvent(event)

    def _forget_drop(self) -> None:
        self.journey_scene.show_drop_target(None)
        if self._hinted:
            self.journey_scene.hint.emit("")
            self._hinted = False

    def dropEvent(self, event: QDropEvent) -> None:
        kind = kind_from_mime(event.mimeData())
        if kind is None:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        self.drop_tile(kind, pos)
        event.acceptProposedAction()

    def drop_tile(self, kind: TileKind, pos: QPointF) -> str | None:
        """Add a tile of `kind` at `pos`; on an edge, insert it between the edge's ends;
        on a tile, after it, joined to its free output (`add_after`)."""
        scene = self.journey_scene
        on = scene.tile_to_follow(pos) if kind != TileKind.TRIGGER else None
        self._forget_drop()
        if on is not None:
            return self.add_after(kind, on.tile_id)
        edge = scene.edge_at(pos) if kind != TileKind.TRIGGER else None
        x, y = drop_position(pos, scene.snapping)
        if edge is None:
            tile_id = scene.editor.add_tile(kind, x, y)
        else:
            tile_id = scene.editor.insert_tile_on_edge(
                kind, Edge(source=edge.source, port=edge.port, target=edge.target), x, y)
        if tile_id is not None:
            scene.select_tiles([tile_id])
            self.setFocus()
            if edge is not None:  # put a layer after the first tile: shown whole
                item = scene.tile_items[tile_id]
                self.ensureVisible(item.sceneBoundingRect(), 24, 24)
        return tile_id

    def add_after(self, kind: TileKind, source_id: str) -> str | None:
        """A tile of `kind` after `source_id`, joined (`JourneyEditor.add_tile_after`),
        selected and in view; `added_after` says so."""
        scene = self.journey_scene
        tile_id = scene.editor.add_tile_after(kind, source_id)
        if tile_id is not None:
            scene.select_tiles([tile_id])
            self.ensureVisible(scene.tile_items[tile_id].sceneBoundingRect(), 24, 24)
            self.setFocus()
            self.added_after.emit(tile_id, source_id)
        return tile_id

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    # --- background -----------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        current = theme.current()
        painter.fillRect(rect, current.color("canvas"))
        zoom = self.zoom()
        step = geo.GRID
        while step * zoom < 10:
            step *= 5
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        # Each row of dots is one dashed line: a two-pixel dash every `step` scene units.
        # Cosmetic and unantialiased, it costs a fraction of drawing the dots one by one.
        pen = QPen(current.color("grid"), 2)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setDashPattern([1, step * zoom / 2 - 1])
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(pen)
        y = top
        while y <= rect.bottom():
            painter.drawLine(QPointF(left - 1 / zoom, y), QPointF(rect.right() + step, y))
            y += step
        painter.restore()
