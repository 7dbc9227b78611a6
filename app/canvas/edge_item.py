"""An edge: a curve from an output port to the next tile's input, with an arrow."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from app import theme
from app.canvas import geometry as geo

EdgeKey = tuple[str, str, str]  # (source, port, target)
ARROW = 7.0


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """A left-to-right S curve; it bows out further when the target lies behind."""
    dx = max(abs(end.x() - start.x()) * 0.5, 48.0)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
    return path


class EdgeItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 2

    def __init__(self, key: EdgeKey) -> None:
        super().__init__()
        self.key = key
        self._path = QPainterPath()
        self._shape = QPainterPath()
        self._end = QPointF()
        self.drop_target = False
        self.taken = False  # a followed person went along it (drawn bold, green)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._hover = False

    def type(self) -> int:
        return self.Type

    @property
    def source(self) -> str:
        return self.key[0]

    @property
    def port(self) -> str:
        return self.key[1]

    @property
    def target(self) -> str:
        return self.key[2]

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._end = end - QPointF(geo.PORT_RADIUS + 1.5, 0)
        self._path = curve(start, self._end - QPointF(ARROW - 1, 0))
        stroker = QPainterPathStroker()
        stroker.setWidth(14)
        self._shape = stroker.createStroke(self._path)
        self.update()  # the cached picture is of the old curve

    def set_drop_target(self, on: bool) -> None:
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def set_taken(self, taken: bool) -> None:
        if taken != self.taken:
            self.taken = taken
            self.setZValue(0.5 if taken else 0)  # over the edges nobody took
            self.update()

    def boundingRect(self) -> QRectF:
        return self._shape.boundingRect().adjusted(-ARROW, -ARROW, ARROW, ARROW)

    def shape(self) -> QPainterPath:
        return self._shape

    def hoverEnterEvent(self, _event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, _event) -> None:
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        current = theme.current()
        color, width = current.color("edge"), 1.75
        if self.taken:
            color, width = current.color("ok"), 3.5
        if self.isSelected() or self.drop_target:
            color, width = current.color("accent"), max(width, 2.75)
        elif self._hover:
            color, width = current.color("text"), max(width, 2.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        tip = self._end
        painter.drawPolygon(QPolygonF([tip, tip + QPointF(-ARROW - 2, -ARROW * 0.65),
                                       tip + QPointF(-ARROW - 2, ARROW * 0.65)]))
