"""Context menus of the canvas's tiles: the entry tile's fires a test trigger."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from app.canvas.view import CanvasView
from engine.model import TileKind


class TileMenus:
    """Opens a tile's menu where the person right-clicks (or presses the menu key)."""

    def __init__(self, view: CanvasView, fire: QAction) -> None:
        self.view, self.fire = view, fire
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show)

    def menu_at(self, pos: QPoint) -> QMenu | None:
        """The menu of the tile at `pos` (view coordinates), if it has one."""
        scene = self.view.scene()
        item = scene.tile_at(self.view.mapToScene(pos))
        if item is None or scene.editor.journey.tile(item.tile_id).kind != TileKind.TRIGGER:
            return None
        menu = QMenu(self.view)
        menu.addAction(self.fire)
        return menu

    def _show(self, pos: QPoint) -> None:
        menu = self.menu_at(pos)
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(pos))
            menu.deleteLater()
