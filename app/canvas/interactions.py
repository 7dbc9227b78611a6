"""Pointer interactions that last a drag: connecting two tiles, moving tiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem

from app import theme
from app.canvas import geometry as geo
from app.canvas.edge_item import curve
from app.canvas.port_items import OutputPortItem
from engine.model import tile_title

if TYPE_CHECKING:
    from app.canvas.scene import JourneyScene
    from app.canvas.tile_item import TileItem


class ConnectInteraction:
    """Drag from an output port: a live curve follows the pointer; the tile under it is
    the target, and a refused target turns the curve red and says why in the status bar."""

    def __init__(self, scene: JourneyScene, port: OutputPortItem) -> None:
        self.scene = scene
        self.source, self.port = port.tile_id, port.port_id
        self.start = port.scenePos()
        self.line = QGraphicsPathItem()
        self.line.setZValue(5)
        scene.addItem(self.line)
        self.target: TileItem | None = None

    def move(self, pos: QPointF) -> None:
        target = self.scene.tile_at(pos)
        reason = self._reason(target) if target else None
        self._highlight(target, reason)
        end = pos
        if target is not None and target.input_port is not None:
            end = target.input_port.scenePos()
        current = theme.current()
        pen = QPen(current.color("error" if reason else "accent"), 2, Qt.PenStyle.DashLine)
        self.line.setPen(pen)
        self.line.setPath(curve(self.start, end))
        self.scene.hint.emit(self._hint(target, reason))

    def finish(self, pos: QPointF) -> None:
        target = self.scene.tile_at(pos)
        self._highlight(None, None)
        self.scene.removeItem(self.line)
        self.scene.hint.emit("")
        if target is not None:
            self.scene.editor.connect(self.source, self.port, target.tile_id)

    def _reason(self, target: TileItem) -> str | None:
        return self.scene.editor.connect_reason(self.source, self.port, target.tile_id)

    def _highlight(self, target: TileItem | None, reason: str | None) -> None:
        if self.target is not None and self.target is not target and self.target.input_port:
            self.target.input_port.set_state(False)
        self.target = target
        if target is not None and target.input_port is not None:
            target.input_port.set_state(True, refused=reason is not None)

    def _hint(self, target: TileItem | None, reason: str | None) -> str:
        if target is None:
            return "Release on a tile to connect"
        name = tile_title(self.scene.document.tile(target.tile_id))
        if reason:
            return f"Cannot connect to “{name}”: {reason}"
        return f"Release to connect to “{name}”"


def pending_moves(scene: JourneyScene) -> dict[str, tuple[float, float]]:
    """Tiles whose item was dragged away from the position the document holds."""
    moves = {}
    for item in scene.selected_tile_items():
        tile = scene.document.tile(item.tile_id)
        if (item.x(), item.y()) != (tile.x, tile.y):
            moves[item.tile_id] = (item.x(), item.y())
    return moves


def drop_position(pos: QPointF, snapping: bool) -> tuple[float, float]:
    origin = geo.drop_origin(pos, snapping)
    return origin.x(), origin.y()
