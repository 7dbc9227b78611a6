"""A tile on the canvas. It holds the tile's id; what it shows is read from the document."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from app import theme
from app.canvas import geometry as geo
from app.canvas.port_items import InputPortItem, OutputPortItem
from app.icons import paint_badge
from engine.model import output_ports, tile_summary, tile_title

if TYPE_CHECKING:
    from app.canvas.scene import JourneyScene

BADGE = QRectF(12, 12, 26, 26)
TITLE_LEFT = 46.0
MARGIN = 12.0
SUMMARY_TOP = 43.0
SUMMARY_LINE = 14.5
RADIUS = 10.0
GLOW = 9.0  # how far the glow of the tile a followed person is at reaches


class TrailMark(StrEnum):
    """What a followed person's path says about a tile."""

    PASSED = "passed"  # they have been here (tinted green)
    HERE = "here"  # they are here now (green, with a glow)


def tile_fonts() -> tuple[QFont, QFont, QFont]:
    title = QFont()
    title.setPointSizeF(9.5)
    title.setWeight(QFont.Weight.DemiBold)
    summary = QFont()
    summary.setPointSizeF(8.5)
    row = QFont()
    row.setPointSizeF(8.5)
    row.setWeight(QFont.Weight.Medium)
    return title, summary, row


class TileItem(QGraphicsItem):
    """Draws one tile; moving it moves its edges; the document keeps its position."""

    Type = QGraphicsItem.UserType + 1

    def __init__(self, tile_id: str) -> None:
        super().__init__()
        self.tile_id = tile_id
        self.kind = ""
        self._rect = QRectF()
        self._title = ""
        self._summary: list[str] = []
        self._rows: list[str] = []
        self._errors: list[str] = []
        self._warnings: list[str] = []
        self._syncing = False
        self.trail_mark: TrailMark | None = None
        self.drop_target = False  # a tile dragged from the palette would follow it
        self.output_ports: dict[str, OutputPortItem] = {}
        self.input_port: InputPortItem | None = None
        flags = (QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                 | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                 | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setFlags(flags)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)

    def type(self) -> int:
        return self.Type

    def journey_scene(self) -> JourneyScene:
        return self.scene()

    # --- following the document ------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the tile: name, summary, ports and size."""
        scene = self.journey_scene()
        tile = scene.document.tile(self.tile_id)
        self.prepareGeometryChange()
        self.kind = tile.kind
        self._rect = geo.tile_rect(tile)
        title_font, summary_font, row_font = tile_fonts()
        summary = tile_summary(tile, scene.document.journey, scene.catalog)
        self._title = _elide(title_font, tile_title(tile), geo.TILE_WIDTH - TITLE_LEFT - MARGIN)
        self._summary = _wrap(summary_font, summary, geo.TILE_WIDTH - 2 * MARGIN)
        self._full_text = (tile_title(tile), summary)
        self._rows = ([_elide(row_font, p.label or p.id, geo.TILE_WIDTH - 40)
                       for p in output_ports(tile)] if geo.has_port_rows(tile) else [])
        self._rebuild_ports(tile)
        self.show_ports(scene.show_ports)
        self._update_tooltip()
        self.update()

    def _rebuild_ports(self, tile) -> None:
        for port in self.output_ports.values():
            port.setParentItem(None)
            self.scene().removeItem(port)
        positions = geo.output_port_positions(tile)
        self.output_ports = {pid: OutputPortItem(self, pid, pos) for pid, pos in positions.items()}
        if geo.has_input(tile) and self.input_port is None:
            self.input_port = InputPortItem(self, geo.input_port_pos())
        elif not geo.has_input(tile) and self.input_port is not None:
            self.scene().removeItem(self.input_port)
            self.input_port = None

    def show_ports(self, show: bool) -> None:
        for port in (*self.output_ports.values(), self.input_port):
            if port is not None:
                port.setVisible(show)

    def sync_position(self, x: float, y: float) -> None:
        """Take the document's position, exactly (no snapping)."""
        if self.pos() != QPointF(x, y):
            self._syncing = True
            self.setPos(x, y)
            self._syncing = False

    def set_problems(self, errors: list[str], warnings: list[str]) -> None:
        if (errors, warnings) != (self._errors, self._warnings):
            self._errors, self._warnings = errors, warnings
            self._update_tooltip()
            self.update()

    @property
    def has_errors(self) -> bool:
        return bool(self._errors)

    @property
    def card_rect(self) -> QRectF:
        """The tile itself, without its shadow and outlines (tile coordinates)."""
        return QRectF(self._rect)

    def set_drop_target(self, on: bool) -> None:
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def set_trail_mark(self, mark: TrailMark | None) -> None:
        if mark != self.trail_mark:
            self.prepareGeometryChange()  # the glow reaches beyond the tile
            self.trail_mark = mark
            self.update()

    def _update_tooltip(self) -> None:
        title, summary = getattr(self, "_full_text", ("", ""))
        lines = [f"<b>{_html(title)}</b>", _html(summary)]
        lines += [f"<span style='color:{theme.current().error}'>⚠ {_html(m)}</span>"
                  for m in self._errors]
        lines += [f"<span style='color:{theme.current().warning}'>{_html(m)}</span>"
                  for m in self._warnings]
        self.setToolTip("<br>".join(lines))

    # --- Qt -------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        if self.trail_mark == TrailMark.HERE:
            return self._rect.adjusted(-GLOW, -GLOW, GLOW, GLOW)
        return self._rect.adjusted(-5, -5, 5, 6)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self._rect, RADIUS, RADIUS)
        return path

    def itemChange(self, change, value):
        scene = self.scene()
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and scene is not None:
            if not self._syncing and scene.snapping:
                return QPointF(geo.snap(value.x()), geo.snap(value.y()))
        elif change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and scene:
            scene.tile_item_moved(self.tile_id)
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, _option: QStyleOptionGraphicsItem, _widget=None) -> None:
        current = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_card(painter, current)
        paint_badge(painter, self.kind, BADGE)
        self._paint_text(painter, current)
        self._paint_rows(painter, current)
        if self._errors or self._warnings:
            self._paint_alert(painter, current)

    def _paint_card(self, painter: QPainter, current: theme.Theme) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(current.color("shadow"))
        painter.drawRoundedRect(self._rect.translated(0, 2), RADIUS + 1, RADIUS + 1)
        if self.trail_mark == TrailMark.HERE:
            _paint_glow(painter, current.color("ok"), self._rect)
        if self.isSelected() or self.drop_target:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            ring = QPen(current.color("accent"), 2.5)
            if self.drop_target:  # dashed: where the dragged tile goes after, not a choice
                ring.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(ring)
            painter.drawRoundedRect(self._rect.adjusted(-3, -3, 3, 3), RADIUS + 3, RADIUS + 3)
        pen = QPen(current.color("tile_border"), 1)
        if self._errors:
            pen = QPen(current.color("error"), 2)
        elif self._warnings:
            pen = QPen(current.color("warning"), 1.5)
        elif self.trail_mark is not None:
            pen = QPen(current.color("ok"), 2)
        painter.setPen(pen)
        painter.setBrush(self._fill(current))
        painter.drawRoundedRect(self._rect.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)

    def _fill(self, current: theme.Theme) -> QColor:
        """The card's colour: a person's path tints it green."""
        fill = current.color("tile")
        if self.trail_mark is None:
            return fill
        return mix(fill, current.color("ok"), 0.16 if current.dark else 0.09)

    def _paint_text(self, painter: QPainter, current: theme.Theme) -> None:
        title_font, summary_font, _row = tile_fonts()
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setFont(title_font)
        painter.setPen(current.color("text"))
        width = geo.TILE_WIDTH - TITLE_LEFT - MARGIN
        painter.drawText(QRectF(TITLE_LEFT, BADGE.top(), width, BADGE.height()), flags,
                         self._title)
        painter.setFont(summary_font)
        painter.setPen(current.color("muted"))
        for index, line in enumerate(self._summary):
            rect = QRectF(MARGIN, SUMMARY_TOP + index * SUMMARY_LINE,
                          geo.TILE_WIDTH - 2 * MARGIN, SUMMARY_LINE)
            painter.drawText(rect, flags, line)

    def _paint_rows(self, painter: QPainter, current: theme.Theme) -> None:
        if not self._rows:
            return
        _title, _summary, row_font = tile_fonts()
        painter.setFont(row_font)
        for index, label in enumerate(self._rows):
            rect = geo.row_rect(index)
            painter.setPen(QPen(current.color("tile_border"), 1))
            painter.drawLine(QPointF(12, rect.top()), QPointF(geo.TILE_WIDTH - 12, rect.top()))
            painter.setPen(current.color("text"))
            painter.drawText(rect.adjusted(14, 0, -16, 0),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)

    def _paint_alert(self, painter: QPainter, current: theme.Theme) -> None:
        color = current.color("error" if self._errors else "warning")
        center = QPointF(geo.TILE_WIDTH - 4, 4)
        painter.setPen(QPen(current.color("tile"), 2))
        painter.setBrush(color)
        painter.drawEllipse(center, 8, 8)
        pen = QPen(current.color("tile"), 2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(center + QPointF(0, -3.5), center + QPointF(0, 1))
        painter.drawPoint(center + QPointF(0, 4))


def mix(base: QColor, tint: QColor, amount: float) -> QColor:
    """`base` with `amount` (0–1) of `tint`: opaque, so cached pictures stay crisp."""
    return QColor.fromRgbF(*(b + (t - b) * amount for b, t in zip(
        base.getRgbF()[:3], tint.getRgbF()[:3], strict=True)))


def _paint_glow(painter: QPainter, colour: QColor, rect: QRectF) -> None:
    """A soft halo: a few wide, faint outlines around the tile."""
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for spread, alpha in ((GLOW - 1, 0.10), (GLOW - 4, 0.20), (3.0, 0.45)):
        glow = QColor(colour)
        glow.setAlphaF(alpha)
        painter.setPen(QPen(glow, 3))
        painter.drawRoundedRect(rect.adjusted(-spread, -spread, spread, spread),
                                RADIUS + spread, RADIUS + spread)


def _elide(font: QFont, text: str, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, width)


def _wrap(font: QFont, text: str, width: float, max_lines: int = 2) -> list[str]:
    """Up to `max_lines` lines, broken at spaces where possible, the last one elided."""
    metrics = QFontMetricsF(font)
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines - 1 and metrics.horizontalAdvance(rest) > width:
        cut = _fitting_prefix(metrics, rest, width)
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines


def _fitting_prefix(metrics: QFontMetricsF, text: str, width: float) -> int:
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if metrics.horizontalAdvance(text[:mid]) <= width:
            low = mid
        else:
            high = mid - 1
    space = text.rfind(" ", 0, low + 1)
    return space if space > low // 2 else low


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
