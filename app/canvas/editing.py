"""Edit menu's work on the canvas: copy, cut, paste, delete, tidy, add a tile.

Tiles travel through the system clipboard as Waymark's own MIME type (`app.canvas.mime`),
so they paste into another studio window too; each paste of the same copy lands a little
further down and to the right, so pasted tiles never hide the ones before them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication

from app.canvas.mime import TILES_MIME, tiles_from_mime, tiles_mime
from app.canvas.scene import JourneyScene
from app.canvas.view import CanvasView
from app.editor import JourneyEditor
from engine.model import TileKind, tile_title

PASTE_STEP = 40  # scene units between successive pastes of one copy


class CanvasEditing:
    def __init__(self, editor: JourneyEditor, scene: JourneyScene, view: CanvasView,
                 say: Callable[[str, int], None]) -> None:
        """`say(text, ms)`: a message for the status bar."""
        self.editor, self.scene, self.view, self.say = editor, scene, view, say
        self.paste_count = 0
        editor.loaded.connect(self._loaded)
        view.added_after.connect(self._added_after)

    def _loaded(self) -> None:
        self.paste_count = 0

    def add_tile(self, kind: TileKind) -> None:
        """The palette's double-click or Enter: after the one selected tile, joined to its
        free output (a journey grows by tile after tile, without dragging each connection
        across); with none or several selected, at the centre of the canvas."""
        selected = self.scene.selected_tile_ids()
        if len(selected) == 1:
            self.view.add_after(kind, selected[0])
            return
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        self.view.drop_tile(kind, centre)

    def _added_after(self, tile_id: str, source_id: str) -> None:
        journey = self.editor.journey
        before = next((e.source for e in journey.edges if e.target == tile_id), None)
        added = tile_title(journey.tile(tile_id))
        why = (": an exit has no output to follow" if journey.tile(source_id).kind
               == TileKind.EXIT else "")
        self.say(f"Added {added} after {tile_title(journey.tile(before))} (Ctrl+Z takes it "
                 "back)" if before else f"Added {added}{why}", 5000)

    def copy(self) -> None:
        ids = self.scene.selected_tile_ids()
        if ids:
            QGuiApplication.clipboard().setMimeData(tiles_mime(self.editor.copy(ids)))
            self.paste_count = 0
            self.say(f"Copied {len(ids)} tile{'s' if len(ids) > 1 else ''}", 4000)

    def cut(self) -> None:
        self.copy()
        self.delete()

    def paste(self) -> None:
        data = tiles_from_mime(QGuiApplication.clipboard().mimeData())
        if data is None:
            self.say("Nothing to paste: copy some tiles first", 4000)
            return
        self.paste_count += 1
        offset = PASTE_STEP * self.paste_count
        pasted = self.editor.paste(data, offset, offset)
        if pasted:
            self.scene.select_tiles(pasted)

    def delete(self) -> None:
        self.editor.delete(self.scene.selected_tile_ids(), self.scene.selected_edges())

    def select_all(self) -> None:
        self.scene.select_tiles(list(self.scene.tile_items))

    def auto_layout(self) -> None:
        if self.editor.auto_layout():
            self.view.fit_to_view()


def release_clipboard() -> None:
    """Swap copied tiles for plain text that Qt owns, so other programs can still paste it.

    The clipboard keeps the QMimeData made in Python; left there, Qt deletes it while the
    process exits, after Python is gone, and the process crashes on the way out.
    """
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is not None and mime.hasFormat(TILES_MIME):
        clipboard.setText(mime.text())
