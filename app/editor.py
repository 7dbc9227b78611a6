"""The journey being edited: its document, the catalog it refers to, and its undo stack.

Every change the studio makes goes through here as an undo command. An edit that would
be invalid is checked first and refused with a reason (`refused`), so the undo stack
only ever holds commands that worked.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.canvas import commands
from app.canvas import geometry as geo
from app.canvas.layout import LAYER_SPACING, auto_layout, free_spot, room_on_edge
from engine.model import (
    Catalog,
    Edge,
    Journey,
    TileKind,
    TriggerTile,
    output_ports,
    tile_title,
)
from engine.model.editing import (
    ConnectError,
    JourneyDocument,
    check_connect,
    copy_tiles,
    insert_edges,
    new_tile,
    paste_tiles,
)

READ_ONLY_REASON = "this version is live: choose “Edit as new version” to change it"


def untitled_journey() -> Journey:
    return Journey(id="untitled", name="Untitled journey",
                   tiles=[TriggerTile(id="start", name="Start", x=40, y=200)])


class JourneyEditor(QObject):
    refused = Signal(str)      # why an edit was not made, for the status bar
    loaded = Signal()          # another journey (or version) is now being edited
    read_only_changed = Signal(bool)
    catalog_changed = Signal()  # the workspace's triggers, content, segments… read again

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = JourneyDocument(untitled_journey())
        self.catalog = Catalog.build()
        self.undo_stack = QUndoStack(self)
        self.read_only = False

    @property
    def journey(self) -> Journey:
        return self.document.journey

    def load(self, journey: Journey, catalog: Catalog, read_only: bool = False) -> None:
        self.undo_stack.clear()
        self.catalog = catalog
        self.read_only = read_only
        self.document.replace(journey)
        self.undo_stack.setClean()
        self.read_only_changed.emit(read_only)
        self.loaded.emit()

    def set_read_only(self, read_only: bool) -> None:
        if read_only != self.read_only:
            self.read_only = read_only
            self.read_only_changed.emit(read_only)

    def set_catalog(self, catalog: Catalog) -> None:
        """What the journey refers to changed elsewhere (another page): the pickers, the
        tiles' summaries and the conditions' choices follow."""
        self.catalog = catalog
        self.catalog_changed.emit()

    def _push(self, command: QUndoCommand) -> bool:
        if self.read_only:
            self.refused.emit(f"Not changed: {READ_ONLY_REASON}")
            return False
        self.undo_stack.push(command)
        return True

    def _refuse(self, what: str, reason: str) -> bool:
        self.refused.emit(f"{what}: {reason}")
        return False

    # --- tiles ----------------------------------------------------------------------

    def add_tile(self, kind: TileKind | str, x: float, y: float) -> str | None:
        """A new tile at (x, y), or at the nearest place there that covers no tile."""
        tile = new_tile(self.journey, kind, x, y)
        tile = tile.model_copy(update=dict(zip(("x", "y"), free_spot(self.journey, tile),
                                               strict=True)))
        if tile.kind == TileKind.TRIGGER and self.journey.entry() is not None:
            self._refuse("Not added", "a journey has one entry, and this one has it already")
            return None
        return tile.id if self._push(commands.AddTileCommand(self.document, tile)) else None

    def insert_tile_on_edge(self, kind: TileKind | str, edge: Edge, x: float, y: float
                            ) -> str | None:
        place, moves = room_on_edge(self.journey, edge.source, edge.target)
        tile = new_tile(self.journey, kind, *(place or (x, y)))
        try:
            into, out_of = insert_edges(tile, edge)
        except ConnectError as exc:
            self._refuse("Not inserted", str(exc))
            return None
        command = commands.insert_on_edge_command(self.document, tile, edge, into, out_of,
                                                  moves)
        return tile.id if self._push(command) else None

    def add_tile_after(self, kind: TileKind | str, source_id: str) -> str | None:
        """A new tile one layer after `source_id`, level with its first free output and
        joined to it, in one undo step; when every output leads somewhere already, the
        new tile goes on the first one's connection (as a drop on it does). A source
        with no output (an exit) or an entry asked for: added beside it, not joined."""
        source = self.journey.tile(source_id)
        ports = output_ports(source)
        if not ports or TileKind(kind) == TileKind.TRIGGER:
            return self.add_tile(kind, source.x + LAYER_SPACING, source.y)
        taken = {e.port: e for e in self.journey.edges if e.source == source_id}
        port = next((p.id for p in ports if p.id not in taken), None)
        if port is None:
            return self.insert_tile_on_edge(kind, taken[ports[0].id], source.x, source.y)
        level = source.y + geo.output_port_positions(source)[port].y()
        tile = new_tile(self.journey, kind, source.x + LAYER_SPACING,
                        geo.snap(level - geo.input_port_pos().y(), geo.GRID))
        tile = tile.model_copy(update=dict(zip(("x", "y"), free_spot(self.journey, tile),
                                               strict=True)))
        edge = Edge(source=source_id, port=port, target=tile.id)
        command = commands.MacroCommand(
            f"Add {tile_title(tile)} after {tile_title(source)}",
            [commands.AddTileCommand(self.document, tile),
             commands.ConnectCommand(self.document, edge)])
        return tile.id if self._push(command) else None

    def move_tiles(self, moves: dict[str, tuple[float, float]]) -> bool:
        moves = {tid: pos for tid, pos in moves.items()
                 if (self.document.tile(tid).x, self.document.tile(tid).y) != pos}
        return bool(moves) and self._push(commands.move_command(self.document, moves))

    def delete(self, tile_ids: list[str], edges: list[Edge]) -> bool:
        if not tile_ids and not edges:
            return False
        return self._push(commands.delete_command(self.document, tile_ids, edges))

    def update_tile(self, tile_id: str, merge: bool = False, **changes: Any) -> bool:
        """Change a tile; connections from outputs the change removes go in the same step."""
        try:
            updated = self.document.updated_tile(tile_id, changes)
        except ValueError as exc:
            return self._refuse("Not changed", _reason(exc))
        ports = {p.id for p in output_ports(updated)}
        orphans = [e for e in self.journey.edges_from(tile_id) if e.port not in ports]
        text = f"Edit {tile_title(updated)}"
        if not orphans:
            return self._push(commands.UpdateTileCommand(self.document, tile_id, changes, text,
                                                         merge))
        children: list[QUndoCommand] = [commands.DisconnectCommand(self.document, e)
                                        for e in orphans]
        children.append(commands.UpdateTileCommand(self.document, tile_id, changes, text))
        return self._push(commands.MacroCommand(text, children))

    def update_settings(self, merge: bool = False, **changes: Any) -> bool:
        try:
            self.document.updated_settings(changes)
        except ValueError as exc:
            return self._refuse("Not changed", _reason(exc))
        return self._push(commands.UpdateSettingsCommand(self.document, changes, merge=merge))

    # --- edges ----------------------------------------------------------------------

    def connect(self, source: str, port: str, target: str) -> bool:
        try:
            check_connect(self.journey, source, port, target)
        except ConnectError as exc:
            return self._refuse("Not connected", str(exc))
        edge = Edge(source=source, port=port, target=target)
        return self._push(commands.ConnectCommand(self.document, edge))

    def connect_reason(self, source: str, port: str, target: str) -> str | None:
        """Why connecting would be refused, or None when it would work."""
        try:
            check_connect(self.journey, source, port, target)
        except ConnectError as exc:
            return str(exc)
        return READ_ONLY_REASON if self.read_only else None

    # --- clipboard and layout -------------------------------------------------------

    def copy(self, tile_ids: list[str]) -> dict[str, Any]:
        return copy_tiles(self.journey, tile_ids)

    def paste(self, data: Any, dx: float = 40, dy: float = 40) -> list[str]:
        try:
            tiles, edges = paste_tiles(self.journey, data, dx, dy)
        except ValueError as exc:
            self._refuse("Not pasted", _reason(exc))
            return []
        if not tiles:
            self._refuse("Not pasted", "nothing to paste (a journey has one entry)")
            return []
        pushed = self._push(commands.paste_command(self.document, tiles, edges))
        return [t.id for t in tiles] if pushed else []

    def restore(self, journey: Journey) -> bool:
        """`journey` on the canvas as one change, unsaved (Undo goes back)."""
        return self._push(commands.ReplaceJourneyCommand(self.document, journey,
                                                         "Restore unsaved changes"))

    def auto_layout(self) -> bool:
        moves = {tid: pos for tid, pos in auto_layout(self.journey).items()
                 if (self.document.tile(tid).x, self.document.tile(tid).y) != pos}
        if not moves:
            return False
        return self._push(commands.move_command(self.document, moves, "Auto-layout"))


def _reason(exc: Exception) -> str:
    """The first line of a validation error, without pydantic's boilerplate."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int))
        message = str(first.get("msg", exc)).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(exc)
