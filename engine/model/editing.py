"""Edits to a journey document, without Qt: what the studio's undo commands call.

`JourneyDocument` wraps a `Journey` and changes it only through small operations, each
of which tells its observers what changed (a tiny observer in the style of ryvencore), so
a canvas can follow the document instead of keeping its own copy. Every operation has an
exact inverse (`remove_tile` / `restore_tile`, `add_edge` / `remove_edge`, ...) so undo
gives back the same document, byte for byte once dumped.

`check_connect` says why a connection would break the graph, with typed errors;
`can_connect` is the yes/no form (the pattern of Orange's canvas core).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .journey import Edge, Journey
from .tiles import TILE_CLASSES, Tile, TileKind, output_ports, port_label

# --- refused connections ----------------------------------------------------------


class ConnectError(ValueError):
    """A connection that would break the journey graph; the message says why."""


class UnknownTileError(ConnectError):
    pass


class UnknownPortError(ConnectError):
    pass


class EdgeIntoEntryError(ConnectError):
    pass


class PortTakenError(ConnectError):
    pass


class CycleError(ConnectError):
    pass


def check_connect(journey: Journey, source: str, port: str, target: str) -> None:
    """Raise the first reason a `source.port -> target` edge is refused; None when fine."""
    tiles = {t.id: t for t in journey.tiles}
    for tile_id in (source, target):
        if tile_id not in tiles:
            raise UnknownTileError(f"there is no tile {tile_id!r}")
    _check_port(tiles[source], port)
    if tiles[target].kind == TileKind.TRIGGER:
        raise EdgeIntoEntryError("nothing can lead into the entry: people start there")
    taken = next((e for e in journey.edges if e.source == source and e.port == port), None)
    if taken is not None:
        where = "this output" if port == "next" else f"the {port_label(tiles[source], port)} path"
        raise PortTakenError(f"{where} already leads to {_title(tiles[taken.target])!r}; "
                             "delete that connection first")
    if source == target:
        raise CycleError("a tile cannot lead to itself: journeys only move forward")
    if source in _descendants(journey, target):
        raise CycleError(f"{_title(tiles[target])!r} already leads to {_title(tiles[source])!r}; "
                         "this would make a loop, and journeys only move forward")


def can_connect(journey: Journey, source: str, port: str, target: str) -> bool:
    try:
        check_connect(journey, source, port, target)
    except ConnectError:
        return False
    return True


def _check_port(tile: Tile, port: str) -> None:
    if tile.kind == TileKind.EXIT:
        raise UnknownPortError("an exit ends the journey; nothing can follow it")
    if port not in {p.id for p in output_ports(tile)}:
        raise UnknownPortError(f"{_title(tile)!r} has no output {port!r}")


def _title(tile: Tile) -> str:
    return tile.name or tile.id


def _descendants(journey: Journey, start: str) -> set[str]:
    following: dict[str, list[str]] = {}
    for edge in journey.edges:
        following.setdefault(edge.source, []).append(edge.target)
    seen: set[str] = set()
    pending = [start]
    while pending:
        for nxt in following.get(pending.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return seen


# --- the observer ------------------------------------------------------------------


class Event:
    """One kind of change that callbacks can subscribe to."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[..., object]] = []

    def sub(self, callback: Callable[..., object]) -> None:
        self._subscribers.append(callback)

    def unsub(self, callback: Callable[..., object]) -> None:
        self._subscribers.remove(callback)

    def emit(self, *args: object) -> None:
        for callback in list(self._subscribers):
            callback(*args)


# --- the document ------------------------------------------------------------------


@dataclass(frozen=True)
class RemovedTile:
    """What `remove_tile` took away, with the places it had, so it can be put back."""

    tile: Tile
    index: int
    edges: tuple[tuple[int, Edge], ...]


# Journey fields that are settings (not the graph, not identity, not lifecycle).
SETTINGS_FIELDS = ("name", "description", "type", "start", "goal", "exits",
                   "frequency_cap_opt_out")


class JourneyDocument:
    """A journey being edited, telling its observers about every change."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.tile_added = Event()     # (tile_id)
        self.tile_removed = Event()   # (tile_id)
        self.tile_changed = Event()   # (tile_id): fields, ports or name
        self.tile_moved = Event()     # (tile_id)
        self.edge_added = Event()     # (edge)
        self.edge_removed = Event()   # (edge)
        self.settings_changed = Event()
        self.replaced = Event()       # the whole journey was swapped
        self.changed = Event()        # after any of the above
        self._places: dict[str, int] = {}  # tile id -> its index, as last seen (`_index`)

    def _emit(self, event: Event, *args: object) -> None:
        event.emit(*args)
        self.changed.emit()

    def replace(self, journey: Journey) -> None:
        self.journey = journey
        self._emit(self.replaced)

    def tile(self, tile_id: str) -> Tile:
        return self.journey.tiles[self._index(tile_id)]

    def _index(self, tile_id: str) -> int:
        """Where the tile is in the journey's list: where it was last seen, checked, or
        found again after the list changed. Looked for from the start each time, moving
        20,000 tiles (an auto-layout, one command) froze the studio for minutes."""
        tiles, index = self.journey.tiles, self._places.get(tile_id)
        if index is None or index >= len(tiles) or tiles[index].id != tile_id:
            self._places = {}
            for place, tile in enumerate(tiles):  # the first of an id, as a search finds
                self._places.setdefault(tile.id, place)
            if (index := self._places.get(tile_id)) is None:
                raise KeyError(tile_id)
        return index

    # --- tiles ----------------------------------------------------------------------

    def add_tile(self, tile: Tile, index: int | None = None) -> int:
        if self.journey.find_tile(tile.id) is not None:
            raise ValueError(f"there is already a tile {tile.id!r}")
        index = len(self.journey.tiles) if index is None else index
        self.journey.tiles.insert(index, tile)
        self._emit(self.tile_added, tile.id)
        return index

    def remove_tile(self, tile_id: str) -> RemovedTile:
        """Remove a tile and every edge touching it."""
        index = self._index(tile_id)
        edges = tuple((i, e) for i, e in enumerate(self.journey.edges)
                      if tile_id in (e.source, e.target))
        for i, edge in reversed(edges):
            del self.journey.edges[i]
            self._emit(self.edge_removed, edge)
        tile = self.journey.tiles.pop(index)
        self._emit(self.tile_removed, tile_id)
        return RemovedTile(tile, index, edges)

    def restore_tile(self, removed: RemovedTile) -> None:
        """Undo `remove_tile`: the tile and its edges back in their places."""
        self.add_tile(removed.tile, removed.index)
        for i, edge in removed.edges:
            self.add_edge(edge, i)

    def move_tile(self, tile_id: str, x: float, y: float) -> tuple[float, float]:
        tile = self.tile(tile_id)
        old = (tile.x, tile.y)
        tile.x, tile.y = float(x), float(y)
        self._emit(self.tile_moved, tile_id)
        return old

    def update_tile(self, tile_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a tile's fields, validated as a whole; returns the values replaced."""
        index = self._index(tile_id)
        old_tile = self.journey.tiles[index]
        self.journey.tiles[index] = self.updated_tile(tile_id, changes)
        self._emit(self.tile_changed, tile_id)
        return {name: copy.deepcopy(getattr(old_tile, name)) for name in changes}

    def updated_tile(self, tile_id: str, changes: dict[str, Any]) -> Tile:
        """The tile as it would be after `changes`; a ValueError says why it cannot be."""
        if {"id", "kind"} & changes.keys():
            raise ValueError("a tile's id and kind cannot change")
        old_tile = self.tile(tile_id)
        data = {**old_tile.model_dump(), **copy.deepcopy(changes)}
        return TILE_CLASSES[TileKind(old_tile.kind)].model_validate(data)

    # --- edges ----------------------------------------------------------------------

    def connect(self, source: str, port: str, target: str) -> Edge:
        """Add an edge if the graph allows it; raises a `ConnectError` saying why not."""
        check_connect(self.journey, source, port, target)
        edge = Edge(source=source, port=port, target=target)
        self.add_edge(edge)
        return edge

    def add_edge(self, edge: Edge, index: int | None = None) -> int:
        """Add an edge unchecked (undo puts back what was there, even a bad edge)."""
        for end in (edge.source, edge.target):
            self.tile(end)  # KeyError for a dangling edge
        index = len(self.journey.edges) if index is None else index
        self.journey.edges.insert(index, edge)
        self._emit(self.edge_added, edge)
        return index

    def remove_edge(self, edge: Edge) -> int:
        index = self.journey.edges.index(edge)
        del self.journey.edges[index]
        self._emit(self.edge_removed, edge)
        return index

    def insert_on_edge(self, tile: Tile, edge: Edge) -> tuple[Edge, Edge | None]:
        """Put a new tile between the two ends of an edge."""
        into, out_of = insert_edges(tile, edge)
        self.remove_edge(edge)
        self.add_tile(tile)
        self.add_edge(into)
        if out_of is not None:
            self.add_edge(out_of)
        return into, out_of

    # --- settings -------------------------------------------------------------------

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change journey settings, validated as a journey; returns the values replaced."""
        checked = self.updated_settings(changes)
        old = {name: getattr(self.journey, name) for name in changes}
        for name in changes:
            setattr(self.journey, name, getattr(checked, name))
        self._emit(self.settings_changed)
        return old

    def updated_settings(self, changes: dict[str, Any]) -> Journey:
        """The journey's settings after `changes` (without its graph), or a ValueError."""
        unknown = set(changes) - set(SETTINGS_FIELDS)
        if unknown:
            raise ValueError(f"not a journey setting: {sorted(unknown)[0]!r}")
        current = {name: getattr(self.journey, name) for name in SETTINGS_FIELDS}
        return Journey.model_validate({"id": self.journey.id, **current,
                                       **copy.deepcopy(changes)})


def insert_edges(tile: Tile, edge: Edge) -> tuple[Edge, Edge | None]:
    """The two edges that replace `edge` when `tile` goes between its ends."""
    if tile.kind == TileKind.TRIGGER:
        raise EdgeIntoEntryError("the entry cannot go between two tiles: people start there")
    into = Edge(source=edge.source, port=edge.port, target=tile.id)
    ports = output_ports(tile)
    out_of = Edge(source=tile.id, port=ports[0].id, target=edge.target) if ports else None
    return into, out_of


def new_tile(journey: Journey, kind: TileKind | str, x: float = 0, y: float = 0) -> Tile:
    """A fresh tile of a kind, with a free id and the defaults a marketer starts from."""
    kind = TileKind(kind)
    tile_id = journey.new_id(kind.value.replace("_", "-"))
    return TILE_CLASSES[kind].model_validate({"id": tile_id, "x": x, "y": y,
                                              **_STARTING_FIELDS.get(kind, {})})


_STARTING_FIELDS: dict[TileKind, dict[str, Any]] = {
    TileKind.WAIT: {"mode": "duration", "duration": "P1D"},
    TileKind.ATTRIBUTE_BRANCH: {"branches": [{"id": "branch-1", "name": "Branch 1"}]},
    TileKind.SPLIT: {"mode": "percent", "arms": [{"id": "a", "name": "A", "percent": 50},
                                                 {"id": "b", "name": "B", "percent": 50}]},
}


# --- copy and paste -----------------------------------------------------------------


def copy_tiles(journey: Journey, tile_ids: Iterable[str]) -> dict[str, Any]:
    """The chosen tiles and the edges between them, as plain JSON data."""
    chosen = set(tile_ids)
    tiles = [t.model_dump(mode="json", exclude_none=True)
             for t in journey.tiles if t.id in chosen]
    edges = [e.model_dump(mode="json") for e in journey.edges
             if e.source in chosen and e.target in chosen]
    return {"tiles": tiles, "edges": edges}


def paste_tiles(journey: Journey, data: Any, dx: float = 40, dy: float = 40
                ) -> tuple[list[Tile], list[Edge]]:
    """Copied tiles with fresh ids, moved by (dx, dy), ready to add to `journey`.

    The pasted tiles are checked as a journey of their own (a ValueError for bad data).
    An entry is left out when the journey already has one; edges to it go with it.
    """
    data = data if isinstance(data, dict) else {}
    clip = Journey.model_validate({"id": "clipboard", "name": "clipboard",
                                   "tiles": data.get("tiles", []),
                                   "edges": data.get("edges", [])})
    has_entry = journey.entry() is not None
    taken = {t.id for t in journey.tiles}
    renamed: dict[str, str] = {}
    tiles: list[Tile] = []
    for tile in clip.tiles:
        if tile.kind == TileKind.TRIGGER and has_entry:
            continue
        renamed[tile.id] = _fresh_id(tile.id, taken)
        tiles.append(tile.model_copy(update={"id": renamed[tile.id], "x": tile.x + dx,
                                             "y": tile.y + dy}))
    for tile in tiles:
        if tile.kind == TileKind.WAIT_FOR and tile.message in renamed:
            tile.message = renamed[tile.message]
    edges = [Edge(source=renamed[e.source], port=e.port, target=renamed[e.target])
             for e in clip.edges if e.source in renamed and e.target in renamed]
    return tiles, edges


def _fresh_id(old: str, taken: set[str]) -> str:
    base = re.sub(r"-\d+$", "", old)[:56] or "tile"
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    taken.add(f"{base}-{n}")
    return f"{base}-{n}"
