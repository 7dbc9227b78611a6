"""Undo commands. Each only calls the document's operations and their exact inverses.

Compound edits (delete a selection, insert on an edge, paste, auto-layout) are a
`MacroCommand` of child commands, redone in order and undone in reverse. The macro keeps
its children itself: Python commands handed to a Qt parent alone can be collected.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from engine.model import Edge, Journey, Tile, tile_title
from engine.model.editing import JourneyDocument, RemovedTile

MERGE_TILE_FIELDS = 1
MERGE_SETTINGS = 2


class AddTileCommand(QUndoCommand):
    def __init__(self, doc: JourneyDocument, tile: Tile):
        super().__init__(f"Add {tile_title(tile)}")
        self.doc, self.tile, self.index = doc, tile, None

    def redo(self) -> None:
        self.index = self.doc.add_tile(self.tile, self.index)

    def undo(self) -> None:
        self.tile = self.doc.remove_tile(self.tile.id).tile


class RemoveTileCommand(QUndoCommand):
    def __init__(self, doc: JourneyDocument, tile_id: str):
        super().__init__(f"Delete {tile_title(doc.tile(tile_id))}")
        self.doc, self.tile_id = doc, tile_id
        self.removed: RemovedTile | None = None

    def redo(self) -> None:
        self.removed = self.doc.remove_tile(self.tile_id)

    def undo(self) -> None:
        self.doc.restore_tile(self.removed)


class MoveTileCommand(QUndoCommand):
    def __init__(self, doc: JourneyDocument, tile_id: str, old: tuple[float, float],
                 new: tuple[float, float]):
        super().__init__("Move tile")
        self.doc, self.tile_id, self.old, self.new = doc, tile_id, old, new

    def redo(self) -> None:
        self.doc.move_tile(self.tile_id, *self.new)

    def undo(self) -> None:
        self.doc.move_tile(self.tile_id, *self.old)


class ConnectCommand(QUndoCommand):
    def __init__(self, doc: JourneyDocument, edge: Edge):
        super().__init__("Connect")
        self.doc, self.edge, self.index = doc, edge, None

    def redo(self) -> None:
        self.index = self.doc.add_edge(self.edge, self.index)

    def undo(self) -> None:
        self.doc.remove_edge(self.edge)


class DisconnectCommand(QUndoCommand):
    def __init__(self, doc: JourneyDocument, edge: Edge):
        super().__init__("Delete connection")
        self.doc, self.edge, self.index = doc, edge, None

    def redo(self) -> None:
        self.index = self.doc.remove_edge(self.edge)

    def undo(self) -> None:
        self.doc.add_edge(self.edge, self.index)


class UpdateTileCommand(QUndoCommand):
    """Change tile fields. Successive edits of the same fields (typing a name) merge."""

    def __init__(self, doc: JourneyDocument, tile_id: str, changes: dict[str, Any],
                 text: str = "Edit tile", merge: bool = False):
        super().__init__(text)
        self.doc, self.tile_id, self.changes, self.merge = doc, tile_id, changes, merge
        self.old: dict[str, Any] = {}

    def id(self) -> int:
        return MERGE_TILE_FIELDS if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        same = (isinstance(other, UpdateTileCommand) and other.merge
                and other.tile_id == self.tile_id and other.changes.keys() == self.changes.keys())
        if same:
            self.changes = other.changes
        return same

    def redo(self) -> None:
        self.old = self.doc.update_tile(self.tile_id, self.changes)

    def undo(self) -> None:
        self.doc.update_tile(self.tile_id, self.old)


class UpdateSettingsCommand(QUndoCommand):
    def __init__(self, doc: JourneyDocument, changes: dict[str, Any],
                 text: str = "Edit journey settings", merge: bool = False):
        super().__init__(text)
        self.doc, self.changes, self.merge = doc, changes, merge
        self.old: dict[str, Any] = {}

    def id(self) -> int:
        return MERGE_SETTINGS if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        same = (isinstance(other, UpdateSettingsCommand) and other.merge
                and other.changes.keys() == self.changes.keys())
        if same:
            self.changes = other.changes
        return same

    def redo(self) -> None:
        self.old = self.doc.update_settings(self.changes)

    def undo(self) -> None:
        self.doc.update_settings(self.old)


class ReplaceJourneyCommand(QUndoCommand):
    """The whole journey at once (unsaved changes restored after the studio was killed)."""

    def __init__(self, doc: JourneyDocument, journey: Journey, text: str):
        super().__init__(text)
        self.doc, self.before, self.after = doc, doc.journey, journey

    def redo(self) -> None:
        self.doc.replace(self.after)

    def undo(self) -> None:
        self.doc.replace(self.before)


# --- compound edits ---------------------------------------------------------------


class MacroCommand(QUndoCommand):
    def __init__(self, text: str, commands: list[QUndoCommand]):
        super().__init__(text)
        self.commands = commands

    def redo(self) -> None:
        for command in self.commands:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()


def delete_command(doc: JourneyDocument, tile_ids: list[str], edges: list[Edge]
                   ) -> QUndoCommand:
    gone = set(tile_ids)
    count = len(tile_ids) + len(edges)
    children: list[QUndoCommand] = [DisconnectCommand(doc, e) for e in edges
                                    if e.source not in gone and e.target not in gone]
    children += [RemoveTileCommand(doc, tile_id) for tile_id in tile_ids]
    return MacroCommand(f"Delete {count} item{'s' if count != 1 else ''}", children)


def insert_on_edge_command(doc: JourneyDocument, tile: Tile, edge: Edge,
                           into: Edge, out_of: Edge | None,
                           moves: dict[str, tuple[float, float]] | None = None
                           ) -> QUndoCommand:
    """One undo step: the connection split by the tile, and the tiles after it moved to
    make room (`moves`, see `layout.room_on_edge`)."""
    children: list[QUndoCommand] = _moves(doc, moves or {})
    children += [DisconnectCommand(doc, edge), AddTileCommand(doc, tile),
                 ConnectCommand(doc, into)]
    if out_of is not None:
        children.append(ConnectCommand(doc, out_of))
    return MacroCommand(f"Insert {tile_title(tile)}", children)


def paste_command(doc: JourneyDocument, tiles: list[Tile], edges: list[Edge]) -> QUndoCommand:
    children: list[QUndoCommand] = [AddTileCommand(doc, tile) for tile in tiles]
    children += [ConnectCommand(doc, edge) for edge in edges]
    return MacroCommand(f"Paste {len(tiles)} tile{'s' if len(tiles) != 1 else ''}", children)


def move_command(doc: JourneyDocument, moves: dict[str, tuple[float, float]],
                 text: str | None = None) -> QUndoCommand:
    return MacroCommand(text or f"Move {len(moves)} tile{'s' if len(moves) != 1 else ''}",
                        _moves(doc, moves))


def _moves(doc: JourneyDocument, moves: dict[str, tuple[float, float]]
           ) -> list[QUndoCommand]:
    return [MoveTileCommand(doc, tile_id, (doc.tile(tile_id).x, doc.tile(tile_id).y), new)
            for tile_id, new in moves.items()]
