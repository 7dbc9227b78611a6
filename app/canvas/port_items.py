"""A tile's ports: outputs start a connection when dragged; the input shows where one lands."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent

from app import theme
from app.canvas import geometry as geo


class _PortItem(QGraphicsItem):
    def __init__(self, tile_item: QGraphicsItem, pos: QPointF) -> None:
        super().__init__(tile_item)
        self.tile_item = tile_item
        self.setPos(pos)
        self.setZValue(2)
        self.highlighted = False
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        r = geo.PORT_HIT_RADIUS
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()


class OutputPortItem(_PortItem):
    """Drag from here to another tile to connect; filled once it leads somewhere."""

    def __init__(self, tile_item: QGraphicsItem, port_id: str, pos: QPointF) -> None:
        super().__init__(tile_item, pos)
        self.port_id = port_id
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)

    @property
    def tile_id(self) -> str:
        return self.tile_item.tile_id

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        current = theme.current()
        color = current.kind_color(self.tile_item.kind)
        connected = self.scene().port_connected(self.tile_id, self.port_id)
        radius = geo.PORT_RADIUS + (2 if self.highlighted else 0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 2))
        painter.setBrush(color if connected else current.color("tile"))
        painter.drawEllipse(QPointF(0, 0), radius, radius)

    def hoverEnterEvent(self, _event) -> None:
        self.set_highlighted(True)

    def hoverLeaveEvent(self, _event) -> None:
        self.set_highlighted(False)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.scene().editable:
            self.scene().begin_connect(self, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.scene().move_connect(event.scenePos())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.scene().finish_connect(event.scenePos())


class InputPortItem(_PortItem):
    """Where edges arrive; lights up while a connection is dragged over its tile."""

    def __init__(self, tile_item: QGraphicsItem, pos: QPointF) -> None:
        super().__init__(tile_item, pos)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.refused = False

    def set_state(self, highlighted: bool, refused: bool = False) -> None:
        self.refused = refused
        self.set_highlighted(highlighted)
        self.update()

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        current = theme.current()
        color = current.color("edge")
        if self.highlighted:
            color = current.color("error" if self.refused else "accent")
        radius = geo.PORT_RADIUS + (2 if self.highlighted else 0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 2))
        painter.setBrush(current.color("tile"))
        painter.drawEllipse(QPointF(0, 0), radius, radius)
