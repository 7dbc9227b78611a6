"""Real input events sent to the canvas viewport: mouse drags, wheel turns, palette drops."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication

from engine.model import Bundle, dump_bundle

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton


def document_json(window) -> str:
    return dump_bundle(Bundle(journey=window.editor.journey))


def _send_mouse(view, kind: QEvent.Type, scene_pos: QPointF, button, buttons,
                modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    local = QPointF(view.mapFromScene(scene_pos))
    global_pos = QPointF(view.viewport().mapToGlobal(local.toPoint()))
    event = QMouseEvent(kind, local, global_pos, button, buttons, modifiers)
    QApplication.sendEvent(view.viewport(), event)


def drag(view, start: QPointF, end: QPointF, steps: int = 6, button=LEFT) -> None:
    """Press at `start`, move in steps with the button held, release at `end`."""
    _send_mouse(view, QEvent.Type.MouseButtonPress, start, button, button)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        _send_mouse(view, QEvent.Type.MouseMove, point, NONE, button)
    _send_mouse(view, QEvent.Type.MouseButtonRelease, end, button, NONE)


def drag_pixels(view, start: QPoint, end: QPoint, button) -> None:
    """A drag in viewport pixels (for panning, where the scene moves under the mouse)."""
    for kind, pos, btn, held in ((QEvent.Type.MouseButtonPress, start, button, button),
                                 (QEvent.Type.MouseMove, (start + end) / 2, NONE, button),
                                 (QEvent.Type.MouseMove, end, NONE, button),
                                 (QEvent.Type.MouseButtonRelease, end, button, NONE)):
        local = QPointF(pos)
        event = QMouseEvent(kind, local, QPointF(view.viewport().mapToGlobal(pos)), btn, held,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(view.viewport(), event)


def click(view, scene_pos: QPointF) -> None:
    _send_mouse(view, QEvent.Type.MouseButtonPress, scene_pos, LEFT, LEFT)
    _send_mouse(view, QEvent.Type.MouseButtonRelease, scene_pos, LEFT, NONE)


def ctrl_wheel(view, steps: int) -> None:
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())),
                        QPoint(0, 0), QPoint(0, 120 * steps), NONE,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def drop_from_palette(window, kind: str, scene_pos: QPointF, while_over=None) -> bool:
    """Drag what the palette's drag carries (its own MIME data) over the canvas and drop
    it at a scene position. Qt delivers drag events only during a real QDrag, so they go
    straight to the view's viewport handler (what Qt's own event filter would call).
    `while_over()` runs while the drag is over the spot, before the drop."""
    palette = window.palette
    mime = palette.list.mimeData([palette.item_for(kind)])
    local = window.view.mapFromScene(scene_pos)  # enter and move take a QPoint everywhere
    action, mods = Qt.DropAction.CopyAction, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(local, action, mime, LEFT, mods)
    window.view.viewportEvent(enter)
    if not enter.isAccepted():
        return False
    window.view.viewportEvent(QDragMoveEvent(local, action, mime, LEFT, mods))
    if while_over is not None:
        while_over()
    window.view.viewportEvent(QDropEvent(QPointF(local), action, mime, LEFT, mods))
    return True


def port_pos(window, tile_id: str, port: str = "next") -> QPointF:
    return window.scene.tile_items[tile_id].output_ports[port].scenePos()


def input_pos(window, tile_id: str) -> QPointF:
    return window.scene.tile_items[tile_id].input_port.scenePos()


def tile_centre(window, tile_id: str) -> QPointF:
    return window.scene.tile_items[tile_id].sceneBoundingRect().center()


def edge_midpoint(window, source: str, port: str, target: str) -> QPointF:
    item = window.scene.edge_items[(source, port, target)]
    return item.mapToScene(item._path.pointAtPercent(0.5))
