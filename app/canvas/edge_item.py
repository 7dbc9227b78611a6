"""An edge: a curve from an output port to the next tile's input, with an arrow. After a
simulation it is drawn as wide as the flow of people who took it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from app import theme
from app.canvas import geometry as geo

EdgeKey = tuple[str, str, str]  # (source, port, target)
ARROW = 7.0
FLOW_MIN, FLOW_MAX = 1.5, 14.0  # the widths of an edge nobody took and of the busiest


def flow_width(people: int, most: int) -> float:
    """An edge's width in proportion to its people, the busiest edge's `most` at
    FLOW_MAX; never thinner than FLOW_MIN, so an edge with few people stays visible."""
    if most <= 0:
        return FLOW_MIN
    return max(FLOW_MIN, FLOW_MAX * people / most)


def people_text(people: int) -> str:
    return "1 person" if people == 1 else f"{people:,} people"


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
        self.flow: int | None = None  # people who took it in a simulation (None: no flow)
        self.flow_width = FLOW_MIN
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

    def set_flow(self, people: int | None, width: float = FLOW_MIN, caption: str = "") -> None:
        """Draw the edge `width` wide for the `people` who took it (None: as drawn);
        `caption` says when, at a moment of a simulation ("by Mon 15:00")."""
        tip = "" if people is None else " ".join(filter(None, (people_text(people), caption)))
        if (people, width) == (self.flow, self.flow_width):
            self.setToolTip(tip)
            return
        self.prepareGeometryChange()  # a wide flow reaches past the thin curve
        self.flow, self.flow_width = people, width
        self.setToolTip(tip)
        self.update()

    def boundingRect(self) -> QRectF:
        margin = ARROW + (self.flow_width if self.flow is not None else 0)
        return self._shape.boundingRect().adjusted(-margin, -margin, margin, margin)

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
        if self.flow is not None:
            color, width = self._flow_look(current)
        if self.taken:
            color, width = current.color("ok"), 3.5
        if self.isSelected() or self.drop_target:
            color, width = current.color("accent"), max(width, 2.75)
        elif self._hover:
            color, width = current.color("text"), max(width, 2.0)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, width)
        # a wide flow's round end would poke past the arrow's tip
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if self.flow else Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        tip, arrow = self._end, max(ARROW, width * 0.8)
        painter.drawPolygon(QPolygonF([tip, tip + QPointF(-arrow - 2, -arrow * 0.65),
                                       tip + QPointF(-arrow - 2, arrow * 0.65)]))

    def _flow_look(self, current: theme.Theme) -> tuple[QColor, float]:
        """A flow is the accent colour, see-through so crossing flows both show; an edge
        nobody took is the plain thin edge, faded."""
        color = QColor(current.color("accent" if self.flow else "muted"))
        color.setAlphaF(0.6 if self.flow else 0.5)
        return color, self.flow_width
