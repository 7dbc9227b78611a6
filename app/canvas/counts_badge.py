"""A tile's live counts: a small card under the tile, one cell per number.

The first row is about people (entered, here now, moved on, left); message tiles add a
row about their messages (sent, delivered, opened, clicked, and bounced, blocked,
failed or unsubscribed when there are any). Clicking a number asks for the people
behind it (`JourneyScene.count_clicked`). A badge repaints only when one of its numbers
changed, so a burst of counts costs the canvas a few small repaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneHoverEvent, QGraphicsSceneMouseEvent

from app import theme
from app.canvas import geometry as geo
from engine.model import TileKind
from engine.store.analytics import TileStats

NUMBER_LINE, CAPTION_LINE, CELL_PAD = 15.0, 11.0, 7.0
ROW_HEIGHT = geo.COUNTS_ROW_HEIGHT  # a number, its caption and 6 px around them
RADIUS = 7.0

PEOPLE = (("inflow", "entered"), ("processing", "here now"), ("processed", "moved on"),
          ("exited", "left"))
MESSAGES = {  # channel -> the outcomes always shown, then those shown when not zero
    TileKind.EMAIL: (("sent", "delivered", "opened", "clicked"),
                     ("bounced", "blocked", "failed", "unsubscribed")),
    TileKind.SMS: (("sent", "delivered", "clicked"), ("bounced", "blocked", "failed")),
    TileKind.PUSH: (("sent", "delivered", "opened"), ("blocked", "failed")),
}  # the kinds of geo.MESSAGE_KINDS: two rows
ALARMS = frozenset({"bounced", "blocked", "failed", "unsubscribed"})


@dataclass(frozen=True)
class CountCell:
    metric: str  # as `engine.observe.people_at` names it
    caption: str
    value: int

    @property
    def alarm(self) -> bool:
        return self.metric in ALARMS and self.value > 0


def count_rows(kind: str, stats: TileStats) -> tuple[tuple[CountCell, ...], ...]:
    """The cells a tile of `kind` shows for `stats`, row by row."""
    if kind == TileKind.EXIT:
        return ((CountCell("inflow", "reached", stats.inflow),),)
    people = tuple(CountCell(metric, caption, people_count(stats, metric))
                   for metric, caption in PEOPLE)
    if kind not in MESSAGES:
        return (people,)
    always, when_any = MESSAGES[TileKind(kind)]
    messages = [CountCell(m, m, message_count(stats, m)) for m in always]
    messages += [CountCell(m, m, message_count(stats, m)) for m in when_any
                 if message_count(stats, m)]
    return people, tuple(messages)


def people_count(stats: TileStats, metric: str) -> int:
    return stats.exited_total if metric == "exited" else getattr(stats, metric)


def message_count(stats: TileStats, metric: str) -> int:
    if metric == "blocked":
        return sum(stats.blocked.values())
    if metric == "failed":
        return sum(stats.failed.values())
    return stats.messages.get(metric, 0)


def counts_tooltip(title: str, kind: str, stats: TileStats, testing: bool,
                   simulated: bool = False) -> str:
    """Every number with its reasons, for the badge's tooltip."""
    rows = count_rows(kind, stats)
    lines = [f"<b>{escape(title)}</b>" + (" · test run" if testing else "")
             + (" · simulation" if simulated else "")]
    for row in rows:
        lines.append(" · ".join(f"{cell.caption} <b>{cell.value:,}</b>" for cell in row))
    for heading, reasons in (("Left", stats.exited), ("Blocked", stats.blocked),
                             ("Failed", stats.failed)):
        lines += [f"{heading}: {escape(reason or 'no reason given')} — {n:,}"
                  for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1])]
    if stats.set_aside:
        lines.append(f"Set aside after an error: {stats.set_aside:,} "
                     "(<i>waymark events failed</i>)")
    if not simulated:  # a simulation's people are in its panel, not in the engine
        lines.append("<i>Click a number to see the people behind it.</i>")
    return "<br>".join(lines)


@cache
def badge_fonts() -> tuple[QFont, QFont]:
    number = QFont()
    number.setPointSizeF(9.0)
    number.setWeight(QFont.Weight.DemiBold)
    caption = QFont()
    caption.setPointSizeF(6.8)
    return number, caption


@lru_cache(maxsize=4096)
def text_width(text: str, caption: bool) -> float:
    """Remembered: under load every call into Qt may wait for the engine's threads to
    let go of Python's lock, so a badge asks Qt as little as it can."""
    number_font, caption_font = badge_fonts()
    return QFontMetricsF(caption_font if caption else number_font).horizontalAdvance(text)


def cell_width(cell: CountCell) -> float:
    return max(text_width(f"{cell.value:,}", False), text_width(cell.caption, True)) \
        + 2 * CELL_PAD


def lay_out(rows: tuple[tuple[CountCell, ...], ...]
            ) -> tuple[float, list[tuple[float, float, float, CountCell]]]:
    """The badge's width and each cell's (x, y, width): a row shares out what its cells
    leave of the widest row."""
    total = max([geo.TILE_WIDTH - 16] + [sum(map(cell_width, row)) for row in rows])
    cells = []
    for index, row in enumerate(rows):
        spare = (total - sum(map(cell_width, row))) / len(row)
        x = 0.0
        for cell in row:
            width = cell_width(cell) + spare
            cells.append((x, index * ROW_HEIGHT, width, cell))
            x += width
    return total, cells


class CountsBadge(QGraphicsItem):
    """The counts card of one tile; a child of its `TileItem`, so it moves with it."""

    def __init__(self, tile_item: QGraphicsItem) -> None:
        super().__init__(tile_item)
        self.tile_item = tile_item
        self.rows: tuple[tuple[CountCell, ...], ...] = ()
        self.stats: TileStats | None = None  # what the numbers were made from
        self.testing = False
        self.simulated = False  # a simulation's figures: edged in the flows' colour
        self.clickable = True  # a click asks the engine for the people behind a number
        self._tooltip = ""
        self._cells: list[tuple[float, float, float, CountCell]] = []
        self._rect = QRectF()
        self._hover: CountCell | None = None
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(3)

    @property
    def tile_id(self) -> str:
        return self.tile_item.tile_id

    def value(self, metric: str) -> int | None:
        """The number shown for `metric` (None: not shown on this tile)."""
        return next((cell.value for row in self.rows for cell in row
                     if cell.metric == metric), None)

    def set_counts(self, rows: tuple[tuple[CountCell, ...], ...], testing: bool,
                   tooltip: str, simulated: bool = False) -> bool:
        """Show these numbers; True when any changed (and the badge was repainted)."""
        if tooltip != self._tooltip:
            self._tooltip = tooltip
            self.setToolTip(tooltip)
        if (rows, testing, simulated) == (self.rows, self.testing, self.simulated):
            return False
        self.rows, self.testing, self.simulated = rows, testing, simulated
        width, self._cells = lay_out(rows)
        if (width, ROW_HEIGHT * len(rows)) != (self._rect.width(), self._rect.height()):
            self.prepareGeometryChange()
            self._rect = QRectF(0, 0, width, ROW_HEIGHT * len(rows))
            self.place(self.tile_item.card_rect.height())
        self.update()
        return True

    def place(self, tile_height: float) -> None:
        """Under the tile, centred (the tile grew or shrank: its port rows changed)."""
        self.setPos((geo.TILE_WIDTH - self._rect.width()) / 2,
                    tile_height + geo.COUNTS_GAP)

    # --- Qt -------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 2)

    def cell_at(self, pos: QPointF) -> CountCell | None:
        return next((cell for x, y, width, cell in self._cells
                     if x <= pos.x() < x + width and y <= pos.y() < y + ROW_HEIGHT), None)

    def cell_rect(self, metric: str) -> QRectF:
        return next((QRectF(x, y, width, ROW_HEIGHT) for x, y, width, cell in self._cells
                     if cell.metric == metric), QRectF())

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        cell = self.cell_at(event.pos()) if self.clickable else None
        cell = cell if cell is not None and cell.value else None
        if cell != self._hover:
            self._hover = cell
            self.setCursor(Qt.CursorShape.PointingHandCursor if cell
                           else Qt.CursorShape.ArrowCursor)
            self.update()

    def hoverLeaveEvent(self, _event: QGraphicsSceneHoverEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # a click on the counts never selects or drags the tile

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        cell = self.cell_at(event.pos()) if self.clickable else None
        if cell is not None and cell.value and self.scene() is not None:
            at = self.mapToScene(self.cell_rect(cell.metric).bottomLeft())
            self.scene().count_clicked.emit(self.tile_id, cell.metric, at)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        current = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # a test run's figures edged in amber, a simulation's in the colour of its flows
        # (a published journey showed a simulation's 10,000 people as if they were live)
        marked = "warning" if self.testing else "accent" if self.simulated else None
        painter.setPen(QPen(current.color(marked or "tile_border"), 1.25 if marked else 1))
        painter.setBrush(current.color("tile"))
        painter.drawRoundedRect(self._rect.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        for index in range(1, len(self.rows)):
            painter.setPen(QPen(current.color("tile_border"), 1))
            y = index * ROW_HEIGHT
            painter.drawLine(QPointF(8, y), QPointF(self._rect.width() - 8, y))
        for x, y, width, cell in self._cells:
            self._paint_cell(painter, current, QRectF(x, y, width, ROW_HEIGHT), cell)

    def _paint_cell(self, painter: QPainter, current: theme.Theme, rect: QRectF,
                    cell: CountCell) -> None:
        if cell == self._hover:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(current.color("hover"))
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 5, 5)
        number_font, caption_font = badge_fonts()
        colour = "error" if cell.alarm else ("text" if cell.value else "muted")
        painter.setFont(number_font)
        painter.setPen(current.color(colour))
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
        painter.drawText(QRectF(rect.left(), rect.top() + 2, rect.width(), NUMBER_LINE),
                         centre, f"{cell.value:,}")
        painter.setFont(caption_font)
        painter.setPen(current.color("error" if cell.alarm else "muted"))
        painter.drawText(QRectF(rect.left(), rect.top() + 2 + NUMBER_LINE, rect.width(),
                                CAPTION_LINE), Qt.AlignmentFlag.AlignHCenter
                         | Qt.AlignmentFlag.AlignTop, cell.caption)
