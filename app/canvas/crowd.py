"""The people at a tile at a moment of a simulation, as dots on a strip over the tile's top
edge (for a small audience: a large one shows counts only). Hovering names them."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from app import theme
from app.canvas import geometry as geo

if TYPE_CHECKING:
    from app.canvas.scene import JourneyScene

DOT, GAP = 7.0, 2.5
PER_ROW = 16
ROWS = 3  # past this many rows, "+N" says how many more
LEFT = 34.0  # clear of a followed person's token at the tile's top left corner
NAMED = 25  # people named in the tooltip


class CrowdItem(QGraphicsItem):
    """A tile's dots; a child of its `TileItem`, so it moves with it."""

    def __init__(self, tile_item: QGraphicsItem) -> None:
        super().__init__(tile_item)
        self.people: tuple[str, ...] = ()
        self.setZValue(4)

    def set_people(self, people: tuple[str, ...]) -> None:
        if people == self.people:
            return
        self.prepareGeometryChange()
        self.people = people
        rows = min(ROWS, -(-len(people) // PER_ROW))
        self.setPos(LEFT, -rows * (DOT + GAP) - GAP)
        named = ", ".join(escape(p) for p in people[:NAMED])
        more = f" and {len(people) - NAMED:,} more" if len(people) > NAMED else ""
        self.setToolTip(f"{len(people):,} here: {named}{more}")
        self.update()

    def shown(self) -> int:
        return min(len(self.people), PER_ROW * ROWS)

    def boundingRect(self) -> QRectF:
        rows = min(ROWS, -(-len(self.people) // PER_ROW))
        return QRectF(-1, -1, geo.TILE_WIDTH - LEFT + 2, rows * (DOT + GAP) + 2)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        current = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(current.color("canvas"), 1.2))
        painter.setBrush(current.color("accent"))
        shown = self.shown()
        if len(self.people) > shown:
            shown -= 1  # the last place says how many more
        for index in range(shown):
            row, column = divmod(index, PER_ROW)
            painter.drawEllipse(self._centre(row, column), DOT / 2, DOT / 2)
        if len(self.people) > shown:
            row, column = divmod(shown, PER_ROW)
            painter.setPen(current.color("muted"))
            centre = self._centre(row, column)
            painter.drawText(QPointF(centre.x() - DOT / 2, centre.y() + DOT / 2),
                             f"+{len(self.people) - shown:,}")

    @staticmethod
    def _centre(row: int, column: int) -> QPointF:
        step = DOT + GAP
        return QPointF(column * step + DOT / 2, row * step + DOT / 2)


class Crowds:
    """The dots of every tile, changed only where the people at a tile changed."""

    def __init__(self, scene: JourneyScene) -> None:
        self.scene = scene
        self.items: dict[str, CrowdItem] = {}

    def show(self, tokens: dict[str, str]) -> None:
        """`tokens`: person -> the tile they are at ({}: no dots)."""
        by_tile: dict[str, list[str]] = {}
        for person, tile_id in tokens.items():
            by_tile.setdefault(tile_id, []).append(person)
        for tile_id in list(self.items):
            if tile_id not in by_tile:
                self.scene.removeItem(self.items.pop(tile_id))
        for tile_id, people in by_tile.items():
            tile_item = self.scene.tile_items.get(tile_id)
            if tile_item is None:
                continue
            if tile_id not in self.items:
                self.items[tile_id] = CrowdItem(tile_item)
            self.items[tile_id].set_people(tuple(sorted(people)))

    def forget(self, tile_id: str) -> None:
        self.items.pop(tile_id, None)  # it went with its tile

    def forget_all(self) -> None:
        self.items.clear()
